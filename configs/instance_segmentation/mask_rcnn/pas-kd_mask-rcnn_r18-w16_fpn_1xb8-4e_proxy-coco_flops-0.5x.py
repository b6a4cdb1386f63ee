# PaS + feature distillation on the proxy benchmark's instance segmentation
# task: the PaS config, with the fine-tune pulling each of the compact
# detector's five FPN outputs towards the unpruned baseline's (MSE,
# averaged over the levels). The FPN outputs keep their width, so teacher
# and student features compare channel by channel.
_base_ = ['./pas_mask-rcnn_r18-w16_fpn_1xb8-4e_proxy-coco_flops-0.5x.py']

model = dict(distill=dict(module='neck', loss='mse', weight=1.0))
