# pas-evidence-rms-mac: PaS's descent rule, the widths cut by the task gradient's root mean square over the search per unit of marginal cost (the greedy order of a knapsack).
# A candidate of docs/search_evidence.md, protocol C: benchmark v2's
# schedule (search 3 epochs, fine-tune the exported net 12), judged on val.
_base_ = ['./pas_resnet18-w16_1xb64-15e_proxy-cls_flops-0.5x.py']

custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=_base_.search_epochs,
         export_after_search=True, gate_optimizer=dict(lr=0.01),
         cut='evidence-rms-per-mac')
]
