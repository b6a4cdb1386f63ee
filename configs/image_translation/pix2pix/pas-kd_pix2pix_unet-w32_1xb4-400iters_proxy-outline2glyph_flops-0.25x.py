# PaS + output distillation on the proxy benchmark's image translation
# task (as GAN Compression distils its generators): the PaS config, with
# the fine-tune adding the L1 distance between the compact generator's
# image and the unpruned baseline generator's.
_base_ = ['./pas_pix2pix_unet-w32_1xb4-400iters_proxy-outline2glyph_flops-0.25x.py']

model = dict(distill=dict(module='glyph', loss='l1', weight=1.0))
