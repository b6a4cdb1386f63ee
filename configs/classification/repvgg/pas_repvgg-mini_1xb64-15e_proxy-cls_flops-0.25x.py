# PaS on benchmark v2's RepVGG-mini task (docs/benchmark.md, protocol v2):
# the model of pas_repvgg-mini_1xb64-4e_proxy-cls_flops-0.25x.py on v2's
# schedule: search 3 epochs, fine-tune the exported (merged) compact net
# 12, 15 post-baseline epochs after the 30-epoch baseline.
_base_ = ['./pas_repvgg-mini_1xb64-4e_proxy-cls_flops-0.25x.py']

search_epochs = 3
epochs = 15
param_scheduler = [
    dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0,
         end=search_epochs),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=search_epochs,
         end=epochs, T_max=epochs - search_epochs),
]
train_cfg = dict(by_epoch=True, max_epochs=epochs, val_interval=1)
# v1's 3.4 latent units of gate travel over the 339 search steps
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=search_epochs,
         export_after_search=True, gate_optimizer=dict(lr=0.01))
]
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=5,
                                     max_keep_ckpts=1))
