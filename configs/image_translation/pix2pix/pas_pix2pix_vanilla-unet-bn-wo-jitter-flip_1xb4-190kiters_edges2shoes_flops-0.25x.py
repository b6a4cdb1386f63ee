# PaS on edges2shoes: search the widths of mmagic's trained Pix2Pix UNet
# generator (FID 84.38, IS 2.82) at 25 % of its MACs, then fine-tune, in one
# tools/train.py run (190k iterations of 4 images, as the original):
#   bash tools/dist_train.sh THIS_CONFIG 1
#   python tools/export.py THIS_CONFIG work_dirs/.../iter_190000.pth --out DIR
# The reference point is GAN Compression on the same task: 56.8 -> 4.81
# GMACs (8.5 %) at FID 26.6 vs 24.2 (their own UNet and FID protocol, so
# compare ratios rather than absolute figures).
# Not yet run on edges2shoes by pas-mm: a reasoned recipe, not a result.
# - Search 20k iterations (about a tenth), then fine-tune 170k.
# - Adam as in the original recipe, gates included (about lr per step moves
#   them across 0.5 within the search); the recipe has no weight decay.
# - The discriminator is not searched; the budget loss joins the generator
#   loss. FID / IS come from the inherited config.
_base_ = [
    'mmagic::pix2pix/'
    'pix2pix_vanilla-unet-bn_wo-jitter-flip-1xb4-190kiters_edges2shoes.py'
]
custom_imports = dict(imports=['pas_mm', 'pas_mm.models.editors'],
                      allow_failed_imports=False)

search_iters = 20000
model = dict(
    type='pas_mm.PaSPix2Pix',
    budget=dict(target_ratio=0.25, weight=5.0, mode='two-sided'),
    input_shape=(1, 3, 256, 256),
    pretrained='https://download.openmmlab.com/mmediting/pix2pix/refactor/'
    'pix2pix_vanilla_unet_bn_wo_jitter_flip_1x4_186840_edges2shoes_'
    'convert-bgr_20210902_170902-0c828552.pth')
custom_hooks = [
    dict(type='pas_mm.PaSSearchHook', search_iters=search_iters,
         export_after_search=True),
    dict(type='VisualizationHook', interval=5000, fixed_input=True,
         vis_kwargs_list=[dict(type='Translation', name='trans'),
                          dict(type='TranslationVal', name='trans_val')]),
    dict(type='pas_mm.ThroughputHook'),
]
