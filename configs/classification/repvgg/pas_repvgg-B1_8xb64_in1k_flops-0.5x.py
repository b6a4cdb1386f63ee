# PaS on ImageNet-1k: RepVGG-B1 (11.8 GMACs deployed) searched to ~50 % of
# its MACs, then fine-tuned, with the same recipe as the RepVGG-A0 config
# (per-layer widths through the identity branches, merged export):
#   bash tools/dist_train.sh configs/classification/repvgg/pas_repvgg-B1_8xb64_in1k_flops-0.5x.py 8
# Budget: the original uses weight 0.1 on GMACs; on the MACs ratio that is
# 0.1 * 11.8^2 = 13.9. Starts from mmpretrain's RepVGG-B1 (78.37 top-1).
# Anchors: RepVGG-B0 75.14 (3.06 GMACs), B1 78.37 (11.8 GMACs); the PaS
# paper claims about +1.0 top-1 over RepVGG at similar speed.
# Not yet run on ImageNet by pas-mm: targets, not our results.
_base_ = ['./pas_repvgg-A0_8xb64_in1k_flops-0.5x.py']

model = dict(
    # as mmpretrain's repvgg-B1_8xb32_in1k.py does on top of A0
    architecture=dict(backbone=dict(arch='B1'), head=dict(in_channels=2048)),
    budget=dict(weight=13.9),
    pretrained='https://download.openmmlab.com/mmclassification/v0/repvgg/'
    'repvgg-B1_8xb32_in1k_20221213-d17c45e7.pth')
