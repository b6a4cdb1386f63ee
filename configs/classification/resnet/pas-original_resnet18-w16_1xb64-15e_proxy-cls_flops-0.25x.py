# pas-original: the original PaS rule on benchmark v2's classification
# task (docs/search_evidence.md, protocol A). One SGD moves gates and
# weights (lr 0.02, constant during the search, momentum 0.9, no
# Nesterov); the gates
# get weight decay 1e-4 (decay_mult 0.2 of the weights' 5e-4, which every
# v2 method trains with), start at 1.0, are never clamped and have no
# floor during the search; the budget weight is fixed; each gate is
# charged only its own layer's MACs, as the original code charges them.
# 339 search steps (3 epochs at batch 64, v2's search), then the v2
# fine-tune (12 epochs).
#   python tools/train.py configs/classification/resnet/pas-original_resnet18-w16_1xb64-15e_proxy-cls_flops-0.25x.py \
#       --cfg-options model.pretrained=work_dirs/resnet18-w16_1xb64-30e_proxy-cls/epoch_30.pth
_base_ = ['./pas_resnet18-w16_1xb64-15e_proxy-cls_flops-0.5x.py']

# alpha: the original's alpha = 5 (GMACs^2) makes ResNet-50's fastest gates
# cross 0.5 in about 40 steps; here, with the own-layer gradient of the
# unpruned net (max d ratio / d latent 0.0093, the stem stream group),
# lr 0.02 and momentum 0.9 (gain 10), alpha = 0.5 / (40 * 0.2 * 2 * 0.75 *
# 0.0093) = 4.5 does the same
model = dict(
    budget=dict(target_ratio=0.25, weight=4.5, mode='two-sided',
                attribution='own-layer'),
    min_ratio=0.0)
# plain momentum, as the original's SGD (v2's configs inherit Nesterov)
optim_wrapper = dict(
    optimizer=dict(nesterov=False),
    paramwise_cfg=dict(custom_keys={'pas_gates': dict(decay_mult=0.2)}))
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=_base_.search_epochs,
         export_after_search=True, gate_optimizer=dict(rule='original'))
]
