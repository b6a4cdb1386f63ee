# As pas_cyclegan_lsgan-resnet-in_1xb4-270kiters_horse2zebra_flops-0.25x.py, at
# 10 % of the generators' MACs (GAN Compression reached 4.7 %).
_base_ = ['./pas_cyclegan_lsgan-resnet-in_1xb4-270kiters_horse2zebra_flops-0.25x.py']
model = dict(budget=dict(target_ratio=0.1))
