# The PaS-searched RepVGG-B1 at ~2.1 GMACs (widths from the original PaS
# search: stem 8, then per-layer widths of the four stages), trained from
# scratch on ImageNet-1k with mmpretrain's RepVGG recipe (120 epochs,
# cosine lr, global batch 512):
#   bash tools/dist_train.sh configs/classification/repvgg/pas-subnet_repvgg-B1_8xb64_in1k_flops-2.1G.py 8
# Deploy: pas_mm.core.reparameterize(model) merges every block into one 3x3
# conv (a plain VGG-like net with a width per layer).
# Anchors: RepVGG-A1 74.46 (2.36 GMACs), B0 75.14 (3.06 GMACs); the PaS
# paper claims about +1.0 top-1 over RepVGG at similar speed.
# Not yet trained by pas-mm: a target, not our result.
_base_ = ['mmpretrain::repvgg/repvgg-B1_8xb32_in1k.py']
custom_imports = dict(imports=['pas_mm'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,
        type='pas_mm.PaSRepVGG',
        stem_width=8,
        widths=[
            [20, 16, 15, 10],
            [49, 41, 36, 34, 39, 31],
            [125, 107, 102, 97, 106, 123, 127, 170, 196, 202, 232, 269, 315,
             425, 475, 450],
            [2048],
        ],
        out_indices=(3, )),
    head=dict(in_channels=2048))
train_dataloader = dict(batch_size=64)  # x 8 GPUs = 512
auto_scale_lr = dict(base_batch_size=512)
