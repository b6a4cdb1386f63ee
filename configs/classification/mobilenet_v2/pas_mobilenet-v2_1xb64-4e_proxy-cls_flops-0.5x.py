# PaS (MACs budget) on the MobileNetV2 proxy baseline at 64x64: the
# ResNet-18-w16 proxy recipe (1 search epoch + 3 fine-tune epochs) on the
# baseline's network and pipelines.
#   python tools/train.py configs/classification/mobilenet_v2/pas_mobilenet-v2_1xb64-4e_proxy-cls_flops-0.5x.py \
#       --cfg-options model.pretrained=work_dirs/mobilenet-v2_1xb64-30e_proxy-cls/epoch_30.pth
_base_ = ['../resnet/pas_resnet18-w16_1xb64-4e_proxy-cls_flops-0.5x.py']

model = dict(
    architecture=dict(
        backbone=dict(_delete_=True, type='MobileNetV2', widen_factor=1.0),
        head=dict(in_channels=1280)),
    input_shape=(1, 3, 64, 64),
    pretrained='work_dirs/mobilenet-v2_1xb64-30e_proxy-cls/epoch_30.pth')

# as mobilenet-v2_1xb64-30e_proxy-cls.py
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
