# l1 pruning on the proxy benchmark's image translation task: the
# converged proxy Pix2Pix generator pruned once by the 'l1' criterion to
# 25 % of its MACs, then fine-tuned for the same 400 post-baseline
# iterations as PaS's search + fine-tune.
_base_ = ['./pas_pix2pix_unet-w32_1xb4-400iters_proxy-outline2glyph_flops-0.25x.py']

model = dict(criterion='l1')
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_iters=0,
         export_after_search=True)
]
