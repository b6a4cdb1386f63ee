# pas-own-layer: PaS's descent rule with the original's own-layer cost attribution (a gate is charged only the layers that produce its channels).
# A candidate of docs/search_evidence.md, protocol B: benchmark v2's
# schedule (search 3 epochs, fine-tune the exported net 12), judged on val.
_base_ = ['./pas_repvgg-mini_1xb64-15e_proxy-cls_flops-0.25x.py']

model = dict(budget=dict(attribution='own-layer'))
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=_base_.search_epochs,
         export_after_search=True, gate_optimizer=dict(lr=0.01))
]
