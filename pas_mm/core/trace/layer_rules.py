"""Each parametric layer kind's rules, in one place.

The tracer classifies every call of a parametric layer as a
:class:`~pas_mm.core.trace.graph.LayerKind`. What the rest of the pipeline does
with a kind is its :class:`LayerRule` here, one class per kind (as
Torch-Pruning keeps one pruner per layer type):

- ``macs``: its MACs per sample for kept channel counts (``cost``);
- ``mixes_channels``: a gate masks its input here (``space``'s input
  masks);
- ``slice``: cut its weights to the kept channels (``export``);
- ``standalone``: a fresh layer of its geometry, for latency tables
  (``latency``);
- ``filter_scores`` / ``gamma_scores`` and ``scored_layout``: what the
  ``l1`` and ``bn-gamma`` criteria read (``criteria``);
- ``normalises_channels`` / ``standardises_weight``: its statistics read
  every channel of its group (a LayerNorm) or every input channel (a
  weight-standardised conv), so during the search they are taken over the
  kept channels only (``masked_norm``).

A new kind is a new :class:`LayerRule` in ``RULES`` and a place in the
tracer that records it.
"""
import math
from collections import OrderedDict
from typing import Dict, Optional

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


def _conv_kwargs(module: nn.Module) -> dict:
    return dict(kernel_size=module.kernel_size, stride=module.stride,
                padding=module.padding, dilation=module.dilation,
                bias=getattr(module, 'bias', None) is not None)


def _conv_class(module: nn.Module, transposed: bool = False):
    classes = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d) \
        if transposed else (nn.Conv1d, nn.Conv2d, nn.Conv3d)
    return classes[len(module.kernel_size) - 1]


def _slice_conv(module: nn.Module, in_idx, out_idx, in_dim: int) -> None:
    """Keep ``in_idx`` / ``out_idx`` of a conv whose weight holds its input
    channels at ``in_dim`` (1 for a conv, 0 for a transposed conv)."""
    module.weight = take(take(module.weight, out_idx, 1 - in_dim),
                         in_idx, in_dim)
    module.bias = take(module.bias, out_idx, 0)
    module.in_channels = _size(in_idx, module.in_channels)
    module.out_channels = _size(out_idx, module.out_channels)


def _rows_l1(module: nn.Module) -> torch.Tensor:
    w = module.weight
    return w.abs().reshape(w.shape[0], -1).sum(1)


class ConvRule(LayerRule):
    """A dense or grouped conv: ``kernel * c_in / groups * c_out`` MACs per
    output position."""
    kind = LayerKind.CONV

    def slice(self, model, name, module, in_idx, out_idx, c_in, c_out):
        _slice_conv(module, in_idx, out_idx, in_dim=1)

    def standalone(self, module, call, c_in, c_out):
        return _conv_class(module)(c_in, c_out,
                                   padding_mode=module.padding_mode,
                                   **_conv_kwargs(module))

    def filter_scores(self, module):
        return _rows_l1(module)


class StdConvRule(ConvRule):
    """A conv whose weight is standardised over its fan-in in forward
    (timm's ``StdConv2d`` / ``ScaledStdConv2d``). The compact module
    standardises over the kept input channels; the search does the same
    (``standardises_weight``), so both compute one function. Making the
    weight costs ``weight_cost`` MACs per weight element, as mmengine
    counts it; per-output-channel parameters (the gain) are cut with the
    filters."""
    kind = LayerKind.STD_CONV
    standardises_weight = True
    weight_side_mask = False  # its forward calls F.conv2d itself

    def macs(self, call, c_in, c_out):
        return super().macs(call, c_in, c_out) + \
            call.weight_cost * call.kernel * c_in / call.groups * c_out

    def mixing_macs(self, call, c_in, c_out):
        return ConvRule.macs(self, call, c_in, c_out)

    def slice(self, model, name, module, in_idx, out_idx, c_in, c_out):
        _slice_filter_params(module, out_idx)
        super().slice(model, name, module, in_idx, out_idx, c_in, c_out)


def _slice_filter_params(module: nn.Module, idx) -> None:
    """Cut a standardised conv's per-filter parameters other than weight
    and bias (the gain) to the kept filters."""
    for attr, param in list(module.named_parameters(recurse=False)):
        if attr not in ('weight', 'bias') and \
                param.shape[0] == module.out_channels and \
                param.numel() == module.out_channels:
            setattr(module, attr, take(param, idx, 0))


class TransposedConvRule(ConvRule):
    """A transposed conv, costed per *input* position; its weight is
    (in, out, ...)."""
    kind = LayerKind.CONV_T

    def slice(self, model, name, module, in_idx, out_idx, c_in, c_out):
        _slice_conv(module, in_idx, out_idx, in_dim=0)

    def standalone(self, module, call, c_in, c_out):
        return _conv_class(module, transposed=True)(
            c_in, c_out, output_padding=module.output_padding,
            **_conv_kwargs(module))

    def filter_scores(self, module):
        w = module.weight
        return w.abs().sum(dim=[d for d in range(w.dim()) if d != 1])


class GroupedConvRule(ConvRule):
    """A grouped conv whose input and output widths differ (ResNeSt's
    radix conv, a widening grouped conv): channel ``j`` of every group is
    tied to channel ``j`` of the others, in and out, so every group keeps
    the same channels and the compact layer has the same groups."""
    kind = LayerKind.GROUPED_CONV

    def slice(self, model, name, module, in_idx, out_idx, c_in, c_out):
        if in_idx is not None:  # the kept positions of the first group
            width = c_in // module.groups
            local = in_idx[in_idx < width]
            module.weight = take(module.weight, local, 1)
            module.in_channels = int(local.numel()) * module.groups
        module.weight = take(module.weight, out_idx, 0)
        module.bias = take(module.bias, out_idx, 0)
        module.out_channels = _size(out_idx, module.out_channels)

    def standalone(self, module, call, c_in, c_out):
        return _conv_class(module)(c_in, c_out,
                                   groups=math.gcd(module.groups, c_in, c_out),
                                   padding_mode=module.padding_mode,
                                   **_conv_kwargs(module))


def group_width(module: nn.Module) -> int:
    """Channels per group of a conv module (1 for a depth-wise conv)."""
    return module.in_channels // module.groups


class DepthwiseConvRule(LayerRule):
    """A depth-wise conv, or a grouped conv whose input and output have
    the same width: input and output share one layout, whose gates keep or
    drop whole conv groups (``unit`` = the group width ``w``), so the
    compact layer is a grouped conv with fewer groups. ``kernel * w * c``
    MACs per output position (``w`` = 1: depth-wise)."""
    kind = LayerKind.DWCONV
    mixes_channels = False
    same_channels = True

    def macs(self, call, c_in, c_out):
        width = call.in_layout.size // call.groups
        return call.kernel * width * c_in * call.positions

    def slice(self, model, name, module, in_idx, out_idx, c_in, c_out):
        width = group_width(module)
        module.weight = take(module.weight, in_idx, 0)
        module.bias = take(module.bias, in_idx, 0)
        module.in_channels = module.out_channels = \
            _size(in_idx, module.in_channels)
        module.groups = module.in_channels // width

    def standalone(self, module, call, c_in, c_out):
        return _conv_class(module)(c_in, c_in,
                                   groups=c_in // group_width(module),
                                   padding_mode=module.padding_mode,
                                   **_conv_kwargs(module))


class StdDepthwiseConvRule(DepthwiseConvRule):
    """A weight-standardised conv with whole conv groups kept or dropped:
    each filter's statistics read its own group only, so they need no
    mask; the gain is cut with the filters, and making the weight costs
    ``weight_cost`` MACs per weight element."""
    kind = LayerKind.STD_DWCONV
    weight_side_mask = False

    def macs(self, call, c_in, c_out):
        width = call.in_layout.size // call.groups
        return super().macs(call, c_in, c_out) + \
            call.weight_cost * call.kernel * width * c_in

    def mixing_macs(self, call, c_in, c_out):
        return DepthwiseConvRule.macs(self, call, c_in, c_out)

    def slice(self, model, name, module, in_idx, out_idx, c_in, c_out):
        _slice_filter_params(module, in_idx)
        super().slice(model, name, module, in_idx, out_idx, c_in, c_out)


class LinearRule(LayerRule):
    """A linear layer on the last dim: ``c_in * c_out`` MACs per output
    row."""
    kind = LayerKind.LINEAR
    channel_dim = -1

    def slice(self, model, name, module, in_idx, out_idx, c_in, c_out):
        module.weight = take(take(module.weight, out_idx, 0), in_idx, 1)
        module.bias = take(module.bias, out_idx, 0)
        module.in_features = _size(in_idx, module.in_features)
        module.out_features = _size(out_idx, module.out_features)

    def standalone(self, module, call, c_in, c_out):
        return nn.Linear(c_in, c_out,
                         bias=getattr(module, 'bias', None) is not None)

    def filter_scores(self, module):
        return _rows_l1(module)


def slice_norm(module: nn.Module, idx: Optional[torch.Tensor]) -> None:
    """Cut a norm's per-channel parameters and statistics to ``idx``."""
    if idx is None:
        return
    for attr in ('weight', 'bias', 'running_mean', 'running_var'):
        value = getattr(module, attr, None)
        if value is not None:
            new = take(value, idx, 0)
            if isinstance(value, nn.Parameter):
                setattr(module, attr, new)
            else:
                module.register_buffer(attr, new)
    if hasattr(module, 'num_features'):
        module.num_features = idx.numel()
    if isinstance(module, nn.GroupNorm):  # whole groups kept or dropped
        width = module.num_channels // module.num_groups
        module.num_channels = idx.numel()
        module.num_groups = idx.numel() // width


def _bn_gamma(module: nn.Module) -> Optional[torch.Tensor]:
    if isinstance(module, nn.modules.batchnorm._BatchNorm) and \
            module.weight is not None:
        return module.weight
    return None


class NormRule(LayerRule):
    """Channel-wise parameters (BN, IN, GN): costed as a free op, scored
    by its scale on its input channels."""
    kind = LayerKind.NORM
    mixes_channels = False
    costed = False
    timed = False
    same_channels = True

    def macs(self, call, c_in, c_out):
        return 0.

    def slice(self, model, name, module, in_idx, out_idx, c_in, c_out):
        slice_norm(module, in_idx)

    def gamma_scores(self, module):
        return _bn_gamma(module)

    def scored_layout(self, call):
        return call.in_layout


class DiagonalNormRule(NormRule):
    """An identity-branch BN whose input and output groups differ
    (RepVGG, decoupled): it reads its input channel c into output c."""
    kind = LayerKind.DIAG
    mixes_channels = True
    same_channels = False

    def slice(self, model, name, module, in_idx, out_idx, c_in, c_out):
        """Kept inputs and outputs that differ make a fixed partial-identity
        1x1 conv followed by the output-sliced BN: output channel o copies
        input o when that input was kept, and sees 0 (as in the gated
        model) when it was pruned."""
        in_idx = torch.arange(c_in) if in_idx is None else in_idx
        out_idx = torch.arange(c_out) if out_idx is None else out_idx
        if torch.equal(in_idx, out_idx):
            slice_norm(module, out_idx)
            return
        weight = (out_idx.view(-1, 1) == in_idx.view(1, -1)).to(
            module.running_mean.dtype if module.running_mean is not None
            else torch.float32)
        conv = nn.Conv2d(in_idx.numel(), out_idx.numel(), 1, bias=False)
        conv.weight = nn.Parameter(weight.view(*weight.shape, 1, 1)
                                   .to(next(module.parameters()).device),
                                   requires_grad=False)
        slice_norm(module, out_idx)
        parent_name, _, attr = name.rpartition('.')
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, attr, nn.Sequential(OrderedDict(conv=conv,
                                                        norm=module)))

    def scored_layout(self, call):
        return call.out_layout


class LayerNormRule(NormRule):
    """A LayerNorm over the channels (``prune_residual``): its weight,
    bias and ``normalized_shape`` are cut to the kept channels; the search
    takes its statistics over the kept channels only, so the compact
    LayerNorm is the same function."""
    kind = LayerKind.LAYER_NORM
    channel_dim = -1
    normalises_channels = True

    def slice(self, model, name, module, in_idx, out_idx, c_in, c_out):
        slice_norm(module, in_idx)
        if in_idx is not None:
            module.normalized_shape = (int(in_idx.numel()), )

    def gamma_scores(self, module):
        return getattr(module, 'weight', None)


RULES: Dict[LayerKind, LayerRule] = {
    rule.kind: rule for rule in (
        ConvRule(), StdConvRule(), GroupedConvRule(), TransposedConvRule(),
        DepthwiseConvRule(), StdDepthwiseConvRule(), LinearRule(),
        NormRule(), DiagonalNormRule(), LayerNormRule())}


def rule_of(kind: LayerKind) -> LayerRule:
    """The rules of a layer kind."""
    return RULES[kind]
