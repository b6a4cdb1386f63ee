# PaS on benchmark v2's Pix2Pix task (docs/benchmark.md, protocol v2): the
# model of pas_pix2pix_unet-w32_1xb4-400iters_proxy-outline2glyph_flops-
# 0.25x.py on v2's schedule: 750 post-baseline iterations after the
# 1500-iteration baseline (half of it), 150 of them searching (0.19 x 750
# = 143, rounded), then 600 fine-tuning the exported generator. The
# default gate lr (1.5 / search steps) scales by itself.
_base_ = ['./pas_pix2pix_unet-w32_1xb4-400iters_proxy-outline2glyph_flops-0.25x.py']

search_iters = 150
max_iters = 750
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_iters=search_iters,
         export_after_search=True)
]
default_hooks = dict(checkpoint=dict(interval=250))
