# pas-fisher-flat: PaS's descent rule with every channel pushed alike by the budget ('flat') and held back by its task gradient's running mean square (the empirical Fisher, 'fisher'): the task orders the cut, the cost only sets how far it goes.
# A candidate of docs/search_evidence.md, protocol D: benchmark v2's
# schedule (search 3 epochs, fine-tune the exported net 12), judged on val.
_base_ = ['./pas_resnet18-w16_1xb64-15e_proxy-cls_flops-0.5x.py']

model = dict(budget=dict(attribution='flat'))
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=_base_.search_epochs,
         export_after_search=True,
         gate_optimizer=dict(lr=0.01, task_signal='fisher'))
]
