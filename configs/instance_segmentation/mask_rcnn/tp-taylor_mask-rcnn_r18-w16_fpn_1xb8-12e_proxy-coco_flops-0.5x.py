# Benchmark v2 row 'tp-taylor' on Mask R-CNN: Torch-Pruning's
# GroupTaylorImportance (|w * dL/dw| on 8 training batches), the best tp
# criterion on ResNet-18-w16 at 25 % by val top-1 (protocol v2). Prune the
# converged detector once to the MACs target of backbone + FPN (same space,
# cut and exporter as PaS), then fine-tune for the 12 post-baseline epochs.
_base_ = ['./pas_mask-rcnn_r18-w16_fpn_1xb8-12e_proxy-coco_flops-0.5x.py']

model = dict(criterion='tp-taylor')
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=12, T_max=12),
]
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=0,
         export_after_search=True)
]
