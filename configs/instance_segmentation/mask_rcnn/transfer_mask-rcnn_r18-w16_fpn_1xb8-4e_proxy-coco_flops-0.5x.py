# Cross-task transfer on the proxy benchmark: the per-layer widths PaS
# searched on the proxy classification task (ResNet-18 at the same widths)
# applied to the proxy Mask R-CNN's backbone, each group keeping the
# detector's own strongest filters, and scaled with the FPN by one common
# factor to 50 % of the backbone + FPN MACs (scale_to_budget); then the
# same 4-epoch fine-tune as the criteria. The suite passes the spec:
#   --cfg-options model.transfer.width_spec=work_dirs/proxy/classification/pas@0.5-seed0/compact/width_spec.json
_base_ = ['./pas_mask-rcnn_r18-w16_fpn_1xb8-4e_proxy-coco_flops-0.5x.py']

model = dict(
    transfer=dict(
        width_spec='work_dirs/proxy/classification/pas@0.5-seed0/compact/'
        'width_spec.json',
        channels='l1',
        scale_to_budget=True))
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=4, T_max=4),
]
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=0,
         export_after_search=True)
]
