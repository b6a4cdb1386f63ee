# pas-original-2.7k: the original PaS rule
# (pas-original_resnet18-w16_1xb64-15e_proxy-cls_flops-0.25x.py) searching
# 2,712 steps: its 3 search epochs at batch 8 (904 steps an epoch, the same
# samples as v2's 339 steps at batch 64), then v2's 12 fine-tune epochs at
# batch 64 from the searched, exported net. Benchmark v3's row
# 'pas-original-2.7k' (docs/benchmark.md): the largest of protocol A's
# step counts (docs/search_evidence.md) that fits the equal-sample budget.
#   python tools/train.py configs/classification/resnet/pas-original_resnet18-w16_1xb64-15e-b8-search_proxy-cls_flops-0.25x.py \
#       --cfg-options model.pretrained=work_dirs/resnet18-w16_1xb64-30e_proxy-cls/epoch_30.pth
_base_ = ['./pas-original_resnet18-w16_1xb64-15e_proxy-cls_flops-0.25x.py']

custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=_base_.search_epochs,
         search_batch_size=8, export_after_search=True,
         gate_optimizer=dict(rule='original'))
]
