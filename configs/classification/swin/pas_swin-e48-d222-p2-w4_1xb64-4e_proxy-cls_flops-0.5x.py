# PaS on the proxy Swin (swin-e48-d222-p2-w4): whole attention heads (the
# export slices qkv / proj, num_heads and the relative-position tables) and
# FFN hidden widths searched for 1 epoch at 50 % of the MACs (attention
# products included), then 3 fine-tune epochs of the exported net; the
# residual width stays whole (its LayerNorms normalise over it).
#   python tools/train.py configs/classification/swin/pas_swin-e48-d222-p2-w4_1xb64-4e_proxy-cls_flops-0.5x.py \
#       --cfg-options model.pretrained=work_dirs/swin-e48-d222-p2-w4_1xb64-30e_proxy-cls/epoch_30.pth
_base_ = ['../vit/pas_vit-e96-d6-p4_1xb64-4e_proxy-cls_flops-0.5x.py']

model = dict(
    architecture=dict(
        backbone=dict(
            _delete_=True,
            type='SwinTransformer',
            arch=dict(embed_dims=48, depths=[2, 2, 2], num_heads=[2, 4, 8]),
            img_size=32,
            patch_size=2,
            window_size=4,
            out_indices=(2, ),
            drop_path_rate=0.1),
        neck=dict(_delete_=True, type='GlobalAveragePooling'),
        head=dict(
            _delete_=True,
            type='LinearClsHead',
            num_classes=36,
            in_channels=192,
            loss=dict(type='CrossEntropyLoss', loss_weight=1.0))),
    pretrained='work_dirs/swin-e48-d222-p2-w4_1xb64-30e_proxy-cls/epoch_30.pth'
)

# the baseline's optimiser at a fine-tune lr
optim_wrapper = dict(
    paramwise_cfg=dict(
        _delete_=True,
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            '.absolute_pos_embed': dict(decay_mult=0.0),
            '.relative_position_bias_table': dict(decay_mult=0.0)
        }))
