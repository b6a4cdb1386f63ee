# PaS on COCO: search the widths of the ResNet-50 backbone and the FPN of
# mmdet's trained Mask R-CNN (box AP 38.2, mask AP 34.7) at 50 % of their
# MACs, then fine-tune, in one tools/train.py run (12 epochs in all):
#   bash tools/dist_train.sh configs/instance_segmentation/mask_rcnn/pas_mask-rcnn_r50_fpn_8xb2-1x_coco_flops-0.5x.py 8
#   python tools/export.py THIS_CONFIG work_dirs/.../epoch_12.pth --out DIR
# Wall time (an estimate): the 2 search epochs cost about plain epochs; in
# the 10 fine-tune epochs only backbone + neck shrink (about half of the
# detector's MACs at 800x1344), so expect each to cost ~0.7 of a plain one.
# tools/benchmark/gpu_check.sh measures 30 iterations on one GPU.
# Not yet run on COCO by pas-mm: the recipe below is a reasoned starting
# point, not a reproduced result.
# - Scope: backbone + neck (the RPN and RoI heads read the five 256-channel
#   FPN levels, which therefore keep their width; the FPN's inner lateral /
#   top-down channels and every backbone group are searched). The budget is
#   on backbone+neck MACs at 800x1344 (the trace runs extract_feat):
#   88.06 + 60.92 GMACs by mmengine.analysis, so the target is ~74.5.
# - Search: epochs 1-2 at lr 0.002 (a tenth of the 1x schedule's 0.02: the
#   weights start converged, as in the original PaS search at 0.02 against
#   a 0.256 fine-tune). The gates are moved by PaS's scale-free rule
#   (PaSSearchHook's gate_optimizer; no gate lr_mult), starting from budget
#   weight 84.5, the ImageNet ResNet-50 recipe's penalty, which it adapts.
# - Fine-tune: epochs 3-12 at lr 0.02, x0.1 at epochs 8 and 11 (the 1x
#   schedule's steps), gates frozen.
# - frozen_stages=1 and norm_eval=True are kept from the recipe: the stem
#   and layer1 weights stay fixed and BN statistics stay frozen (2 images
#   per GPU are too few for batch statistics). Their channels are still
#   searched: gate latents are separate parameters that receive gradients
#   through frozen weights, and stem + layer1 are 19 % of the backbone's
#   MACs at 800x1344, which would otherwise have to come out of the other
#   stages.
#   Add exclude=['backbone.conv1', 'backbone.layer1'] to keep them whole.
_base_ = ['mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py']
custom_imports = dict(imports=['pas_mm'], allow_failed_imports=False)

search_epochs = 2
max_epochs = 12
architecture = _base_.model
# the whole detector comes from the trained checkpoint below, so the
# backbone's ImageNet init_cfg (a download) is not needed
architecture.backbone.init_cfg = None
model = dict(
    _delete_=True,
    type='pas_mm.PaSAlgorithm',
    architecture=architecture,
    search_scope=['backbone', 'neck'],
    trace_mode='extract_feat',
    budget=dict(target_ratio=0.5, weight=84.5, mode='two-sided'),
    input_shape=(1, 3, 800, 1344),
    pretrained='https://download.openmmlab.com/mmdetection/v2.0/mask_rcnn/'
    'mask_rcnn_r50_fpn_1x_coco/mask_rcnn_r50_fpn_1x_coco_20200205-d4b0c5d6.pth')

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=500),
    # search at 0.1 x 0.02
    dict(type='ConstantLR', factor=0.1, by_epoch=True, begin=0,
         end=search_epochs),
    dict(type='MultiStepLR', by_epoch=True, begin=search_epochs,
         end=max_epochs, milestones=[6, 9], gamma=0.1),  # epochs 8, 11
]
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
# the fine-tune trains the exported compact network (its MACs, not the
# full-size net's with masks); DDP is re-wrapped for it without
# find_unused_parameters
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=search_epochs,
         export_after_search=True),
    dict(type='pas_mm.ThroughputHook'),  # img/s in the log
]
