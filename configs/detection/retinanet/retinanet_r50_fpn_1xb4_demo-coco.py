# Plain RetinaNet R-50-FPN baseline on the demo COCO-format data (2 classes,
# 128x128, boxes only; the masks of the instance data are ignored). The
# trained reference for pas_retinanet_r50_fpn_1xb4_demo-coco_flops-0.5x.py.
#   python tools/train.py configs/detection/retinanet/retinanet_r50_fpn_1xb4_demo-coco.py
# As for the Mask R-CNN demo: no download, so the backbone trains from
# scratch (frozen_stages=-1, norm_eval=False), AdamW with warm-up.
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py',
    '../../_base_/datasets/demo_coco_instance.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
]

model = dict(
    backbone=dict(frozen_stages=-1, norm_eval=False, init_cfg=None),
    bbox_head=dict(num_classes=2))
val_evaluator = dict(metric='bbox')
test_evaluator = val_evaluator

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=4e-4, weight_decay=0.05),
    clip_grad=dict(max_norm=10, norm_type=2))
max_epochs = 4
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=60),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         T_max=max_epochs)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=max_epochs)
auto_scale_lr = dict(enable=False, base_batch_size=4)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=max_epochs,
                    max_keep_ckpts=1))
randomness = dict(seed=0)
