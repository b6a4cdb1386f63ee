# PaS on the proxy benchmark's instance segmentation task
# (docs/benchmark.md): search the widths of the converged proxy Mask R-CNN's
# ResNet-18 backbone and FPN at 50 % of their MACs for 1 epoch, then
# fine-tune the exported compact detector for 3; every method of the task
# gets the same 4 post-baseline epochs.
#   python tools/train.py configs/instance_segmentation/mask_rcnn/pas_mask-rcnn_r18-w16_fpn_1xb8-4e_proxy-coco_flops-0.5x.py \
#       --cfg-options model.pretrained=work_dirs/mask-rcnn_r18-w16_fpn_1xb8-24e_proxy-coco/epoch_24.pth
# configs/benchmark/proxy_suite.py runs it with 3 seeds. The scope is the
# backbone and the FPN's inner width; the five 64-channel FPN outputs that
# the RPN and RoI heads read keep their width.
_base_ = ['./mask-rcnn_r18-w16_fpn_1xb8-24e_proxy-coco.py']
custom_imports = dict(imports=['pas_mm'], allow_failed_imports=False)

search_epochs = 1
max_epochs = 4
model = dict(
    _delete_=True,
    type='pas_mm.PaSAlgorithm',
    architecture=_base_.model,
    search_scope=['backbone', 'neck'],
    trace_mode='extract_feat',
    budget=dict(target_ratio=0.5, weight=5.0, mode='two-sided'),
    input_shape=(1, 3, 128, 128),
    pretrained='work_dirs/mask-rcnn_r18-w16_fpn_1xb8-24e_proxy-coco/'
    'epoch_24.pth')

optim_wrapper = dict(optimizer=dict(lr=2e-4))
param_scheduler = [
    dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0,
         end=search_epochs),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=search_epochs,
         end=max_epochs, T_max=max_epochs - search_epochs),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=search_epochs,
         export_after_search=True)
]
default_hooks = dict(checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
