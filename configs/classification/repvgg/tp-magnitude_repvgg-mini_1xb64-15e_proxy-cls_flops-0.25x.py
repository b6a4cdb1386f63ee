# Row 'tp-magnitude' on RepVGG-mini (docs/search_evidence.md, protocol B): Torch-Pruning's GroupMagnitudeImportance.
# Prune the converged baseline once to the MACs target (same space, cut
# and exporter as PaS), then fine-tune the merged compact net for the 15
# post-baseline epochs.
_base_ = ['./pas_repvgg-mini_1xb64-15e_proxy-cls_flops-0.25x.py']

model = dict(criterion='tp-magnitude')
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=0,
         export_after_search=True)
]
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=15, T_max=15),
]
