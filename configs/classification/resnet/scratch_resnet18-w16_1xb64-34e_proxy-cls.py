# Benchmark row 'scratch': the widths a PaS run found, trained from random
# init for the baseline's 30 epochs plus the 4 post-baseline epochs, on the
# baseline's schedule. It asks whether PaS's gain is in the widths or in the
# inherited weights. The width spec comes from the PaS run:
#   python tools/train.py configs/classification/resnet/scratch_resnet18-w16_1xb64-34e_proxy-cls.py \
#       --cfg-options model.transfer.width_spec=PAS_WORK_DIR/compact/width_spec.json
_base_ = ['./resnet18-w16_1xb64-30e_proxy-cls.py']
custom_imports = dict(imports=['pas_mm'], allow_failed_imports=False)

epochs = 34
model = dict(
    _delete_=True,
    type='pas_mm.PaSAlgorithm',
    architecture=_base_.model,
    search_scope=None,
    input_shape=(1, 3, 32, 32),
    transfer=dict(width_spec='PAS_WORK_DIR/compact/width_spec.json'))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=epochs,
         T_max=epochs - 1),
]
train_cfg = dict(by_epoch=True, max_epochs=epochs, val_interval=2)
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=0,
         export_after_search=True)
]
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=epochs,
                                     max_keep_ckpts=1))
