# Transfer: the per-layer widths PaS searched for ResNet-50 on ImageNet
# (configs/classification/resnet/pas_resnet50_8xb64_in1k_flops-2.0G.py, exported
# with tools/export.py) applied to the backbone of mmdet's trained Mask
# R-CNN, then fine-tuned like the detection search (12 epochs, 1x schedule).
# Comparing it with pas_mask-rcnn_r50_fpn_8xb2-1x_coco_flops-0.5x.py at equal MACs is
# the cross-task question: do widths searched for classification serve
# detection as well as widths searched on detection itself?
#   bash tools/dist_train.sh THIS_CONFIG 8 \
#       --cfg-options model.transfer.width_spec=IN1K_EXPORT/width_spec.json
# - Groups are matched by name: the classifier's 'backbone.*' groups are the
#   detector's 'backbone.*' groups (same ResNet-50 module tree); any group
#   missing or with another channel count is an error naming it.
# - The FPN is not in the ImageNet spec and keeps all its channels, so the
#   backbone+neck MACs ratio is higher than the backbone's; pass the ratio
#   logged at start ('PaS transfer ... MACs ratio') as the detection
#   search's budget.target_ratio for an equal-MACs comparison.
# - channels='l1': the spec gives each group's kept count; the kept channels
#   are the detector's own strongest filters (L1 norm). The ImageNet spec's
#   channel indices refer to mmpretrain's ImageNet weights, which are not
#   the weights this detector was trained from.
_base_ = ['./pas_mask-rcnn_r50_fpn_8xb2-1x_coco_flops-0.5x.py']

model = dict(
    transfer=dict(
        width_spec='work_dirs/pas_resnet50_8xb64_in1k_flops-2.0G/compact/'
        'width_spec.json',
        channels='l1'))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=500),
    dict(type='MultiStepLR', by_epoch=True, begin=0, end=12,
         milestones=[8, 11], gamma=0.1),
]
# nothing to search: slice the detector to the transferred widths before
# the first step and fine-tune the compact network
custom_hooks = [dict(type='pas_mm.PaSSearchHook', search_epochs=0,
                     export_after_search=True)]
