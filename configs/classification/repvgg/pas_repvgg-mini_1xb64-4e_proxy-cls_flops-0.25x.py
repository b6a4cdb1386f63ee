# PaS on the proxy benchmark's RepVGG family (task classification_repvgg):
# per-layer widths of the converged repvgg-mini baseline at 25 % of the
# deployed MACs, 1 search epoch + 3 fine-tune epochs like every method of
# the benchmark; tools/export.py slices and merges each block into a 3x3
# conv.
#   python tools/train.py configs/classification/repvgg/pas_repvgg-mini_1xb64-4e_proxy-cls_flops-0.25x.py \
#       --cfg-options model.pretrained=work_dirs/repvgg-mini_1xb64-30e_proxy-cls/epoch_30.pth
_base_ = ['../resnet/pas_resnet18-w16_1xb64-4e_proxy-cls_flops-0.5x.py']

model = dict(
    # the backbone of repvgg-mini_1xb64-30e_proxy-cls.py
    architecture=dict(
        backbone=dict(
            _delete_=True,
            type='RepVGG',
            arch=dict(
                num_blocks=[1, 2, 4, 1],
                width_factor=[0.5, 0.25, 0.25, 0.25],
                group_layer_map=None,
                se_cfg=None,
                stem_channels=32),
            strides=(1, 2, 2, 2),
            out_indices=(3, )),
        head=dict(in_channels=128)),
    budget=dict(target_ratio=0.25),
    # per-layer widths through the identity branch; MACs of merged convs
    decouple=['*branch_norm'],
    fold=['*branch_1x1.*', '*branch_norm', '*branch_3x3.norm'],
    pretrained='work_dirs/repvgg-mini_1xb64-30e_proxy-cls/epoch_30.pth')
