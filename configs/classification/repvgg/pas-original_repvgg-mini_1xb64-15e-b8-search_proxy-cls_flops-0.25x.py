# pas-original-2.7k on RepVGG-mini: the original PaS rule
# (pas-original_repvgg-mini_1xb64-15e_proxy-cls_flops-0.25x.py) searching
# 2,712 steps, its 3 search epochs at batch 8 (the same samples as 339
# steps at batch 64), then v2's 12 fine-tune epochs at batch 64 of the
# merged net. Benchmark v3's row 'pas-original-2.7k' (docs/benchmark.md).
_base_ = ['./pas-original_repvgg-mini_1xb64-15e_proxy-cls_flops-0.25x.py']

custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=_base_.search_epochs,
         search_batch_size=8, export_after_search=True,
         gate_optimizer=dict(rule='original'))
]
