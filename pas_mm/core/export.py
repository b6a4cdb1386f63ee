"""Export: slice the real weights of every producer and consumer.

After ``export`` the model holds no gates and no hooks: it is an ordinary
nn.Module of the same classes, smaller, and (in eval mode) computes exactly
what the gated model computed.
"""
from collections import OrderedDict
from typing import Dict, Tuple

import torch
from torch import nn

from .graph import LayerKind, Layout
from .heads import resize_heads
from .space import SearchSpace, build_search_space
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
        _slice_module(space.model, name, modules[name], call.kind, in_idx,
                      out_idx, call.in_layout.size, call.out_layout.size)
    resize_heads([unit for unit, _ in space.graph.heads], heads)
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
        fold=width_spec.get('fold', ()))
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


def _take(param, idx, dim):
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


def _slice_module(model, name, mod, kind, in_idx, out_idx, c_in, c_out):
    if kind is LayerKind.CONV:
        mod.weight = _take(_take(mod.weight, out_idx, 0), in_idx, 1)
        mod.bias = _take(mod.bias, out_idx, 0)
        mod.in_channels = _size(in_idx, mod.in_channels)
        mod.out_channels = _size(out_idx, mod.out_channels)
    elif kind is LayerKind.CONV_T:
        mod.weight = _take(_take(mod.weight, in_idx, 0), out_idx, 1)
        mod.bias = _take(mod.bias, out_idx, 0)
        mod.in_channels = _size(in_idx, mod.in_channels)
        mod.out_channels = _size(out_idx, mod.out_channels)
    elif kind is LayerKind.DWCONV:
        mod.weight = _take(mod.weight, in_idx, 0)
        mod.bias = _take(mod.bias, in_idx, 0)
        mod.in_channels = mod.out_channels = mod.groups = \
            _size(in_idx, mod.in_channels)
    elif kind is LayerKind.LINEAR:
        mod.weight = _take(_take(mod.weight, out_idx, 0), in_idx, 1)
        mod.bias = _take(mod.bias, out_idx, 0)
        mod.in_features = _size(in_idx, mod.in_features)
        mod.out_features = _size(out_idx, mod.out_features)
    elif kind is LayerKind.NORM:
        _slice_norm(mod, in_idx)
    elif kind is LayerKind.DIAG:
        _export_diagonal(model, name, mod, in_idx, out_idx, c_in, c_out)
    else:
        raise RuntimeError(f'cannot slice {kind} layer {name!r}')


def _slice_norm(mod, idx):
    if idx is None:
        return
    for attr in ('weight', 'bias', 'running_mean', 'running_var'):
        value = getattr(mod, attr, None)
        if value is not None:
            new = _take(value, idx, 0)
            if isinstance(value, nn.Parameter):
                setattr(mod, attr, new)
            else:
                mod.register_buffer(attr, new)
    if hasattr(mod, 'num_features'):
        mod.num_features = idx.numel()
    if isinstance(mod, nn.GroupNorm):
        mod.num_channels = mod.num_groups = idx.numel()


def _export_diagonal(model, name, bn, in_idx, out_idx, c_in, c_out):
    """An identity-branch BN with different kept inputs and outputs becomes
    a fixed partial-identity 1x1 conv followed by the output-sliced BN:
    output channel o copies input channel o when that input was kept, and
    sees 0 (as in the gated model) when it was pruned."""
    in_idx = torch.arange(c_in) if in_idx is None else in_idx
    out_idx = torch.arange(c_out) if out_idx is None else out_idx
    if torch.equal(in_idx, out_idx):
        _slice_norm(bn, out_idx)
        return
    weight = (out_idx.view(-1, 1) == in_idx.view(1, -1)).to(
        bn.running_mean.dtype if bn.running_mean is not None else
        torch.float32)
    conv = nn.Conv2d(in_idx.numel(), out_idx.numel(), 1, bias=False)
    conv.weight = nn.Parameter(weight.view(*weight.shape, 1, 1)
                               .to(next(bn.parameters()).device),
                               requires_grad=False)
    _slice_norm(bn, out_idx)
    parent_name, _, attr = name.rpartition('.')
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, attr, nn.Sequential(OrderedDict(conv=conv, norm=bn)))


def _size(idx, default):
    return default if idx is None else int(idx.numel())


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
