# Benchmark v2 row 'tp-taylor' on RepVGG-mini: Torch-Pruning's
# GroupTaylorImportance (|w * dL/dw| on 8 training batches), the best tp
# criterion on ResNet-18-w16 at 25 % by val top-1 (protocol v2). Prune the
# converged baseline once to the MACs target (same space, cut and exporter
# as PaS), then fine-tune the merged compact net for the 15 post-baseline
# epochs.
_base_ = ['./pas_repvgg-mini_1xb64-15e_proxy-cls_flops-0.25x.py']

model = dict(criterion='tp-taylor')
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=0,
         export_after_search=True)
]
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=15, T_max=15),
]
