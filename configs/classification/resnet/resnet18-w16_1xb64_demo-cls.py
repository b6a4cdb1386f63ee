# Plain (unpruned) baseline for the classification demo: a CIFAR-style
# ResNet-18 with base width 16 on the 32x32 digit data. This is the trained
# reference that the PaS classification configs start from.
#   python tools/train.py configs/classification/resnet/resnet18-w16_1xb64_demo-cls.py
# About 1-2 minutes on 2 CPU cores; top-1 on the demo val split is ~97 %
# (chance: 10 %).
_base_ = [
    'mmpretrain::_base_/default_runtime.py',
    '../../_base_/datasets/demo_cls.py',
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
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=True, T_max=12)
train_cfg = dict(by_epoch=True, max_epochs=12, val_interval=4)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=64)

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=4, max_keep_ckpts=2))
randomness = dict(seed=0, deterministic=False)
