# PaS on ImageNet-1k: RepVGG-A0 (1.36 GMACs deployed) searched to ~50 % of
# its MACs, then fine-tuned; export merges every pruned block into one 3x3
# conv (tools/export.py, reparameterised by default):
#   bash tools/dist_train.sh configs/classification/repvgg/pas_repvgg-A0_8xb64_in1k_flops-0.5x.py 8
# Post-block gates: the identity branch maps channel c to c without tying
# the kept sets (decouple), so every layer gets its own width, and MACs are
# counted on the merged 3x3 convs (fold) -- pas_mm.core.compact.reparam.REP_BLOCK_SPACE.
# Budget: the original uses weight 0.1 on GMACs; on the MACs ratio that is
# 0.1 * 1.36^2 = 0.185. Starts from mmpretrain's RepVGG-A0 (72.41 top-1).
# Anchors: RepVGG-A0 72.41, A1 74.46, B0 75.14 (unpruned, mmpretrain); the
# PaS paper claims about +1.0 top-1 over RepVGG at similar speed.
# Not yet run on ImageNet by pas-mm: targets, not our results.
# Wall time (an estimate): search epochs cost about a plain epoch, the
# fine-tune epochs of the exported net about their MACs ratio of one (the
# ResNet-50 CPU step ratios: gated / plain 1.01-1.02, masked / compact
# 1.95-2.15 at 50 % MACs); tools/benchmark/gpu_check.sh measures them.
_base_ = ['mmpretrain::repvgg/repvgg-A0_8xb32_in1k.py']
custom_imports = dict(imports=['pas_mm'], allow_failed_imports=False)

search_epochs = 9
finetune_epochs = 38
model = dict(
    _delete_=True,
    type='pas_mm.PaSAlgorithm',
    architecture=_base_.model,
    search_scope=None,
    budget=dict(target_ratio=0.5, weight=0.185, mode='two-sided'),
    input_shape=(1, 3, 224, 224),
    decouple=['*branch_norm'],
    fold=['*branch_1x1.*', '*branch_norm', '*branch_3x3.norm'],
    pretrained='https://download.openmmlab.com/mmclassification/v0/repvgg/'
    'repvgg-A0_8xb32_in1k_20221213-60ae8e23.pth')

train_dataloader = dict(batch_size=64)  # x 8 GPUs = 512
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'pas_gates': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(type='ConstantLR', factor=0.1, by_epoch=True, begin=0,
         end=search_epochs),  # search at 0.02
    dict(type='CosineAnnealingLR', by_epoch=True, begin=search_epochs,
         end=search_epochs + finetune_epochs, T_max=finetune_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=search_epochs + finetune_epochs,
                 val_interval=1)
# the fine-tune trains the exported compact network (its MACs, not the
# full-size net's with masks); DDP is re-wrapped for it without
# find_unused_parameters
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=search_epochs,
         export_after_search=True),
    dict(type='pas_mm.ThroughputHook'),  # img/s in the log
]
auto_scale_lr = dict(base_batch_size=512)
