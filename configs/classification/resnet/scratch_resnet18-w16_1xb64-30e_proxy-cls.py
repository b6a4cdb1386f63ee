# Benchmark v2's widths-only table: the widths one method's run exported,
# trained from random init for the baseline's full 30-epoch schedule (the
# baseline's recipe), inheriting no weights. It compares architectures,
# as the original PaS compares its searched family. The width spec comes
# from that run:
#   python tools/train.py configs/classification/resnet/scratch_resnet18-w16_1xb64-30e_proxy-cls.py \
#       --cfg-options model.transfer.width_spec=RUN_WORK_DIR/compact/width_spec.json
_base_ = ['./scratch_resnet18-w16_1xb64-34e_proxy-cls.py']

epochs = 30
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=epochs,
         T_max=epochs - 1),
]
train_cfg = dict(by_epoch=True, max_epochs=epochs, val_interval=2)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=5,
                                     max_keep_ckpts=1))
