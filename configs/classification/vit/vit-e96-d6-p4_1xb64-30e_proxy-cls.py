# A DeiT-style vision transformer scaled to the 32x32 proxy glyphs: patch 4
# (64 tokens + the class token), 6 blocks of width 96 with 3 heads of 32
# and a 384-wide FFN (DeiT-tiny: 12 blocks of 192, 3 heads, 768), about
# 49 MMACs, trained from scratch with AdamW. The baseline of the transformer
# task of configs/benchmark/transformer_suite.py: PaS searches its heads and
# FFN widths at 50 % of the MACs against a uniform prune.
#   python tools/train.py configs/classification/vit/vit-e96-d6-p4_1xb64-30e_proxy-cls.py
_base_ = ['../resnet/resnet18-w16_1xb64-30e_proxy-cls.py']

model = dict(
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
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))

optim_wrapper = dict(
    _delete_=True,
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0.0, bias_decay_mult=0.0,
        custom_keys={'.cls_token': dict(decay_mult=0.0),
                     '.pos_embed': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=3,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=3, end=30, T_max=27),
]
