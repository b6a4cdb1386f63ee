# PaS on the ResNet-50 classification demo: search at 50 % of the
# classifier's MACs (epochs 1-2), then fine-tune (epochs 3-6). Its exported
# width spec is what the cross-task transfer config applies to the Mask
# R-CNN backbone (configs/instance_segmentation/mask_rcnn/
# transfer_mask-rcnn_r50_fpn_1xb4_demo-coco.py).
#   python tools/train.py THIS_CONFIG \
#       --cfg-options model.pretrained=work_dirs/resnet50_1xb64_demo-cls/epoch_8.pth
#   python tools/export.py THIS_CONFIG work_dirs/pas_resnet50_1xb64_demo-cls_flops-0.5x/epoch_6.pth --out DIR
_base_ = ['./pas_resnet18-w16_1xb64_demo-cls_flops-0.5x.py']

search_epochs = 2
model = dict(
    architecture=dict(
        backbone=dict(
            _delete_=True,
            type='ResNet',
            depth=50,
            num_stages=4,
            out_indices=(3, ),
            style='pytorch'),
        head=dict(in_channels=2048)),
    pretrained='work_dirs/resnet50_1xb64_demo-cls/epoch_8.pth')
# No gate lr_mult: ResNet-50 has ~10x the gated channels of the ResNet-18
# demo (so ~10x smaller budget gradients per latent), but PaS's gate rule
# normalises the gradient over all gates (PaSSearchHook's gate_optimizer).
param_scheduler = [
    dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0,
         end=search_epochs),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=search_epochs,
         end=6, T_max=6 - search_epochs),
]
train_cfg = dict(by_epoch=True, max_epochs=6, val_interval=2)
custom_hooks = [dict(type='pas_mm.PaSSearchHook', search_epochs=search_epochs)]
default_hooks = dict(checkpoint=dict(interval=2, max_keep_ckpts=1))
