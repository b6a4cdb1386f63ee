# pas-original on benchmark v2's RepVGG-mini task (docs/search_evidence.md):
# the original PaS rule as in
# configs/classification/resnet/pas-original_resnet18-w16_1xb64-15e_proxy-cls_flops-0.25x.py
# (one SGD for gates and weights, lr 0.02 constant during the search,
# momentum 0.9 without Nesterov, weight decay 1e-4 on the gates, no clamp
# or floor, fixed alpha, own-layer cost), 339 search steps, then the v2
# fine-tune of the merged net.
_base_ = ['./pas_repvgg-mini_1xb64-15e_proxy-cls_flops-0.25x.py']

# alpha as for ResNet-18-w16: the fastest gate crosses 0.5 in 40 steps
# (max own-layer d ratio / d latent 0.0120, stage_1.0's group: 0.5 / (40 *
# 0.2 * 2 * 0.75 * 0.0120) = 3.5)
model = dict(
    budget=dict(target_ratio=0.25, weight=3.5, mode='two-sided',
                attribution='own-layer'),
    min_ratio=0.0)
optim_wrapper = dict(
    optimizer=dict(nesterov=False),
    paramwise_cfg=dict(custom_keys={'pas_gates': dict(decay_mult=0.2)}))
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=_base_.search_epochs,
         export_after_search=True, gate_optimizer=dict(rule='original'))
]
