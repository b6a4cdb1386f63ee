# PaS on the classification demo: search the widths of the trained
# resnet18-w16_demo baseline at 50 % of its MACs, then fine-tune with frozen
# gates, all in one tools/train.py run:
#   python tools/train.py configs/classification/resnet/pas_resnet18-w16_1xb64_demo-cls_flops-0.5x.py \
#       --cfg-options model.pretrained=work_dirs/resnet18-w16_1xb64_demo-cls/epoch_12.pth
#   python tools/export.py configs/classification/resnet/pas_resnet18-w16_1xb64_demo-cls_flops-0.5x.py \
#       work_dirs/pas_resnet18-w16_1xb64_demo-cls_flops-0.5x/epoch_9.pth --out work_dirs/pas_resnet18-w16_1xb64_demo-cls_flops-0.5x/compact
# (tools/run_demo.sh does all of it.) Epochs 1-3 search, 4-9 fine-tune.
_base_ = ['./resnet18-w16_1xb64_demo-cls.py']
custom_imports = dict(imports=['pas_mm'], allow_failed_imports=False)

search_epochs = 3
model = dict(
    _delete_=True,
    type='pas_mm.PaSAlgorithm',
    architecture=_base_.model,
    search_scope=None,  # the whole classifier: backbone and fc head inputs
    # budget on MACs/full_MACs; the gates are moved by PaS's own scale-free
    # rule (PaSSearchHook's gate_optimizer), which adapts the weight
    budget=dict(target_ratio=0.5, weight=5.0, mode='two-sided'),
    input_shape=(1, 3, 32, 32),
    pretrained='work_dirs/resnet18-w16_1xb64_demo-cls/epoch_12.pth')

# the weights: SGD at the original PaS search lr; the gate latents are not
# moved by it (no lr_mult / decay_mult needed), see PaSSearchHook
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=5e-4))
param_scheduler = [
    dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0,
         end=search_epochs),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=search_epochs,
         end=9, T_max=9 - search_epochs),
]
train_cfg = dict(by_epoch=True, max_epochs=9, val_interval=3)
custom_hooks = [dict(type='pas_mm.PaSSearchHook', search_epochs=search_epochs)]
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=3,
                                     max_keep_ckpts=2))
# no find_unused_parameters: PaSSearchHook re-wraps DDP when the search
# ends, so the frozen gates are not in the fine-tune's DDP
