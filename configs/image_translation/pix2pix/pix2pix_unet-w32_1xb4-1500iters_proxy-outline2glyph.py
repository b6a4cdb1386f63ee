# Plain (unpruned) Pix2Pix on the proxy benchmark's image translation data
# (docs/benchmark.md): glyph outlines -> glyphs painted with a per-letter
# colour and stripe direction, 128x128, held-out fonts for val and test.
# It is the converged baseline that every method of the benchmark's
# image_translation task starts from.
#   python tools/train.py configs/image_translation/pix2pix/pix2pix_unet-w32_1xb4-1500iters_proxy-outline2glyph.py
# mmagic's Pix2Pix (U-Net generator, PatchGAN discriminator, GAN + L1 loss)
# at base width 32 and 7 downsamplings for 128x128 inputs, trained from
# scratch with Adam at 2e-4.
_base_ = [
    'mmagic::_base_/models/base_pix2pix.py',
    'mmagic::_base_/gen_default_runtime.py',
    '../../_base_/datasets/proxy_paired_outline2glyph.py',
]

source_domain = 'outline'
target_domain = 'glyph'
model = dict(
    generator=dict(num_down=7, base_channels=32),
    discriminator=dict(base_channels=32),
    default_domain='glyph',
    reachable_domains=['glyph'],
    related_domains=['glyph', 'outline'],
    data_preprocessor=dict(data_keys=['img_outline', 'img_glyph']))

optim_wrapper = dict(
    generators=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))),
    discriminators=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))))

val_evaluator = dict(type='Evaluator', metrics=_base_.pixel_metrics)
test_evaluator = val_evaluator

max_iters = 1500
train_cfg = dict(by_epoch=False, max_iters=max_iters, val_begin=1,
                 val_interval=250)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=100, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', interval=max_iters,
                    by_epoch=False, max_keep_ckpts=1, save_optimizer=True,
                    less_keys=['MAE'], greater_keys=['PSNR', 'SSIM']))
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='nccl'))
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)
