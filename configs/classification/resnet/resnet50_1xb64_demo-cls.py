# Plain ResNet-50 baseline on the classification demo (32x32 digits): the
# same ResNet-50 (ImageNet stem, widths 64..2048) as the Mask R-CNN
# backbone, so that widths searched here can be compared with, and
# transferred to, the detector's (the demo stand-in for ImageNet -> COCO).
#   python tools/train.py configs/classification/resnet/resnet50_1xb64_demo-cls.py
# About 2-3 minutes on 2 CPU cores.
_base_ = ['./resnet18-w16_1xb64_demo-cls.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='ResNet',
        depth=50,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch'),
    head=dict(in_channels=2048))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=True, T_max=8)
train_cfg = dict(by_epoch=True, max_epochs=8, val_interval=4)
