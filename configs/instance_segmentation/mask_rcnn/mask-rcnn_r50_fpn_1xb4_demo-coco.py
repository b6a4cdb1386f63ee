# Plain (unpruned) Mask R-CNN R-50-FPN baseline on the demo COCO-format data
# (2 classes, 128x128 images). It is the trained reference that the PaS
# instance-segmentation configs start from.
#   python tools/train.py configs/instance_segmentation/mask_rcnn/mask-rcnn_r50_fpn_1xb4_demo-coco.py
# The architecture is mmdet's mask-rcnn_r50_fpn_1x_coco unchanged (ResNet-50,
# FPN 256, RPN, Shared2FC bbox head, FCN mask head). Differences, all for a
# CPU run of a few minutes without downloads:
# - no ImageNet-pretrained backbone (nothing may be downloaded), so the
#   backbone trains from scratch: frozen_stages=-1 and norm_eval=False
#   (frozen, eval-mode BN only make sense on pretrained weights);
# - 128x128 input, fewer sampled RoIs/proposals, AdamW with warm-up.
# (mmdet's mask-rcnn_r50_fpn_1x_coco.py is exactly these bases with the
# COCO dataset; the demo dataset takes its place.)
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    '../../_base_/datasets/demo_coco_instance.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
]

model = dict(
    backbone=dict(frozen_stages=-1, norm_eval=False, init_cfg=None),
    roi_head=dict(
        bbox_head=dict(num_classes=2),
        mask_head=dict(num_classes=2)),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=1000, max_per_img=300),
        rcnn=dict(sampler=dict(num=32))),
    test_cfg=dict(rpn=dict(nms_pre=500, max_per_img=300)))

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
