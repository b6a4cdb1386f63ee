"""PaSRepVGG: a RepVGG whose every layer has its own (searched) width."""
from typing import Optional, Sequence

import torch
from mmengine.model import BaseModule, Sequential

from pas_mm.registry import MODELS


@MODELS.register_module()
class PaSRepVGG(BaseModule):
    """RepVGG backbone built from per-layer widths (e.g. a PaS search).

    It is a plain VGG-like stack of 3x3 convs after reparameterisation
    (``pas_mm.core.reparameterize`` or ``deploy=True``). Each block is
    mmpretrain's ``RepVGGBlock``; a block keeps its identity branch when its
    input and output widths match and its stride is 1.

    Args:
        stem_width (int): output channels of the stride-2 stem block.
        widths (Sequence[Sequence[int]]): one list of block widths per
            stage, e.g. for the PaS RepVGG-B1 at ~2.1 GMACs
            ``[[20, 16, 15, 10], [49, ...], ..., [2048]]``.
        strides (Sequence[int]): stride of the first block of each stage.
            Default: (2, 2, 2, 2).
        in_channels (int): channels of the input image. Default: 3.
        out_indices (Sequence[int]): stages whose outputs are returned.
            Default: (3, ).
        norm_cfg (dict): norm layer of every block.
            Default: ``dict(type='BN')``.
        act_cfg (dict): activation of every block.
            Default: ``dict(type='ReLU')``.
        deploy (bool): build the merged single-conv blocks directly.
            Default: False.
        init_cfg (dict, optional): mmengine init config. Default: None.
    """

    def __init__(self,
                 stem_width: int,
                 widths: Sequence[Sequence[int]],
                 strides: Sequence[int] = (2, 2, 2, 2),
                 in_channels: int = 3,
                 out_indices: Sequence[int] = (3, ),
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 deploy: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg)
        from mmpretrain.models.backbones.repvgg import RepVGGBlock
        if len(widths) != len(strides):
            raise ValueError(f'PaSRepVGG: {len(widths)} stages of widths but '
                             f'{len(strides)} strides')
        if any(int(w) < 1 for stage in widths for w in stage) or \
                int(stem_width) < 1:
            raise ValueError(f'PaSRepVGG: widths must be positive, got '
                             f'stem {stem_width} and {widths}')
        self.out_indices = tuple(out_indices)
        common = dict(norm_cfg=norm_cfg, act_cfg=act_cfg, deploy=deploy)
        self.stem = RepVGGBlock(in_channels, stem_width, stride=2, **common)
        self.stages = []
        c_in = stem_width
        for i, (stage_widths, stride) in enumerate(zip(widths, strides)):
            blocks = []
            for j, c_out in enumerate(stage_widths):
                blocks.append(RepVGGBlock(c_in, int(c_out),
                                          stride=stride if j == 0 else 1,
                                          **common))
                c_in = int(c_out)
            name = f'stage_{i + 1}'
            self.add_module(name, Sequential(*blocks))
            self.stages.append(name)
        self.out_channels = c_in

    def forward(self, x: torch.Tensor):
        x = self.stem(x)
        outs = []
        for i, name in enumerate(self.stages):
            x = getattr(self, name)(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
