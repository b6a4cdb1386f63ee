"""ConvStemVisionTransformer: mmpretrain's ViT with a convolutional stem."""
from typing import Sequence

from mmpretrain.models.backbones import VisionTransformer

from pas_mm.registry import MODELS
from .conv_stem import ConvStem


@MODELS.register_module()
class ConvStemVisionTransformer(VisionTransformer):
    """mmpretrain's ``VisionTransformer`` whose one-layer patch embedding is
    replaced by a ``ConvStem``: stride-2 3x3 conv-BN-ReLU layers, then a 1x1
    convolution to the token width: the usual remedy for a transformer
    that is hard to optimise (Xiao et al., 2021). On the proxy glyphs it did
    not help: still at chance after 4 epochs
    (docs/artifacts/transformer/README.md).
    Everything else (blocks, class token, position embedding, output
    types) is mmpretrain's, so its heads and FFN widths are searched and
    exported as a plain ViT's; the stem's inner widths are searched too.

    Args:
        stem_channels (Sequence[int]): output channels of the stem's
            stride-2 convolutions, one per halving of ``patch_size``.
            Default: (24, 48).
        stem_norm_cfg (dict): norm of the stem. Default: BN.
        **kwargs: ``VisionTransformer``'s arguments (``arch``,
            ``img_size``, ``patch_size``, ...); ``patch_cfg`` is not used.
    """

    def __init__(self,
                 stem_channels: Sequence[int] = (24, 48),
                 stem_norm_cfg: dict = dict(type='BN'),
                 **kwargs):
        super().__init__(**kwargs)
        self.patch_embed = ConvStem(
            in_channels=kwargs.get('in_channels', 3),
            embed_dims=self.embed_dims,
            patch_size=kwargs.get('patch_size', 16),
            stem_channels=stem_channels,
            input_size=self.img_size,
            norm_cfg=stem_norm_cfg)
        if self.patch_embed.init_out_size != self.patch_resolution:
            raise ValueError(
                f'ConvStemVisionTransformer: the stem makes a '
                f'{self.patch_embed.init_out_size} grid, the position '
                f'embedding has {self.patch_resolution}')
