# As pas_pix2pix_vanilla-unet-bn_1xb4-80kiters_facades_flops-0.25x.py, at 10 % of
# the generator's MACs.
_base_ = ['./pas_pix2pix_vanilla-unet-bn_1xb4-80kiters_facades_flops-0.25x.py']
model = dict(budget=dict(target_ratio=0.1))
