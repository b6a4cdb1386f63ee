# PaS on ImageNet-1k: ResNet-50 (4.11 GMACs at 224x224) searched down to
# ~2.0 GMACs (49 %), then fine-tuned, in one tools/train.py run:
#   bash tools/dist_train.sh configs/classification/resnet/pas_resnet50_8xb64_in1k_flops-2.0G.py 8
#   python tools/export.py THIS_CONFIG work_dirs/.../epoch_47.pth --out DIR
# Reproduces the original PaS ResNet-50 recipe: global batch 512 (8 x 64),
# search 9 epochs at lr 0.02 (SGD, momentum 0.9, wd 1e-4) with gates and
# weights trained together from mmpretrain's trained ResNet-50 (76.55 top-1),
# then frozen gates and a 38-epoch fine-tune at lr 0.256 with step decay.
# Budget: the original uses 5 * (GMACs - 2.0)^2; pas-mm's budget is on the
# MACs ratio, so the same penalty is weight 5 * 4.11^2 = 84.5.
# Expected (anchors at ~2 GMACs): GroupFisher (mmrazor) 75.22 / 75.61 at
# 2.06G (76.50 with KD), DMCP 76.5 at 2.2G, MetaPruning 75.4 at 2.0G; the
# PaS paper reports +0.3 to 2.7 top-1 over prior pruning at equal compute.
# Not yet run on ImageNet by pas-mm: these are targets, not our results.
# Wall time (an estimate, not measured on GPUs): a search epoch costs about
# a plain ResNet-50 epoch (gated / plain step time 1.01-1.02, CPU, 224^2,
# batch 8); a fine-tune epoch of the exported net about half of one
# (masked / compact 1.95-2.15 at 50 % MACs, CPU). The run is thus ~28
# plain-epoch equivalents instead of 47: ~1.4 h on 8 GPUs if a plain epoch
# takes 3 min there (an assumed ~7,000 img/s, not a measurement).
# tools/benchmark/gpu_check.sh measures the step times on one GPU.
_base_ = ['mmpretrain::resnet/resnet50_8xb32_in1k.py']
custom_imports = dict(imports=['pas_mm'], allow_failed_imports=False)

search_epochs = 9
finetune_epochs = 38
model = dict(
    _delete_=True,
    type='pas_mm.PaSAlgorithm',
    architecture=_base_.model,
    search_scope=None,
    budget=dict(target_ratio=2.0 / 4.11, weight=84.5, mode='two-sided'),
    input_shape=(1, 3, 224, 224),
    pretrained='https://download.openmmlab.com/mmclassification/v0/resnet/'
    'resnet50_8xb32_in1k_20210831-ea4938fc.pth')

train_dataloader = dict(batch_size=64)  # x 8 GPUs = 512
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.256, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'pas_gates': dict(decay_mult=0.0)}))
param_scheduler = [
    # search: 0.02 = 0.256 x 0.078125
    dict(type='ConstantLR', factor=0.078125, by_epoch=True, begin=0,
         end=search_epochs),
    # fine-tune: 0.256, x0.1 at epochs 12, 24, 33 of the fine-tune
    dict(type='MultiStepLR', by_epoch=True, begin=search_epochs,
         end=search_epochs + finetune_epochs, milestones=[12, 24, 33],
         gamma=0.1),
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
