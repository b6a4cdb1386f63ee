# The 'uniform' criterion on the proxy benchmark's RepVGG family: prune the
# converged repvgg-mini once to the MACs target through the same search
# space, cut and exporter as PaS, then fine-tune for the same 4 epochs.
_base_ = ['./pas_repvgg-mini_1xb64-4e_proxy-cls_flops-0.25x.py']

model = dict(criterion='uniform')
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=0,
         export_after_search=True)
]
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=4, T_max=4),
]
