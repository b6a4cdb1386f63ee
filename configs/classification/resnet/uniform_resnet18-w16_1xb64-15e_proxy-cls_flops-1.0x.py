# Benchmark v2 row 'baseline+': the unpruned baseline trained on for the
# same 15 post-baseline epochs and schedule as every criterion (a "prune"
# to 100 % of the MACs keeps every channel), through the same harness. It
# is the ceiling every pruned row is read against: what 15 more epochs do
# for the full net.
_base_ = ['./uniform_resnet18-w16_1xb64-15e_proxy-cls_flops-0.5x.py']

model = dict(budget=dict(target_ratio=1.0))
