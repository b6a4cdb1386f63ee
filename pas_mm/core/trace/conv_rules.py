"""The rules of the conv kinds: dense, weight-standardised, grouped,
transposed and depth-wise convs (``pas_mm.core.trace.layer_rules`` lists
them with the others)."""
import math

from torch import nn

from .graph import LayerKind
from .rule_base import LayerRule, _size, rows_l1, take


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
        return rows_l1(module)


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
