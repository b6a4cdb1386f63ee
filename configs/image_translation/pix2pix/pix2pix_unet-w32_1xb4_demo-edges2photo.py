# Plain (unpruned) Pix2Pix baseline on the demo edges -> photo pairs
# (128x128). It is the trained reference that the PaS translation configs
# start from.
#   python tools/train.py configs/image_translation/pix2pix/pix2pix_unet-w32_1xb4_demo-edges2photo.py
# mmagic's Pix2Pix (UNet generator with skip concatenations and transposed
# convs, PatchGAN discriminator, GAN + 100 x L1 loss), reduced for a CPU run
# of a few minutes: 128x128 input (num_down=7 instead of 8 for 256x256) and
# base width 32 instead of 64. Metrics: PSNR / SSIM / MAE on the test split.
_base_ = [
    'mmagic::_base_/models/base_pix2pix.py',
    'mmagic::_base_/gen_default_runtime.py',
    '../../_base_/datasets/demo_paired_edges2photo.py',
]

source_domain = 'edges'
target_domain = 'photo'
model = dict(
    generator=dict(num_down=7, base_channels=32),
    discriminator=dict(base_channels=32),
    default_domain='photo',
    reachable_domains=['photo'],
    related_domains=['photo', 'edges'],
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

max_iters = 480
train_cfg = dict(by_epoch=False, max_iters=max_iters, val_begin=1,
                 val_interval=max_iters)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=40, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', interval=max_iters,
                    by_epoch=False, max_keep_ckpts=1, save_optimizer=True,
                    less_keys=['MAE'], greater_keys=['PSNR', 'SSIM']))
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='nccl'))
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)
