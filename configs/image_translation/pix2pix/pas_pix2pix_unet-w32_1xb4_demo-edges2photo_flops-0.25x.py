# PaS on the image-translation demo: search the widths of the trained demo
# Pix2Pix generator (UNet, skip concatenations, transposed convs) at 25 % of
# its MACs, then fine-tune with frozen gates, in one tools/train.py run:
#   python tools/train.py configs/image_translation/pix2pix/pix2pix_unet-w32_1xb4_demo-edges2photo.py
#   python tools/train.py THIS_CONFIG \
#       --cfg-options model.pretrained=work_dirs/pix2pix_unet-w32_1xb4_demo-edges2photo/iter_480.pth
#   python tools/export.py THIS_CONFIG work_dirs/pas_pix2pix_unet-w32_1xb4_demo-edges2photo_flops-0.25x/iter_480.pth --out DIR
#   python tools/test.py DIR/config.py DIR/compact.pth
# Iterations 1-160 search, 161-480 fine-tune. The discriminator is not
# searched and trains as in the baseline; the budget loss joins the
# generator loss. The gate latents are moved by PaS's own scale-free rule
# (PaSSearchHook's gate_optimizer), not by Adam: no gate lr_mult.
# Metrics: FID and IS (as on the real datasets) need Inception weights that
# this machine cannot download; pas-mm then logs a line and drops them, and
# PSNR / SSIM / MAE against the ground-truth photo remain.
_base_ = ['./pix2pix_unet-w32_1xb4_demo-edges2photo.py']
custom_imports = dict(imports=['pas_mm', 'pas_mm.models.editors'],
                      allow_failed_imports=False)

search_iters = 160
max_iters = 480
model = dict(
    type='pas_mm.PaSPix2Pix',
    budget=dict(target_ratio=0.25, weight=5.0, mode='two-sided'),
    input_shape=(1, 3, 128, 128),
    pretrained='work_dirs/pix2pix_unet-w32_1xb4_demo-edges2photo/iter_480.pth')

train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
custom_hooks = [dict(type='pas_mm.PaSSearchHook', search_iters=search_iters)]

fake_nums = 24  # the demo test split
inception_metrics = [
    dict(type='TransFID', prefix='FID-Full', fake_nums=fake_nums,
         inception_style='PyTorch', real_key='img_photo',
         fake_key='fake_photo', sample_model='orig'),
    dict(type='TransIS', prefix='IS-Full', fake_nums=fake_nums,
         inception_style='PyTorch', fake_key='fake_photo',
         sample_model='orig'),
]
val_evaluator = dict(
    type='Evaluator', metrics=inception_metrics + _base_.pixel_metrics)
test_evaluator = val_evaluator
# no find_unused_parameters: PaSSearchHook re-wraps DDP when the search
# ends, so the frozen gates are not in the fine-tune's DDP
