# PaS on the proxy benchmark's image translation task (docs/benchmark.md):
# search the U-Net generator's widths of the converged proxy Pix2Pix at
# 25 % of its MACs for 100 iterations, then fine-tune the exported compact
# generator for 300; every method of the task gets the same 400
# post-baseline iterations at the baseline's constant lr.
#   python tools/train.py configs/image_translation/pix2pix/pas_pix2pix_unet-w32_1xb4-400iters_proxy-outline2glyph_flops-0.25x.py \
#       --cfg-options model.pretrained=work_dirs/pix2pix_unet-w32_1xb4-1500iters_proxy-outline2glyph/iter_1500.pth
# configs/benchmark/proxy_suite.py runs it with 3 seeds. The discriminator
# is not pruned (it is not part of the deployed model).
_base_ = ['./pix2pix_unet-w32_1xb4-1500iters_proxy-outline2glyph.py']
custom_imports = dict(imports=['pas_mm', 'pas_mm.models.editors'],
                      allow_failed_imports=False)

search_iters = 100
max_iters = 400
model = dict(
    type='pas_mm.PaSPix2Pix',
    budget=dict(target_ratio=0.25, weight=5.0, mode='two-sided'),
    input_shape=(1, 3, 128, 128),
    pretrained='work_dirs/pix2pix_unet-w32_1xb4-1500iters_proxy-outline2glyph/'
    'iter_1500.pth')

train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_iters=search_iters,
         export_after_search=True)
]
default_hooks = dict(checkpoint=dict(interval=max_iters))
