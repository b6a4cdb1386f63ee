# Benchmark v2 row 'tp-magnitude': Torch-Pruning's GroupMagnitudeImportance (group L2, DepGraph's default).
# Prune the converged baseline once to the MACs target, through the same
# search space, budget cut and exporter as PaS, then fine-tune the compact
# net for the 15 post-baseline epochs PaS spends on search + fine-tune.
_base_ = ['./pas_resnet18-w16_1xb64-15e_proxy-cls_flops-0.5x.py']

model = dict(criterion='tp-magnitude')
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=0,
         export_after_search=True)
]
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=15, T_max=15),
]
