# PaS on the 4-head proxy ViT (vit-e96-d6-h4-p4_1xb64-100e_proxy-cls.py):
# one search epoch and three of fine-tuning at 50 % of the MACs, whole heads
# and FFN widths, as pas_vit-e96-d6-p4_1xb64-4e_proxy-cls_flops-0.5x.py.
#   python tools/train.py configs/classification/vit/pas_vit-e96-d6-h4-p4_1xb64-4e_proxy-cls_flops-0.5x.py
_base_ = ['./pas_vit-e96-d6-p4_1xb64-4e_proxy-cls_flops-0.5x.py']

model = dict(
    architecture=dict(backbone=dict(arch=dict(num_heads=4))),
    pretrained='work_dirs/vit-e96-d6-h4-p4_1xb64-100e_proxy-cls/'
    'epoch_100.pth')
