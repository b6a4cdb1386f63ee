# Cross-task transfer on the demo: the widths PaS searched for ResNet-50 on
# the classification demo (configs/classification/resnet/
# pas_resnet50_1xb64_demo-cls_flops-0.5x.py, exported) applied to the backbone of the trained
# demo Mask R-CNN, then fine-tuned like pas_mask-rcnn_r50_fpn_1xb4_demo-coco_flops-0.5x.py
# (3 epochs). The demo stand-in for ImageNet widths -> COCO.
#   python tools/train.py THIS_CONFIG --cfg-options \
#       model.transfer.width_spec=CLS_EXPORT/width_spec.json \
#       model.pretrained=work_dirs/mask-rcnn_r50_fpn_1xb4_demo-coco/epoch_4.pth
# Groups match by name (the classifier's and the detector's 'backbone.*');
# the FPN keeps all its channels. Kept channels: the detector's own
# strongest filters (L1) at the classification spec's counts.
_base_ = ['./pas_mask-rcnn_r50_fpn_1xb4_demo-coco_flops-0.5x.py']

model = dict(
    transfer=dict(
        width_spec='work_dirs/pas_resnet50_1xb64_demo-cls_flops-0.5x/compact/width_spec.json',
        channels='l1'))
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=3, T_max=3),
]
# nothing to search: slice to the transferred widths before the first step
custom_hooks = [dict(type='pas_mm.PaSSearchHook', search_epochs=0,
                     export_after_search=True)]
