# PaS on the proxy ViT (vit-e96-d6-p4): whole attention heads and FFN hidden
# widths searched for 1 epoch at 50 % of the MACs (attention products
# included), then 3 fine-tune epochs of the exported net; the residual
# stream stays whole (its LayerNorms normalise over it).
#   python tools/train.py configs/classification/vit/pas_vit-e96-d6-p4_1xb64-4e_proxy-cls_flops-0.5x.py \
#       --cfg-options model.pretrained=work_dirs/vit-e96-d6-p4_1xb64-30e_proxy-cls/epoch_30.pth
_base_ = ['../resnet/pas_resnet18-w16_1xb64-4e_proxy-cls_flops-0.5x.py']

model = dict(
    architecture=dict(
        backbone=dict(
            _delete_=True,
            type='VisionTransformer',
            arch=dict(embed_dims=96, num_layers=6, num_heads=3,
                      feedforward_channels=384),
            img_size=32,
            patch_size=4,
            drop_path_rate=0.1),
        neck=None,
        head=dict(
            _delete_=True,
            type='VisionTransformerClsHead',
            num_classes=36,
            in_channels=96,
            loss=dict(type='CrossEntropyLoss', loss_weight=1.0))),
    pretrained='work_dirs/vit-e96-d6-p4_1xb64-30e_proxy-cls/epoch_30.pth')

# the baseline's optimiser at a fine-tune lr
optim_wrapper = dict(
    _delete_=True,
    optimizer=dict(type='AdamW', lr=2e-4, weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0.0, bias_decay_mult=0.0,
        custom_keys={'.cls_token': dict(decay_mult=0.0),
                     '.pos_embed': dict(decay_mult=0.0)}))
