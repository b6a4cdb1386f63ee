# Plain (unpruned) RepVGG baseline for the classification demo: a small
# RepVGG (mmpretrain's RepVGG with a custom arch: 1-2-2-1 blocks, widths
# 16/16/32/64) on the 32x32 digits. The reference that
# pas_repvgg-tiny_1xb64_demo-cls_flops-0.5x.py searches.
#   python tools/train.py configs/classification/repvgg/repvgg-tiny_1xb64_demo-cls.py
_base_ = ['../resnet/resnet18-w16_1xb64_demo-cls.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='RepVGG',
        arch=dict(
            num_blocks=[1, 2, 2, 1],
            width_factor=[0.25, 0.125, 0.125, 0.125],
            group_layer_map=None,
            se_cfg=None,
            stem_channels=16),
        strides=(1, 2, 2, 2),
        out_indices=(3, )),
    head=dict(in_channels=64))
