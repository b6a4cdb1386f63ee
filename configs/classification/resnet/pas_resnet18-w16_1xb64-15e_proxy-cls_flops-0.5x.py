# PaS on benchmark v2's classification task (docs/benchmark.md, protocol
# v2): the original recipe's proportions on the 30-epoch proxy baseline.
# It searched 9 and fine-tuned 38 epochs after a 90-epoch baseline: about
# half the baseline's training after it, a fifth of that searching. Here:
# search 3 epochs, fine-tune the exported compact net 12 (15 post-baseline
# epochs); every v2 criterion prunes once and fine-tunes 15.
#   python tools/train.py configs/classification/resnet/pas_resnet18-w16_1xb64-15e_proxy-cls_flops-0.5x.py \
#       --cfg-options model.pretrained=work_dirs/resnet18-w16_1xb64-30e_proxy-cls/epoch_30.pth
_base_ = ['./pas_resnet18-w16_1xb64-4e_proxy-cls_flops-0.5x.py']

search_epochs = 3
epochs = 15
param_scheduler = [
    dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0,
         end=search_epochs),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=search_epochs,
         end=epochs, T_max=epochs - search_epochs),
]
train_cfg = dict(by_epoch=True, max_epochs=epochs, val_interval=1)
# gate lr: v1's calibrated 3.4 latent units over the search (0.03 x 113
# steps), spread over the 339 steps of 3 epochs
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_epochs=search_epochs,
         export_after_search=True, gate_optimizer=dict(lr=0.01))
]
# every 5 epochs, so that an interrupted suite resumes close to where it
# stopped
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=5,
                                     max_keep_ckpts=1))
