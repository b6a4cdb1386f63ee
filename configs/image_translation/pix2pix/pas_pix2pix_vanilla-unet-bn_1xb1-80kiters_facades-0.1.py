# As pas_pix2pix_vanilla-unet-bn_1xb1-80kiters_facades-0.25.py, at 10 % of
# the generator's MACs.
_base_ = ['./pas_pix2pix_vanilla-unet-bn_1xb1-80kiters_facades-0.25.py']
model = dict(budget=dict(target_ratio=0.1))
