# Baseline for comparison with PaS on the classification demo: prune the
# trained resnet18-w16_demo once by the 'l1' criterion to the same 50 %
# MACs target, through the same search space, budget projection and exporter
# (pas_mm.core.criteria.prune), then fine-tune for the same 9 epochs PaS uses in
# all (search + fine-tune). Export and test exactly as for PaS.
_base_ = ['./pas_resnet18-w16_1xb64_demo-cls_flops-0.5x.py']

model = dict(criterion='l1')
custom_hooks = [dict(type='pas_mm.PaSSearchHook', search_epochs=0)]
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=9, T_max=9),
]
