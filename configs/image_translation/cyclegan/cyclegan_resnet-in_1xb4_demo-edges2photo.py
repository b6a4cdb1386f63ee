# Plain CycleGAN baseline on the demo edges <-> photo data (128x128): the
# trained reference for pas_cyclegan_resnet-in_1xb4_demo-edges2photo_flops-0.25x.py.
#   python tools/train.py configs/image_translation/cyclegan/cyclegan_resnet-in_1xb4_demo-edges2photo.py
# mmagic's CycleGAN (two ResNet generators with reflection pads and
# instance norm, two PatchGAN discriminators, LSGAN + cycle + identity
# losses), reduced for a CPU run: base width 16 and 3 residual blocks. The
# demo pairs are used as two unpaired domains (CycleGAN never reads the
# pairing). Metrics: PSNR / SSIM / MAE of edges -> photo on the test split.
_base_ = [
    'mmagic::_base_/models/base_cyclegan.py',
    'mmagic::_base_/gen_default_runtime.py',
    '../../_base_/datasets/demo_paired_edges2photo.py',
]

model = dict(
    generator=dict(base_channels=16, num_blocks=3),
    discriminator=dict(base_channels=16),
    loss_config=dict(cycle_loss_weight=10., id_loss_weight=0.5),
    default_domain='photo',
    reachable_domains=['edges', 'photo'],
    related_domains=['edges', 'photo'],
    data_preprocessor=dict(data_keys=['img_edges', 'img_photo']))

optim_wrapper = dict(
    generators=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))),
    discriminators=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))))

val_evaluator = dict(type='Evaluator', metrics=_base_.pixel_metrics)
test_evaluator = val_evaluator

max_iters = 240
train_cfg = dict(by_epoch=False, max_iters=max_iters, val_begin=1,
                 val_interval=max_iters)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=40, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', interval=max_iters,
                    by_epoch=False, max_keep_ckpts=1, save_optimizer=True))
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='nccl'))
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)
