"""The base of every layer rule (``pas_mm.core.trace.layer_rules`` lists
them): what a rule provides, and the in-place parameter slice they share.
"""
from typing import Optional

import torch
from torch import nn

from .graph import LayerCall, LayerKind, Layout


def take(param, idx: Optional[torch.Tensor], dim: int):
    """Slice a parameter in place: the Parameter object survives, so an
    optimizer that holds it keeps training it (export during training), and
    so does its memory format (channels_last training)."""
    if param is None or idx is None:
        return param
    new = param.detach().index_select(dim, idx.to(param.device))
    if new.dim() == 4 and param.is_contiguous(
            memory_format=torch.channels_last) and not param.is_contiguous():
        new = new.contiguous(memory_format=torch.channels_last)
    else:
        new = new.clone()
    if isinstance(param, nn.Parameter):
        param.data = new
        param.grad = None
        return param
    return new


def _size(idx: Optional[torch.Tensor], default: int) -> int:
    return default if idx is None else int(idx.numel())


class LayerRule:
    """What the pipeline does with one kind of parametric layer.

    Attributes:
        kind (LayerKind): the kind.
        mixes_channels (bool): consumes its input channels, so a gate masks
            its input here.
        costed (bool): its MACs are its own; False for norms, costed once
            per call as a free op.
        timed (bool): latency tables time a standalone layer of it.
        same_channels (bool): its output channels are its input channels
            (one layout).
        channel_dim (int): the channel dim of its input and output.
        normalises_channels (bool): its statistics are over the channels
            (LayerNorm): the search masks them.
        standardises_weight (bool): its weight is standardised over the
            input channels in forward: the search masks the statistics.
        weight_side_mask (bool): its input mask may go on the weight
            (its forward runs the conv's ``_conv_forward``).
    """
    kind: LayerKind
    mixes_channels = True
    costed = True
    timed = True
    same_channels = False
    channel_dim = 1
    normalises_channels = False
    standardises_weight = False
    weight_side_mask = True

    def macs(self, call: LayerCall, c_in, c_out):
        """MACs per sample with ``c_in`` / ``c_out`` kept channels
        (numbers or tensors)."""
        return call.kernel * c_in / call.groups * c_out * call.positions

    def mixing_macs(self, call: LayerCall, c_in, c_out):
        """The part of :meth:`macs` PyTorch's flop counter sees (the
        channel mixing itself, not making the weight)."""
        return self.macs(call, c_in, c_out)

    def slice(self, model: nn.Module, name: str, module: nn.Module,
              in_idx: Optional[torch.Tensor], out_idx: Optional[torch.Tensor],
              c_in: int, c_out: int) -> None:
        """Cut ``module`` (``model``'s ``name``) to the kept input and
        output channels (None: all kept)."""
        raise NotImplementedError

    def standalone(self, module: nn.Module, call: LayerCall, c_in: int,
                   c_out: int) -> nn.Module:
        """A fresh layer of ``module``'s geometry with ``c_in`` / ``c_out``
        channels (random weights: latency does not read them)."""
        raise NotImplementedError(f'{self.kind} layers are not timed')

    def filter_scores(self, module: nn.Module) -> Optional[torch.Tensor]:
        """|weight| summed per output channel (the ``l1`` criterion), or
        None where the kind has no filters of its own."""
        return None

    def gamma_scores(self, module: nn.Module) -> Optional[torch.Tensor]:
        """A norm's per-channel scale (the ``bn-gamma`` criterion)."""
        return None

    def scored_layout(self, call: LayerCall) -> Layout:
        """The layout whose channels the scores above are per."""
        return call.out_layout


def rows_l1(module: nn.Module) -> torch.Tensor:
    w = module.weight
    return w.abs().reshape(w.shape[0], -1).sum(1)
