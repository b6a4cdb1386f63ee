"""Statistics over the kept channels only, during the search: LayerNorms
over a searched group, and convs whose weight is standardised over its
input channels.

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

A weight-standardised conv (``StdConv2d``, ``ScaledStdConv2d``) is the
same case along the fan-in: its weight is normalised per filter over
every input channel, with ``F.batch_norm`` over the weight viewed as
(1, out, fan-in). The compact conv standardises over the kept input
channels, so the search redirects that call the same way.
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
    out = _standardised(x, mask, eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def _standardised(x: torch.Tensor, mask: torch.Tensor,
                  eps: float) -> torch.Tensor:
    """``x`` less its mean over the last dim's ``mask`` entries, divided
    by their standard deviation (biased, as the norms take it)."""
    count = mask.sum()
    mean = (x * mask).sum(-1, keepdim=True) / count
    centred = x - mean
    var = (centred * centred * mask).sum(-1, keepdim=True) / count
    return centred * torch.rsqrt(var + eps)


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


def masked_weight_standardisation(w: torch.Tensor, mask: torch.Tensor,
                                  weight: Optional[torch.Tensor],
                                  bias: Optional[torch.Tensor],
                                  eps: float) -> torch.Tensor:
    """``F.batch_norm`` of a (1, out, fan-in) weight in training mode,
    with each filter's statistics over ``mask``'s fan-in entries (1 kept,
    0 dropped); dropped entries' values are meaningless (their input
    channels are masked)."""
    out = _standardised(w, mask, eps)
    if weight is not None:
        out = out * weight.view(1, -1, 1)
    if bias is not None:
        out = out + bias.view(1, -1, 1)
    return out


class _KeptFanIn(TorchFunctionMode):
    """Redirects ``F.batch_norm`` over a (1, out, fan-in) weight whose
    fan-in is ``mask``'s channels times the kernel."""

    def __init__(self, mask: torch.Tensor, out_channels: int):
        super().__init__()
        self.mask = mask
        self.out_channels = out_channels

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is F.batch_norm and _arg(args, kwargs, 5, 'training'):
            w = args[0]
            if w.dim() == 3 and tuple(w.shape[:2]) == \
                    (1, self.out_channels) and \
                    w.shape[2] % self.mask.numel() == 0:
                mask = self.mask.to(w.dtype).repeat_interleave(
                    w.shape[2] // self.mask.numel())
                eps = _arg(args, kwargs, 7, 'eps')
                return masked_weight_standardisation(
                    w, mask, _arg(args, kwargs, 3, 'weight'),
                    _arg(args, kwargs, 4, 'bias'),
                    1e-5 if eps is None else eps)
        return func(*args, **kwargs)


class MaskedWeightStandardisation(MaskedLayerNorm):
    """Takes a weight-standardised conv's statistics over its kept input
    channels.

    Args:
        mask_fn (callable): ``mask_fn(layout, ref) -> Tensor`` of the
            channel mask (1 kept, 0 dropped).
        layout (Layout): the layout of the conv's input channels.
        module (nn.Module): the conv (it calls ``F.batch_norm`` over its
            own weight once per forward).
    """

    def _enter(self, module, args):
        mode = _KeptFanIn(self.mask_fn(self.layout, args[0]),
                          module.out_channels)
        mode.__enter__()
        self._modes.append(mode)
