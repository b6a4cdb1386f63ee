# A Swin transformer scaled to the 32x32 proxy glyphs: patch 2 (16x16
# tokens), windows of 4x4, three stages of 2 blocks at widths 48 / 96 / 192
# with 2 / 4 / 8 heads of 24 and FFNs of 4x (Swin-T: patch 4, windows of 7,
# four stages of 2 / 2 / 6 / 2 blocks at 96 ... 768), about 47 MMACs with
# the attention products, trained from scratch with AdamW. The baseline of
# configs/benchmark/transformer_suite.py: PaS searches its heads and FFN
# widths at 50 % of the MACs against a uniform prune. Local windows and
# patch merging give it the locality a plain ViT lacks on 7 200 images
# (the proxy ViT of configs/classification/vit reached 9.8 % in 30 epochs).
#   python tools/train.py configs/classification/swin/swin-e48-d222-p2-w4_1xb64-30e_proxy-cls.py
_base_ = ['../vit/vit-e96-d6-p4_1xb64-30e_proxy-cls.py']

model = dict(
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
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))

optim_wrapper = dict(
    paramwise_cfg=dict(
        _delete_=True,
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            '.absolute_pos_embed': dict(decay_mult=0.0),
            '.relative_position_bias_table': dict(decay_mult=0.0)
        }))
