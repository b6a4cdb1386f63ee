"""Export: slice the real weights of every producer and consumer.

After ``export`` the model holds no gates and no hooks: it is an ordinary
nn.Module of the same classes, smaller, and (in eval mode) computes exactly
what the gated model computed.
"""
from typing import Dict, Tuple

import torch
from torch import nn

from ..search.space import SearchSpace, build_search_space
from ..trace.graph import Layout
from ..trace.heads import resize_heads
from ..trace.layer_rules import rule_of, take
from .width_adapters import update_kept_widths
from .width_spec import (WidthSpecError, checked_indices, make_width_spec,
                         match, validate_width_spec)


def export(space: SearchSpace) -> Tuple[nn.Module, dict]:
    """Slice ``space.model`` in place to its kept channels.

    ``min_channels``/``round_to`` are honoured first by re-opening the
    highest-latent channels of each group, so the gated model and the
    compact one agree exactly.

    Args:
        space (SearchSpace): the search space of the model to slice; its
            gates and hooks are removed.

    Returns:
        tuple[nn.Module, dict]: the same model object, sliced, and its
        width spec (JSON-serialisable description of the kept channels).
    """
    space.apply_constraints()
    keep = {name: gate.kept_indices() for name, gate in space.gates.items()}
    heads = {unit.name: space.gate_of(node).kept_units()
             for unit, node in space.graph.heads
             if space.gate_of(node) is not None}
    spec = make_width_spec(space, keep)
    modules = dict(space.model.named_modules())
    space.remove()
    for name, calls in space.graph.calls.items():
        call = calls[0]
        if call.pinned:
            continue
        in_idx = _layout_indices(space, call.in_layout, keep)
        out_idx = _layout_indices(space, call.out_layout, keep)
        if in_idx is None and out_idx is None:
            continue
        rule_of(call.kind).slice(space.model, name, modules[name], in_idx,
                                 out_idx, call.in_layout.size,
                                 call.out_layout.size)
    for param in space.graph.channel_params:  # class tokens, layer scales
        idx = _layout_indices(space, param.layout, keep)
        if idx is not None:
            owner = modules[param.module]
            setattr(owner, param.attr,
                    take(getattr(owner, param.attr), idx, param.dim))
    for split in space.graph.split_sizes:  # MixNet's splits, ...
        module = modules[split.module]
        kept = [layout.size if idx is None else int(idx.numel())
                for layout in split.layouts
                for idx in [_layout_indices(space, layout, keep)]]
        old = getattr(module, split.attr)
        setattr(module, split.attr, type(old)(kept))
    resize_heads([unit for unit, _ in space.graph.heads], heads)
    update_kept_widths(space.model)
    return space.model, spec


def apply_width_spec(model: nn.Module, width_spec: dict, example_inputs=None,
                     forward_fn=None) -> nn.Module:
    """Reshape a fresh model to a searched width spec (in place).

    The model is traced again; every group of the spec must exist with the
    same channel count, or ``WidthSpecError`` names the first mismatch.

    Args:
        model (nn.Module): a fresh (full-width) model of the spec's kind.
        width_spec (dict): a spec written by :func:`export`.
        example_inputs (tuple, optional): inputs for the trace.
            Default: None (zeros of the spec's recorded input shapes).
        forward_fn (callable, optional): ``forward_fn(model, *inputs)``.
            Default: None.

    Returns:
        nn.Module: ``model``, sliced.
    """
    validate_width_spec(width_spec)
    if example_inputs is None:
        example_inputs = tuple(torch.zeros(s) for s in
                               width_spec['input_shapes'])
    space = build_search_space(
        model, example_inputs, exclude=width_spec.get('exclude', ()),
        scope=width_spec.get('scope'), forward_fn=forward_fn,
        decouple=width_spec.get('decouple', ()),
        fold=width_spec.get('fold', ()),
        prune_residual=width_spec.get('prune_residual', False),
        keep_whole=width_spec.get('keep_whole', ()))
    try:
        groups = match(space, width_spec)
        keep = {name: checked_indices(name, groups[name]['indices'],
                                      gate.num_channels)
                for name, gate in space.gates.items()}
    except WidthSpecError:
        space.remove()
        raise
    with torch.no_grad():
        for name, gate in space.gates.items():
            gate.set_kept(keep[name])
    space.min_channels, space.round_to = 1, 1
    compact, _ = export(space)
    return compact


def _layout_indices(space: SearchSpace, layout: Layout,
                    keep: Dict[str, torch.Tensor]):
    """Kept channel indices of a layout, or None if it keeps them all."""
    parts, offset, changed = [], 0, False
    for node, n in layout.leaves():
        name = space.group_names.get(node.uid)
        if name is None:
            parts.append(torch.arange(offset, offset + n))
        else:
            parts.append(keep[name] + offset)
            changed = changed or keep[name].numel() != n
        offset += n
    return torch.cat(parts) if changed else None


def max_rel_diff(a, b) -> float:
    """max |a - b| / max |a| over the tensors of two (nested) outputs."""
    worst = 0.0
    for x, y in zip(_tensors(a), _tensors(b)):
        if x.shape != y.shape:
            raise ValueError(f'output shapes differ: {tuple(x.shape)} vs '
                             f'{tuple(y.shape)}')
        scale = max(float(x.abs().max()), 1e-6)
        worst = max(worst, float((x - y).abs().max()) / scale)
    return worst


def _tensors(out):
    if isinstance(out, torch.Tensor):
        return [out]
    if isinstance(out, dict):
        out = list(out.values())
    return [t for o in out for t in _tensors(o)]
