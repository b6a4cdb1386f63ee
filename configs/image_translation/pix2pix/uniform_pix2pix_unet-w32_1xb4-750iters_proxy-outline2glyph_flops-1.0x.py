# Benchmark v2 row 'baseline+' on Pix2Pix: the unpruned Pix2Pix trained on for
# the same 750 iterations (a "prune" to 100 % keeps every channel), the
# ceiling. Prune the converged
# generator once to the MACs target (same space, cut and exporter as PaS),
# then train on for the 750 post-baseline iterations.
_base_ = ['./pas_pix2pix_unet-w32_1xb4-750iters_proxy-outline2glyph_flops-0.25x.py']

model = dict(criterion='uniform', budget=dict(target_ratio=1.0))
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_iters=0,
         export_after_search=True)
]
