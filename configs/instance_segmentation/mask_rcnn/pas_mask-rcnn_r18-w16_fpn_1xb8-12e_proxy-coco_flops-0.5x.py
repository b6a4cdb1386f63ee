# PaS on benchmark v2's Mask R-CNN task (docs/benchmark.md, protocol v2):
# the model of pas_mask-rcnn_r18-w16_fpn_1xb8-4e_proxy-coco_flops-0.5x.py
# on v2's schedule: 12 post-baseline epochs after the 24-epoch baseline
# (half of it), the search 2 of them (0.19 x 12 = 2.3, rounded), then a
# 10-epoch fine-tune of the exported compact detector. The default gate
# lr (1.5 / search steps) scales with the longer search by itself.
_base_ = ['./pas_mask-rcnn_r18-w16_fpn_1xb8-4e_proxy-coco_flops-0.5x.py']

search_epochs = 2
max_epochs = 12
param_scheduler = [
    dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0,
         end=search_epochs),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=search_epochs,
         end=max_epochs, T_max=max_epochs - search_epochs),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=search_epochs,
         export_after_search=True)
]
default_hooks = dict(checkpoint=dict(interval=4, max_keep_ckpts=1))
