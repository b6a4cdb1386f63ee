# The uniform prune of the proxy Swin at 50 % of the MACs (every head and
# FFN group keeps the same share: 1 / 2 / 4 of the 2 / 4 / 8 heads), then
# the same 4 fine-tune epochs as PaS gets after the baseline.
#   python tools/train.py configs/classification/swin/uniform_swin-e48-d222-p2-w4_1xb64-4e_proxy-cls_flops-0.5x.py \
#       --cfg-options model.pretrained=work_dirs/swin-e48-d222-p2-w4_1xb64-30e_proxy-cls/epoch_30.pth
_base_ = ['./pas_swin-e48-d222-p2-w4_1xb64-4e_proxy-cls_flops-0.5x.py']

model = dict(criterion='uniform')
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=0,
         export_after_search=True)
]
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=4, T_max=4),
]
