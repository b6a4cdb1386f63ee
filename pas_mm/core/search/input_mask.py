"""How a gate's mask reaches the layer that consumes its channels.

Scaling input channel c by m_c gives the same output and the same gradients
whether it is applied to the activation or to the weight's input slice (a
conv is bilinear in both), so the cheaper side is used: the weight when the
activation is larger (early, high-resolution layers), the activation
otherwise.

Masking the weight needs the conv's ``_conv_forward(x, weight, bias)``, a
torch-internal method, to be overridden on the instance: the only place
pas-mm depends on torch internals. ``WEIGHT_SIDE_MASKING = False`` (or the
environment variable ``PAS_MM_WEIGHT_SIDE_MASK=0``) turns it off; every
mask then goes on the activation, which is always correct, only slower.
"""
import os

import torch
from torch import nn

from ..trace.graph import Layout

WEIGHT_SIDE_MASKING = os.environ.get('PAS_MM_WEIGHT_SIDE_MASK', '1') != '0'
_MASK_KEY = '_pas_in_mask'


def weight_side_possible(module: nn.Module) -> bool:
    """A plain (not transposed, not grouped) conv whose ``_conv_forward``
    nobody has overridden yet, and the switch is on."""
    return WEIGHT_SIDE_MASKING and \
        isinstance(module, nn.modules.conv._ConvNd) and \
        hasattr(type(module), '_conv_forward') and \
        not module.transposed and module.groups == 1 and \
        '_conv_forward' not in module.__dict__


class InputMask:
    """A forward pre-hook that masks a consumer's input channels.

    Args:
        mask_fn (callable): ``mask_fn(layout, ref) -> Tensor`` of the
            channel mask (1 kept, 0 dropped) in ``ref``'s dtype and device.
        layout (Layout): the layout of the consumer's input.
        module (nn.Module): the consumer (conv, transposed conv, linear).
        weight_side (bool): the mask may go on the weight, where that is
            cheaper (its layer rule says the module's forward runs
            ``_conv_forward``). Default: True.
    """

    def __init__(self, mask_fn, layout: Layout, module: nn.Module,
                 weight_side: bool = True):
        self.mask_fn = mask_fn
        self.layout = layout
        self.module = module
        self.weight_side = weight_side and weight_side_possible(module)
        if self.weight_side:
            module._conv_forward = self._conv_forward

    def _conv_forward(self, x, weight, bias):
        mask = self.module.__dict__.pop(_MASK_KEY, None)
        if mask is not None:
            weight = weight * mask.view(1, -1, *([1] * (weight.dim() - 2)))
        return type(self.module)._conv_forward(self.module, x, weight, bias)

    def __call__(self, module, args):
        x = args[0]
        mask = self.mask_fn(self.layout, x)
        if self.weight_side and x.numel() > module.weight.numel():
            module.__dict__[_MASK_KEY] = mask.to(module.weight.dtype)
            return None
        return (masked_input(x, mask, self.layout.dim), ) + tuple(args[1:])

    def remove(self):
        """Undo the ``_conv_forward`` override."""
        if self.weight_side:
            self.module.__dict__.pop('_conv_forward', None)
            self.module.__dict__.pop(_MASK_KEY, None)


def masked_input(x: torch.Tensor, mask: torch.Tensor,
                 dim: int) -> torch.Tensor:
    """``x`` with channel dim ``dim`` scaled by ``mask``."""
    shape = [1] * x.dim()
    shape[dim % x.dim()] = -1
    return x * mask.view(shape)
