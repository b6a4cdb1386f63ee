# PaS on the MobileNetV2 demo: search at 50 % of the classifier's MACs
# (epochs 1-3), then fine-tune (epochs 4-9), default PaS settings:
#   python tools/train.py THIS_CONFIG \
#       --cfg-options model.pretrained=work_dirs/mobilenet-v2_1xb64_demo-cls/epoch_12.pth
_base_ = ['../resnet/pas_resnet18-w16_1xb64_demo-cls_flops-0.5x.py']

model = dict(
    architecture=dict(
        backbone=dict(_delete_=True, type='MobileNetV2', widen_factor=0.5),
        head=dict(in_channels=1280)),
    pretrained='work_dirs/mobilenet-v2_1xb64_demo-cls/epoch_12.pth')
