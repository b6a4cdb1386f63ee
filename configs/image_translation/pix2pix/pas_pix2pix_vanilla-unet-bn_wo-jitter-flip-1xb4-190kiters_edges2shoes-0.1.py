# As pas_pix2pix_vanilla-unet-bn_wo-jitter-flip-1xb4-190kiters_edges2shoes-0.25.py,
# at 10 % of the generator's MACs (GAN Compression reached 8.5 %).
_base_ = [
    './pas_pix2pix_vanilla-unet-bn_wo-jitter-flip-1xb4-190kiters_'
    'edges2shoes-0.25.py'
]
model = dict(budget=dict(target_ratio=0.1))
