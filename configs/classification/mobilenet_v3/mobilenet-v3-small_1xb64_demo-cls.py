# Plain MobileNetV3-small baseline on the 32x32 demo digits; the trained
# reference for pas_mobilenet-v3-small_1xb64_demo-cls_flops-0.5x.py.
#   python tools/train.py configs/classification/mobilenet_v3/mobilenet-v3-small_1xb64_demo-cls.py
# BN momentum 0.1 instead of mmpretrain's 0.01: with 0.01 the running
# statistics lag far behind the weights on a 12-epoch schedule and the
# baseline validates near chance.
_base_ = ['../resnet/resnet18-w16_1xb64_demo-cls.py']

model = dict(
    backbone=dict(
        _delete_=True, type='MobileNetV3', arch='small',
        norm_cfg=dict(type='BN', eps=0.001, momentum=0.1)),
    head=dict(
        _delete_=True, type='StackedLinearClsHead', num_classes=10,
        in_channels=576, mid_channels=[1024], dropout_rate=0.2,
        act_cfg=dict(type='HSwish'),
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
