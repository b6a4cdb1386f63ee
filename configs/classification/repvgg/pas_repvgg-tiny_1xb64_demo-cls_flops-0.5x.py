# PaS on the RepVGG classification demo: search every layer's width at 50 %
# of the deployed MACs, fine-tune, then tools/export.py slices and merges
# each block into a single 3x3 conv (identity branches become partial
# identities where a block keeps different input and output channels).
#   python tools/train.py configs/classification/repvgg/pas_repvgg-tiny_1xb64_demo-cls_flops-0.5x.py \
#       --cfg-options model.pretrained=work_dirs/repvgg-tiny_1xb64_demo-cls/epoch_12.pth
_base_ = ['../resnet/pas_resnet18-w16_1xb64_demo-cls_flops-0.5x.py']

model = dict(
    architecture=dict(
        backbone=dict(
            _delete_=True,
            type='RepVGG',
            arch=dict(
                num_blocks=[1, 2, 2, 1],
                width_factor=[0.25, 0.125, 0.125, 0.125],
                group_layer_map=None,
                se_cfg=None,
                stem_channels=16),
            strides=(1, 2, 2, 2),
            out_indices=(3, )),
        head=dict(in_channels=64)),
    # per-layer widths through the identity branch; MACs of merged convs
    decouple=['*branch_norm'],
    fold=['*branch_1x1.*', '*branch_norm', '*branch_3x3.norm'],
    pretrained='work_dirs/repvgg-tiny_1xb64_demo-cls/epoch_12.pth')
