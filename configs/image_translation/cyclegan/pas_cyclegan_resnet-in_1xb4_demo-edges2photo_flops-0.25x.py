# PaS on the CycleGAN demo: search both generators together at 25 % of
# their MACs (iterations 1-80), then fine-tune (81-240), default PaS
# settings:
#   python tools/train.py THIS_CONFIG \
#       --cfg-options model.pretrained=work_dirs/cyclegan_resnet-in_1xb4_demo-edges2photo/iter_240.pth
_base_ = ['./cyclegan_resnet-in_1xb4_demo-edges2photo.py']
custom_imports = dict(imports=['pas_mm', 'pas_mm.models.editors'],
                      allow_failed_imports=False)

search_iters = 80
model = dict(
    type='pas_mm.PaSCycleGAN',
    budget=dict(target_ratio=0.25, weight=5.0, mode='two-sided'),
    input_shape=(1, 3, 128, 128),
    pretrained='work_dirs/cyclegan_resnet-in_1xb4_demo-edges2photo/iter_240.pth')
custom_hooks = [dict(type='pas_mm.PaSSearchHook', search_iters=search_iters)]
# no find_unused_parameters: PaSSearchHook re-wraps DDP when the search
# ends, so the frozen gates are not in the fine-tune's DDP
