# Plain MobileNetV2 (widen 0.5) baseline on the 32x32 demo digits; the
# trained reference for pas_mobilenet-v2_1xb64_demo-cls_flops-0.5x.py.
#   python tools/train.py configs/classification/mobilenet_v2/mobilenet-v2_1xb64_demo-cls.py
_base_ = ['../resnet/resnet18-w16_1xb64_demo-cls.py']

model = dict(
    backbone=dict(_delete_=True, type='MobileNetV2', widen_factor=0.5),
    head=dict(in_channels=1280))
