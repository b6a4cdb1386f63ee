# The uniform prune of the 4-head proxy ViT at 50 % of the MACs (2 of 4
# heads, about half of every FFN; 0.4995 of the MACs), then 4 epochs of
# fine-tuning: the baseline method PaS is compared with in
# configs/benchmark/transformer_suite.py.
#   python tools/train.py configs/classification/vit/uniform_vit-e96-d6-h4-p4_1xb64-4e_proxy-cls_flops-0.5x.py
_base_ = ['./uniform_vit-e96-d6-p4_1xb64-4e_proxy-cls_flops-0.5x.py']

model = dict(
    architecture=dict(backbone=dict(arch=dict(num_heads=4))),
    pretrained='work_dirs/vit-e96-d6-h4-p4_1xb64-100e_proxy-cls/'
    'epoch_100.pth')
