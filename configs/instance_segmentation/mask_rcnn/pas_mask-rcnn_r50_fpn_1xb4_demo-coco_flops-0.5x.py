# PaS on the instance-segmentation demo: search the widths of the ResNet-50
# backbone and the FPN of the trained demo Mask R-CNN at 50 % of their MACs,
# then fine-tune with frozen gates, in one tools/train.py run:
#   python tools/train.py configs/instance_segmentation/mask_rcnn/mask-rcnn_r50_fpn_1xb4_demo-coco.py
#   python tools/train.py THIS_CONFIG \
#       --cfg-options model.pretrained=work_dirs/mask-rcnn_r50_fpn_1xb4_demo-coco/epoch_4.pth
#   python tools/export.py THIS_CONFIG work_dirs/pas_mask-rcnn_r50_fpn_1xb4_demo-coco_flops-0.5x/epoch_3.pth \
#       --out work_dirs/pas_mask-rcnn_r50_fpn_1xb4_demo-coco_flops-0.5x/compact
#   python tools/test.py work_dirs/.../compact/config.py work_dirs/.../compact/compact.pth
# Epoch 1 searches, epochs 2-3 fine-tune.
# - Scope: backbone + neck. The RPN and RoI heads read the FPN outputs and
#   stay unpruned, so the five 256-channel FPN levels keep their width; the
#   FPN's inner (lateral / top-down) channels and every backbone group are
#   searched. The budget is on backbone+neck MACs (the trace runs
#   extract_feat at the demo's 128x128).
# - The demo baseline trains from scratch, so nothing is frozen
#   (frozen_stages=-1) and every layer is searched; see the COCO config for
#   frozen_stages=1 / norm_eval=True.
# - The weights train with mmdet's AdamW; the gate latents are moved by
#   PaS's own scale-free rule (PaSSearchHook's gate_optimizer), so no gate
#   lr_mult is needed for the 60 search iterations.
_base_ = ['./mask-rcnn_r50_fpn_1xb4_demo-coco.py']
custom_imports = dict(imports=['pas_mm'], allow_failed_imports=False)

search_epochs = 1
max_epochs = 3
model = dict(
    _delete_=True,
    type='pas_mm.PaSAlgorithm',
    architecture=_base_.model,
    search_scope=['backbone', 'neck'],
    trace_mode='extract_feat',
    budget=dict(target_ratio=0.5, weight=5.0, mode='two-sided'),
    input_shape=(1, 3, 128, 128),
    pretrained='work_dirs/mask-rcnn_r50_fpn_1xb4_demo-coco/epoch_4.pth')

optim_wrapper = dict(optimizer=dict(lr=2e-4))
param_scheduler = [
    dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0,
         end=search_epochs),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=search_epochs,
         end=max_epochs, T_max=max_epochs - search_epochs),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
custom_hooks = [dict(type='pas_mm.PaSSearchHook', search_epochs=search_epochs)]
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=1))
# no find_unused_parameters: PaSSearchHook re-wraps DDP when the search
# ends, so the frozen gates are not in the fine-tune's DDP
