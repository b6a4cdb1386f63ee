"""ConvStem: a stack of stride-2 3x3 convolutions that turns an image into
transformer tokens, in place of a one-layer patch embedding."""
import math
from typing import Sequence, Tuple

import torch
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmengine.utils import to_2tuple
from torch import nn


class ConvStem(BaseModule):
    """Convolutional patch embedding (Xiao et al., 2021, "Early convolutions
    help transformers see better"): ``log2(patch_size)`` conv-BN-ReLU layers
    of stride 2, then a 1x1 convolution to the token width.

    It has the interface of mmcv's ``PatchEmbed`` that mmpretrain's
    transformers use: ``forward`` returns the tokens ``(B, H*W, C)`` and
    their grid ``(H, W)``, and ``init_out_size`` is the grid of
    ``input_size``.

    Args:
        in_channels (int): channels of the image. Default: 3.
        embed_dims (int): width of the tokens. Default: 96.
        patch_size (int): total stride, a power of 2. Default: 4.
        stem_channels (Sequence[int]): output channels of the stride-2
            convolutions, one per halving. Default: (24, 48).
        input_size (int | tuple): image size, for ``init_out_size``.
            Default: 32.
        norm_cfg (dict): norm of the convolutions. Default: BN.
        act_cfg (dict): activation of the convolutions. Default: ReLU.
        init_cfg (dict, optional): mmengine init config. Default: None.
    """

    def __init__(self,
                 in_channels: int = 3,
                 embed_dims: int = 96,
                 patch_size: int = 4,
                 stem_channels: Sequence[int] = (24, 48),
                 input_size=32,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        halvings = int(round(math.log2(patch_size)))
        if patch_size < 2 or 2**halvings != patch_size:
            raise ValueError(f'ConvStem: patch_size must be a power of 2 '
                             f'(>= 2), got {patch_size!r}')
        if len(stem_channels) != halvings:
            raise ValueError(
                f'ConvStem: patch_size {patch_size} takes {halvings} '
                f'stride-2 convolutions, so stem_channels needs {halvings} '
                f'widths, got {tuple(stem_channels)}')
        layers, cin = [], in_channels
        for cout in stem_channels:
            layers.append(ConvModule(cin, cout, 3, stride=2, padding=1,
                                     norm_cfg=norm_cfg, act_cfg=act_cfg))
            cin = cout
        self.convs = nn.Sequential(*layers)
        self.projection = nn.Conv2d(cin, embed_dims, 1)
        h, w = to_2tuple(input_size)
        self.init_out_size = (h // patch_size, w // patch_size)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, tuple]:
        x = self.projection(self.convs(x))
        grid = (x.shape[2], x.shape[3])
        return x.flatten(2).transpose(1, 2), grid
