# Plain RepVGG baseline of the proxy benchmark's second classification
# family (task classification_repvgg, docs/benchmark.md): mmpretrain's
# RepVGG with 1-2-4-1 blocks of widths 32/32/64/128, trained to its plateau
# on the proxy glyphs. PaS searches every layer's width through the
# identity branches; export merges each block into one 3x3 conv.
#   python tools/train.py configs/classification/repvgg/repvgg-mini_1xb64-30e_proxy-cls.py
_base_ = ['../resnet/resnet18-w16_1xb64-30e_proxy-cls.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='RepVGG',
        arch=dict(
            num_blocks=[1, 2, 4, 1],
            width_factor=[0.5, 0.25, 0.25, 0.25],
            group_layer_map=None,
            se_cfg=None,
            stem_channels=32),
        strides=(1, 2, 2, 2),
        out_indices=(3, ),
        # PyTorch's own conv init, as the ResNet proxy baseline (why: there)
        init_cfg=[
            dict(type='Kaiming', layer='Conv2d', a=5**0.5, mode='fan_in',
                 nonlinearity='leaky_relu', distribution='uniform'),
            dict(type='Constant', val=1, layer=['_BatchNorm'])
        ]),
    head=dict(in_channels=128))
