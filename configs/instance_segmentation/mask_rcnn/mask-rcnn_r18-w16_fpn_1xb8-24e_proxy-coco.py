# Plain (unpruned) Mask R-CNN on the proxy benchmark's instance segmentation
# data (docs/benchmark.md): 8 glyph categories on photos, 128x128, held-out
# fonts for val and test. It is the converged baseline that every method of
# the benchmark's instance_segmentation task starts from.
#   python tools/train.py configs/instance_segmentation/mask_rcnn/mask-rcnn_r18-w16_fpn_1xb8-24e_proxy-coco.py
# mmdet's Mask R-CNN FPN with its heads unchanged in kind, sized for a
# 2-core CPU:
# - backbone: mmdet's ResNet-18 at the classification task's widths (stem
#   and base 16: stages of 16/32/64/128 channels), so the classification
#   search's widths transfer group by group (the 'transfer' row); trained
#   from scratch (nothing is downloaded), so no frozen stages and
#   train-mode BN;
# - FPN and heads at 64 channels, a 256-d box head, fewer sampled RoIs;
# - AdamW with warm-up and a cosine schedule.
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    '../../_base_/datasets/proxy_coco_instance.py',
    'mmdet::_base_/default_runtime.py',
]

num_classes = 8
model = dict(
    backbone=dict(depth=18, stem_channels=16, base_channels=16,
                  frozen_stages=-1, norm_eval=False, init_cfg=None),
    neck=dict(in_channels=[16, 32, 64, 128], out_channels=64),
    rpn_head=dict(in_channels=64, feat_channels=64),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=64),
        bbox_head=dict(in_channels=64, fc_out_channels=256,
                       num_classes=num_classes),
        mask_roi_extractor=dict(out_channels=64),
        mask_head=dict(in_channels=64, conv_out_channels=64,
                       num_classes=num_classes)),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=1000, max_per_img=300),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=dict(nms_pre=500, max_per_img=300)))

train_dataloader = dict(batch_size=8)
max_epochs = 24
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=10, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         T_max=max_epochs)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=4)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=8)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=4, max_keep_ckpts=1))
randomness = dict(seed=0)
