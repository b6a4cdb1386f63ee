"""Each parametric layer kind's rules, listed in one place (``RULES``).

The tracer classifies every call of a parametric layer as a
:class:`~pas_mm.core.trace.graph.LayerKind`. What the rest of the pipeline does
with a kind is its :class:`LayerRule`, one class per kind (as
Torch-Pruning keeps one pruner per layer type): the linear and norm kinds'
here, the conv kinds' in ``conv_rules``, their base in ``rule_base``.
A rule provides:

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
from collections import OrderedDict
from typing import Dict, Optional

import torch
from torch import nn

from .conv_rules import (ConvRule, DepthwiseConvRule, GroupedConvRule,
                         StdConvRule, StdDepthwiseConvRule, TransposedConvRule,
                         group_width)
from .graph import LayerKind
from .rule_base import LayerRule, _size, rows_l1, take

__all__ = ['LayerRule', 'RULES', 'rule_of', 'take', 'group_width',
           'slice_norm']


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
        return rows_l1(module)


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
