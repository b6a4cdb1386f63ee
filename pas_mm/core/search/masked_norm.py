"""LayerNorm statistics over the kept channels only, during the search.

A LayerNorm over a searched group (``prune_residual``) reads every channel
of it: the mean and variance of the gated model would include channels
that export removes, so the compact model would compute something else.
Inside such a LayerNorm module, while the search space is installed,
``F.layer_norm`` over the group is replaced by the same normalisation
with its mean and variance taken over the kept channels. The compact
LayerNorm over those channels is then the same function, and the gates
get the gradient of the statistics too.

The module's own ``forward`` runs unchanged (a ``LayerNorm2d`` keeps its
permutes); only its ``F.layer_norm`` call is redirected, by a
``TorchFunctionMode`` that lives from the module's forward pre-hook to its
forward hook.
"""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from ..trace.call_args import arg as _arg
from ..trace.graph import Layout


def masked_layer_norm(x: torch.Tensor, mask: torch.Tensor,
                      weight: Optional[torch.Tensor],
                      bias: Optional[torch.Tensor],
                      eps: float) -> torch.Tensor:
    """Layer norm over the last dim with statistics over ``mask``'s
    channels (1 kept, 0 dropped); dropped channels' outputs are
    meaningless (every consumer masks them)."""
    count = mask.sum()
    mean = (x * mask).sum(-1, keepdim=True) / count
    centred = x - mean
    var = (centred * centred * mask).sum(-1, keepdim=True) / count
    out = centred * torch.rsqrt(var + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


class _KeptStatistics(TorchFunctionMode):
    """Redirects ``F.layer_norm`` over ``mask``'s channels."""

    def __init__(self, mask: torch.Tensor):
        super().__init__()
        self.mask = mask

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is F.layer_norm:
            x = args[0]
            shape = tuple(_arg(args, kwargs, 1, 'normalized_shape'))
            if shape == (self.mask.numel(), ) and \
                    x.shape[-1] == self.mask.numel():
                eps = _arg(args, kwargs, 4, 'eps')
                return masked_layer_norm(
                    x, self.mask.to(x.dtype), _arg(args, kwargs, 2, 'weight'),
                    _arg(args, kwargs, 3, 'bias'),
                    1e-5 if eps is None else eps)
        return func(*args, **kwargs)


class MaskedLayerNorm:
    """Takes a LayerNorm module's statistics over its kept channels.

    Args:
        mask_fn (callable): ``mask_fn(layout, ref) -> Tensor`` of the
            channel mask (1 kept, 0 dropped).
        layout (Layout): the layout of the channels it normalises.
        module (nn.Module): the LayerNorm module (any module that calls
            ``F.layer_norm`` over those channels once per forward).
    """

    def __init__(self, mask_fn, layout: Layout, module: nn.Module):
        self.mask_fn = mask_fn
        self.layout = layout
        self._modes = []
        self.handles = [
            module.register_forward_pre_hook(self._enter),
            module.register_forward_hook(self._leave, always_call=True)]

    def _enter(self, module, args):
        mode = _KeptStatistics(self.mask_fn(self.layout, args[0]))
        mode.__enter__()
        self._modes.append(mode)

    def _leave(self, module, args, output):
        if self._modes:
            self._modes.pop().__exit__(None, None, None)

    def remove(self):
        """Detach both hooks."""
        for handle in self.handles:
            handle.remove()
        self.handles = []
