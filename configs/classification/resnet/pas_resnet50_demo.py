# PaS on the ResNet-50 classification demo: search at 50 % of the
# classifier's MACs (epochs 1-2), then fine-tune (epochs 3-6). Its exported
# width spec is what the cross-task transfer config applies to the Mask
# R-CNN backbone (configs/instance_segmentation/mask_rcnn/
# mask-rcnn_r50-cls-widths_fpn_demo.py).
#   python tools/train.py THIS_CONFIG \
#       --cfg-options model.pretrained=work_dirs/resnet50_demo/epoch_8.pth
#   python tools/export.py THIS_CONFIG work_dirs/pas_resnet50_demo/epoch_6.pth --out DIR
_base_ = ['./pas_resnet18-w16_demo.py']

search_epochs = 2
model = dict(
    architecture=dict(
        backbone=dict(
            _delete_=True,
            type='ResNet',
            depth=50,
            num_stages=4,
            out_indices=(3, ),
            style='pytorch'),
        head=dict(in_channels=2048)),
    pretrained='work_dirs/resnet50_demo/epoch_8.pth')
# ResNet-50 has ~10x the gated channels of the ResNet-18-w16 demo, so each
# latent's share of the MACs (and of the budget gradient) is ~10x smaller.
# With the ResNet-18 gate lr (lr_mult 10) the latents drift by < 0.1 in the
# 46 search iterations, no channel ever switches off, and the end-of-search
# projection alone picks the widths, by per-channel MACs only: stem, layer1
# and layer2 cut to 1-3 %, top-1 86 %. At lr_mult 100 the MACs ratio
# crosses the target during the search, so switched-off channels get the
# task loss's straight-through gradient back (the PaS feedback), the
# projection only trims 0.018 of ratio, and the fine-tuned top-1 is ~98 %.
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'pas_gates': dict(lr_mult=100.0)}))
param_scheduler = [
    dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0,
         end=search_epochs),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=search_epochs,
         end=6, T_max=6 - search_epochs),
]
train_cfg = dict(by_epoch=True, max_epochs=6, val_interval=2)
custom_hooks = [dict(type='pas_mm.PaSSearchHook', search_epochs=search_epochs)]
default_hooks = dict(checkpoint=dict(interval=2, max_keep_ckpts=1))
