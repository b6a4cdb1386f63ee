# l1 pruning on the proxy benchmark's instance segmentation task: the
# converged proxy Mask R-CNN pruned once by the 'l1' criterion to 50 % of
# the backbone + FPN MACs (the PaS config's scope), then fine-tuned for the
# same 4 post-baseline epochs on one cosine schedule.
_base_ = ['./pas_mask-rcnn_r18-w16_fpn_1xb8-4e_proxy-coco_flops-0.5x.py']

model = dict(criterion='l1')
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=4, T_max=4),
]
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=0,
         export_after_search=True)
]
