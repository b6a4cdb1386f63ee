# Plain ResNet-18 (CIFAR stem, base width 16) trained to its plateau on the
# proxy glyph data: the one baseline checkpoint every benchmark method
# starts from (docs/benchmark.md).
#   python tools/train.py configs/classification/resnet/resnet18-w16_1xb64-30e_proxy-cls.py
_base_ = [
    'mmpretrain::_base_/default_runtime.py',
    '../../_base_/datasets/proxy_cls.py',
]

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet_CIFAR',
        depth=18,
        stem_channels=16,
        base_channels=16,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch',
        # PyTorch's own conv init (Kaiming-uniform, a=sqrt(5), fan_in) and
        # no zero-init of the residual BNs: with mmpretrain's default
        # (Kaiming-normal, fan_out) the weights start ~2.5x larger, the
        # effective lr is ~6x smaller, and on this data the net sits at
        # chance for many epochs (measured in docs/benchmark.md)
        zero_init_residual=False,
        init_cfg=[
            dict(type='Kaiming', layer='Conv2d', a=5**0.5,
                 mode='fan_in', nonlinearity='leaky_relu',
                 distribution='uniform'),
            dict(type='Constant', val=1, layer=['_BatchNorm'])
        ]),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=36,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))

optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True))
# one warm-up epoch: from lr 0.1 straight away the net sits at chance for
# several epochs on this data
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=30, T_max=29),
]
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=2)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=64)

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=1))
randomness = dict(seed=0, deterministic=False)
