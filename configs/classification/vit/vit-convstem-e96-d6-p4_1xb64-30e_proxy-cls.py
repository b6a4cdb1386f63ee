# The proxy ViT (vit-e96-d6-p4) behind a convolutional stem: two stride-2
# 3x3 conv-BN-ReLU layers (24, 48 channels) and a 1x1 convolution to the
# 96-wide tokens replace the linear 4x4 patch embedding (Xiao et al. 2021,
# "Early convolutions help transformers see better"). With the linear patch
# embedding the ViT (and the proxy Swin) sat at chance for 3-9 epochs on
# the 7 200 training images; with the stem it still did after 4 epochs
# (1 warm-up epoch, lr 1e-3; docs/artifacts/transformer/README.md).
#   python tools/train.py configs/classification/vit/vit-convstem-e96-d6-p4_1xb64-30e_proxy-cls.py
_base_ = ['./vit-e96-d6-p4_1xb64-30e_proxy-cls.py']
custom_imports = dict(imports=['pas_mm'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        type='pas_mm.ConvStemVisionTransformer', stem_channels=(24, 48)))
