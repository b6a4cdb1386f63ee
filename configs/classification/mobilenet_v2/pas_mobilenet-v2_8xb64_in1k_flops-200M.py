# PaS on ImageNet-1k: MobileNetV2 1.0x (300 MMACs) searched to ~200 MMACs,
# then fine-tuned:
#   bash tools/dist_train.sh configs/classification/mobilenet_v2/pas_mobilenet-v2_8xb64_in1k_flops-200M.py 8
# Depth-wise convs tie their input and output channels (one gate per
# inverted-residual hidden width); residual outputs share a gate per stage.
# The original PaS has no MobileNetV2 recipe: budget weight 5 on the MACs
# ratio, search 9 epochs at lr 0.02, fine-tune 38 epochs (cosine from
# 0.09, wd 4e-5 as mmpretrain's recipe), from mmpretrain's MobileNetV2
# (71.86 top-1).
# Anchors at ~200-220 MMACs: 70.8-71.6 top-1 (AMC, MetaPruning, GroupFisher).
# Not yet run on ImageNet by pas-mm: targets, not our results.
# Wall time (an estimate): search epochs cost about a plain epoch, the
# fine-tune epochs of the exported net about their MACs ratio (0.67) of
# one; depth-wise nets are often memory-bound on GPUs, so measure with
# tools/benchmark/gpu_check.sh.
_base_ = ['mmpretrain::mobilenet_v2/mobilenet-v2_8xb32_in1k.py']
custom_imports = dict(imports=['pas_mm'], allow_failed_imports=False)

search_epochs = 9
finetune_epochs = 38
model = dict(
    _delete_=True,
    type='pas_mm.PaSAlgorithm',
    architecture=_base_.model,
    search_scope=None,
    budget=dict(target_ratio=200 / 300.8, weight=5.0, mode='two-sided'),
    input_shape=(1, 3, 224, 224),
    pretrained='https://download.openmmlab.com/mmclassification/v0/'
    'mobilenet_v2/mobilenet_v2_batch256_imagenet_20200708-3b2dc3af.pth')

train_dataloader = dict(batch_size=64)  # x 8 GPUs = 512
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.09, momentum=0.9, weight_decay=4e-5),
    paramwise_cfg=dict(custom_keys={'pas_gates': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(type='ConstantLR', factor=0.02 / 0.09, by_epoch=True, begin=0,
         end=search_epochs),
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
