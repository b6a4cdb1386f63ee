# PaS on facades: search the widths of mmagic's trained Pix2Pix UNet
# generator (FID 124.98, IS 1.62) at 25 % of its MACs (1.51 of 6.05 GMACs
# per 256x256 image, counted by mmengine.analysis), then fine-tune, in one
# tools/train.py run:
#   bash tools/dist_train.sh THIS_CONFIG 1
#   python tools/export.py THIS_CONFIG work_dirs/.../iter_80000.pth --out DIR
# Not yet run on facades by pas-mm: a reasoned recipe, not a result.
# - Search 10k iterations (an eighth of the 80k schedule), then fine-tune
#   70k, so the whole run costs what training Pix2Pix costs.
# - Adam (lr 2e-4, betas 0.5/0.999) as in the original recipe, gates
#   included: Adam moves each latent by about lr per step, i.e. up to 2.0
#   over the search, enough to cross the 0.5 threshold (the recipe has no
#   weight decay, so none reaches the gates).
# - The discriminator is not searched; the budget loss (weight 5 on the
#   MACs ratio) joins the generator loss. The end-of-search projection puts
#   MACs within 1 % of the target.
# - FID / IS (Inception, PyTorch style) come from the inherited config.
_base_ = ['mmagic::pix2pix/pix2pix_vanilla-unet-bn_1xb1-80kiters_facades.py']
custom_imports = dict(imports=['pas_mm', 'pas_mm.models.editors'],
                      allow_failed_imports=False)

search_iters = 10000
model = dict(
    type='pas_mm.PaSPix2Pix',
    budget=dict(target_ratio=0.25, weight=5.0, mode='two-sided'),
    input_shape=(1, 3, 256, 256),
    pretrained='https://download.openmmlab.com/mmediting/pix2pix/refactor/'
    'pix2pix_vanilla_unet_bn_1x1_80k_facades_20210902_170442-c0958d50.pth')
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_iters=search_iters,
         export_after_search=True),
    dict(type='VisualizationHook', interval=5000, fixed_input=True,
         vis_kwargs_list=[dict(type='Translation', name='trans'),
                          dict(type='TranslationVal', name='trans_val')]),
    dict(type='pas_mm.ThroughputHook'),
]
