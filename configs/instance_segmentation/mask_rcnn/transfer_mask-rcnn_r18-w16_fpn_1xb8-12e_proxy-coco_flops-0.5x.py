# Benchmark v2 row 'transfer' on Mask R-CNN: the classification search's
# per-group widths (same budget and seed; the suite sets the width spec),
# each group keeping the detector's strongest filters (L1), scaled with
# the FPN to 50 %. Prune the converged
# detector once to the MACs target of backbone + FPN (same space, cut and
# exporter as PaS), then fine-tune for the 12 post-baseline epochs.
_base_ = ['./pas_mask-rcnn_r18-w16_fpn_1xb8-12e_proxy-coco_flops-0.5x.py']

model = dict(
    transfer=dict(
        width_spec='work_dirs/proxy_v2/classification/pas@0.5-seed0/compact/'
        'width_spec.json',
        channels='l1',
        scale_to_budget=True))
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=12, T_max=12),
]
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=0,
         export_after_search=True)
]
