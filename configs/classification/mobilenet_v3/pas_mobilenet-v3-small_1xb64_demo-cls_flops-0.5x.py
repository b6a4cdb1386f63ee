# PaS on the MobileNetV3-small demo: search at 50 % of the classifier's MACs
# (epochs 1-3), then fine-tune (epochs 4-9), default PaS settings:
#   python tools/train.py THIS_CONFIG \
#       --cfg-options model.pretrained=work_dirs/mobilenet-v3-small_1xb64_demo-cls/epoch_12.pth
# The squeeze-excitation layers and the classifier head are searched too.
_base_ = ['../resnet/pas_resnet18-w16_1xb64_demo-cls_flops-0.5x.py']

model = dict(
    architecture=dict(
        backbone=dict(
            _delete_=True, type='MobileNetV3', arch='small',
            norm_cfg=dict(type='BN', eps=0.001, momentum=0.1)),
        head=dict(
            _delete_=True, type='StackedLinearClsHead', num_classes=10,
            in_channels=576, mid_channels=[1024], dropout_rate=0.2,
            act_cfg=dict(type='HSwish'),
            loss=dict(type='CrossEntropyLoss', loss_weight=1.0))),
    pretrained='work_dirs/mobilenet-v3-small_1xb64_demo-cls/epoch_12.pth')
