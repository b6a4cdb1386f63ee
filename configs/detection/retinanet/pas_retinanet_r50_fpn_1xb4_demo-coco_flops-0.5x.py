# PaS on the RetinaNet demo: search the ResNet-50 backbone and FPN of the
# trained demo RetinaNet at 50 % of their MACs (epoch 1), then fine-tune
# (epochs 2-3), with the default PaS settings:
#   python tools/train.py THIS_CONFIG \
#       --cfg-options model.pretrained=work_dirs/retinanet_r50_fpn_1xb4_demo-coco/epoch_4.pth
# The FPN outputs feed the shared RetinaNet head and keep their width.
_base_ = ['./retinanet_r50_fpn_1xb4_demo-coco.py']
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
    pretrained='work_dirs/retinanet_r50_fpn_1xb4_demo-coco/epoch_4.pth')

optim_wrapper = dict(optimizer=dict(lr=2e-4))
param_scheduler = [
    dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0,
         end=search_epochs),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=search_epochs,
         end=max_epochs, T_max=max_epochs - search_epochs),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
custom_hooks = [dict(type='pas_mm.PaSSearchHook', search_epochs=search_epochs,
                     export_after_search=True)]
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=1))
