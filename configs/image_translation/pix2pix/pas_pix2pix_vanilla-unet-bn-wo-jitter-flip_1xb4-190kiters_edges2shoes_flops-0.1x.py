# As pas_pix2pix_vanilla-unet-bn-wo-jitter-flip_1xb4-190kiters_edges2shoes_flops-0.25x.py,
# at 10 % of the generator's MACs (GAN Compression reached 8.5 %).
_base_ = [
    './pas_pix2pix_vanilla-unet-bn-wo-jitter-flip_1xb4-190kiters_'
    'edges2shoes_flops-0.25x.py'
]
model = dict(budget=dict(target_ratio=0.1))
