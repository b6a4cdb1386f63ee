# Plain MobileNetV2 (1.0x) on the proxy glyph data, upsampled to 64x64
# (its stem and four stride-2 stages leave 2x2 maps there; at 32x32 they
# would leave 1x1): the baseline of the MobileNetV2 latency-budget task
# (configs/benchmark/latency_suite.py), trained with the ResNet-18-w16
# proxy recipe.
#   python tools/train.py configs/classification/mobilenet_v2/mobilenet-v2_1xb64-30e_proxy-cls.py
_base_ = ['../resnet/resnet18-w16_1xb64-30e_proxy-cls.py']

model = dict(
    backbone=dict(_delete_=True, type='MobileNetV2', widen_factor=1.0),
    head=dict(in_channels=1280))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomCrop', crop_size=32, padding=2),
    dict(type='Resize', scale=(64, 64)),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 64)),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
