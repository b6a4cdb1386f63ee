# PaS + knowledge distillation on benchmark v2 (row 'pas+kd'): the search
# and schedule of pas_resnet18-w16_1xb64-15e_proxy-cls_flops-0.5x.py (3 + 12
# epochs); the fine-tune also matches the unpruned baseline's logits
# (Hinton KD, T=4).
_base_ = ['./pas_resnet18-w16_1xb64-15e_proxy-cls_flops-0.5x.py']

model = dict(
    distill=dict(module='head.fc', loss='kl', temperature=4.0, weight=1.0))
