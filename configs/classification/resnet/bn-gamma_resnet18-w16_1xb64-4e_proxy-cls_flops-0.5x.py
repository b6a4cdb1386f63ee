# The 'bn-gamma' pruning criterion on the proxy benchmark's classification task:
# prune the converged baseline once to the MACs target, through the same
# search space, budget cut and exporter as PaS, then fine-tune the compact
# net for the same 4 post-baseline epochs PaS spends on search + fine-tune.
_base_ = ['./pas_resnet18-w16_1xb64-4e_proxy-cls_flops-0.5x.py']

model = dict(criterion='bn-gamma')
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=0,
         export_after_search=True)
]
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=4, T_max=4),
]
