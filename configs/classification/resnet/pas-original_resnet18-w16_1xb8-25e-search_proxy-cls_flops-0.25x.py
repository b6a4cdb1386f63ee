# pas-original (see pas-original_resnet18-w16_1xb64-15e_proxy-cls_flops-0.25x.py)
# searching 22,600 steps: 25 epochs at batch 8 (904 steps an epoch), for
# the step-count study of docs/search_evidence.md (protocol A). A search
# only: it ends with the exported widths (pas_search/width_spec.json);
# tools/analysis/search_diagnostics.py runs it and its budget-only control.
#   python tools/analysis/search_diagnostics.py \
#       configs/classification/resnet/pas-original_resnet18-w16_1xb8-25e-search_proxy-cls_flops-0.25x.py \
#       BASELINE.pth --work-dir work_dirs/diag/pas-original-b8-25e
_base_ = ['./pas-original_resnet18-w16_1xb64-15e_proxy-cls_flops-0.25x.py']

search_epochs = 25
train_dataloader = dict(batch_size=8)
param_scheduler = [
    dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0,
         end=search_epochs)
]
train_cfg = dict(by_epoch=True, max_epochs=search_epochs, val_interval=1)
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=search_epochs,
         export_after_search=True, gate_optimizer=dict(rule='original'))
]
