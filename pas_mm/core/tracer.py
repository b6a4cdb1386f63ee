"""Runs a model under a ``TorchFunctionMode`` and builds its ChannelGraph.

The mode sees every torch function and Tensor method on the way (conv,
batch_norm, add, cat, view, ...). Parametric ops are tied to their module
through the identity of their weight, so mmcv ConvModule, mmpretrain and
mmdet blocks need no special casing. Python control flow and shape-dependent
code simply run, as they would in training.
"""
import fnmatch
import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from .graph import (ChannelGraph, ChannelNode, FreeCall, LayerCall, Layout,
                    UnsupportedOpError, merge_layouts, module_in_prefixes, pin,
                    slice_layout)
from .ops import (BINARY_OPS, CONCAT_OPS, CONV_OPS, CREATION_OPS, DIM_OPS,
                  MIXING_OPS, NON_TENSOR_OPS, REDUCTION_OPS, RESHAPE_OPS,
                  UNARY_OPS, func_name)

_POOL_FUNCS = {F.max_pool1d, F.max_pool2d, F.max_pool3d,
               F.adaptive_max_pool1d, F.adaptive_max_pool2d,
               F.adaptive_max_pool3d, F.fractional_max_pool2d}


class ChannelTracer(TorchFunctionMode):

    def __init__(self, model: nn.Module, exclude=(), scope=None,
                 decouple=()):
        super().__init__()
        self.decouple = tuple(decouple)
        self.model = model
        self.exclude = tuple(exclude)
        self.scope = tuple(scope) if scope else None
        self.layouts = {}  # id(tensor) -> (tensor, Layout); keeps tensors alive
        self.nodes = []
        self.calls = {}
        self.free_calls = []
        self.stack = ['']
        self.batch = 1
        self.owner = {}  # id(param or buffer) -> module name
        for name, mod in model.named_modules():
            for t in list(mod.parameters(recurse=False)) + \
                    list(mod.buffers(recurse=False)):
                self.owner.setdefault(id(t), name)
        self.modules = dict(model.named_modules())

    # ------------------------------------------------------------- nodes
    def new_node(self, size: int, producer: Optional[str] = None,
                 pinned: Optional[str] = None) -> ChannelNode:
        node = ChannelNode(self.nodes, size)
        if producer is not None:
            node.producers.append(producer)
        if pinned:
            node.pinned.append(pinned)
        return node

    def new_layout(self, tensor, dim, producer=None, pinned=None) -> Layout:
        node = self.new_node(tensor.shape[dim], producer, pinned)
        layout = Layout(dim, ((node, tensor.shape[dim]), ))
        self.set(tensor, layout)
        return layout

    def get(self, t) -> Optional[Layout]:
        entry = self.layouts.get(id(t)) if isinstance(t, torch.Tensor) else None
        return entry[1] if entry is not None and entry[0] is t else None

    def set(self, t, layout: Layout):
        if isinstance(t, torch.Tensor):
            self.layouts[id(t)] = (t, layout)

    def pin_all(self, layouts, reason):
        for layout in layouts:
            for node in layout.nodes():
                pin(node, reason)

    # ------------------------------------------------------------- scope
    def here(self) -> str:
        return self.stack[-1]

    def opaque(self, name: str) -> bool:
        if module_in_prefixes(name, self.exclude):
            return True
        return self.scope is not None and not module_in_prefixes(
            name, self.scope)

    # ------------------------------------------------------------- run
    def _enter(self, name):  # hooks must return None: no output rewrite
        self.stack.append(name)

    def _leave(self):
        self.stack.pop()

    def run(self, inputs, forward_fn=None) -> ChannelGraph:
        hooks = []
        for name, mod in self.model.named_modules():
            hooks.append(mod.register_forward_pre_hook(
                lambda m, a, name=name: self._enter(name)))
            hooks.append(mod.register_forward_hook(
                lambda m, a, o: self._leave(), always_call=True))
        was_training = {m: m.training for m in self.model.modules()}
        self.model.eval()
        first = next((t for t in inputs if isinstance(t, torch.Tensor)), None)
        self.batch = int(first.shape[0]) if first is not None and \
            first.dim() > 0 else 1
        for i, t in enumerate(inputs):
            if isinstance(t, torch.Tensor) and t.dim() >= 2:
                self.new_layout(t, 1, pinned=f'network input {i}')
        try:
            with torch.no_grad(), self:
                if forward_fn is None:
                    out = self.model(*inputs)
                else:
                    out = forward_fn(self.model, *inputs)
        finally:
            for h in hooks:
                h.remove()
            for m, flag in was_training.items():
                m.train(flag)
        for t in _flatten(out):
            layout = self.get(t)
            if layout is not None:
                self.pin_all([layout], 'network output')
        shapes = [list(t.shape) for t in inputs if isinstance(t, torch.Tensor)]
        graph = ChannelGraph(self.model, self.nodes, self.calls,
                             self.free_calls, self.batch, shapes,
                             self.exclude, self.scope, self.decouple)
        self.layouts.clear()
        return graph

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        tracked = [(t, self.get(t)) for t in _flatten((args, kwargs))]
        tracked = [(t, lay) for t, lay in tracked if lay is not None]
        name = func_name(func)
        if name in NON_TENSOR_OPS or name in CREATION_OPS:
            return out
        if name in CONV_OPS or func in (F.linear, F.batch_norm,
                                         F.instance_norm, F.group_norm,
                                         F.layer_norm):
            self.parametric(func, name, args, kwargs, out, tracked)
            return out
        if not tracked:
            return out
        if self.opaque(self.here()):
            self.pin_all([lay for _, lay in tracked],
                         f'used by excluded/out-of-scope {self.here()!r}')
            return out
        self.free_op(func, name, args, kwargs, out, tracked)
        return out

    # ------------------------------------------------------------- layers
    def parametric(self, func, name, args, kwargs, out, tracked):
        x = args[0] if args else kwargs.get('input')
        lay = self.get(x)
        weight = _arg(args, kwargs, 1, 'weight')
        if func in (F.batch_norm, F.instance_norm):
            weight = _arg(args, kwargs, 3, 'weight')
            if weight is None:
                weight = _arg(args, kwargs, 1, 'running_mean')
        elif func is F.group_norm or func is F.layer_norm:
            weight = _arg(args, kwargs, 2, 'weight')
        owner = self.owner.get(id(weight)) if weight is not None else None
        where = owner if owner is not None else self.here()
        if self.opaque(where):
            if lay is not None:
                self.pin_all([lay], f'used by excluded/out-of-scope {where!r}')
            return
        if lay is None:  # e.g. behind a reshape: fixed channels, still costed
            dim = x.dim() - 1 if func is F.linear else min(1, x.dim() - 1)
            lay = self.new_layout(x, dim, pinned=f'untracked input of '
                                  f'{where!r}')
        if name in CONV_OPS:
            self.conv(name, args, kwargs, x, lay, weight, out, owner)
        elif func is F.linear:
            self.linear(x, lay, weight, out, owner)
        else:
            self.norm(func, args, kwargs, x, lay, out, owner)

    def conv(self, name, args, kwargs, x, lay, weight, out, owner):
        if lay.dim != 1:
            raise UnsupportedOpError(
                f'{name} in {owner or self.here()!r} reads channels from dim '
                f'{lay.dim}; add it to exclude=')
        transposed = 'transpose' in name
        groups = int(_arg(args, kwargs, 6, 'groups') or 1)  # same slot in both
        c_in, c_out = x.shape[1], out.shape[1]
        kernel = math.prod(weight.shape[2:])
        if transposed:  # mmengine costs transposed convs per input position
            positions = math.prod(x.shape[2:])
        else:
            positions = math.prod(out.shape[2:])
        if owner is None:
            self.pin_all([lay], f'{name} with a computed weight in '
                         f'{self.here()!r}')
            self.new_layout(out, 1, pinned=f'{name} in {self.here()!r}')
            return
        if groups == 1:
            out_lay = self.new_layout(out, 1, producer=owner)
            kind = 'convT' if transposed else 'conv'
            self.record(LayerCall(owner, kind, lay, out_lay, kernel, 1,
                                  positions))
        elif groups == c_in == c_out and not transposed:
            self.set(out, lay)  # depth-wise: input and output channels coupled
            self.record(LayerCall(owner, 'dwconv', lay, lay, kernel, groups,
                                  positions))
        else:
            reason = f'grouped conv {owner!r} (groups={groups})'
            self.pin_all([lay], reason)
            out_lay = self.new_layout(out, 1, pinned=reason)
            self.record(LayerCall(owner, 'conv', lay, out_lay, kernel, groups,
                                  positions, pinned=True))

    def linear(self, x, lay, weight, out, owner):
        if lay.dim != x.dim() - 1:
            self.pin_all([lay], f'linear {owner!r} on a non-channel dim')
            self.new_layout(out, out.dim() - 1, pinned=f'linear {owner!r}')
            return
        positions = out.numel() // (out.shape[-1] * self.batch)
        if owner is None:
            self.pin_all([lay], f'linear with a computed weight in '
                         f'{self.here()!r}')
            self.new_layout(out, out.dim() - 1, pinned='computed linear')
            return
        out_lay = self.new_layout(out, out.dim() - 1, producer=owner)
        self.record(LayerCall(owner, 'linear', lay, out_lay, 1, 1, positions))

    def norm(self, func, args, kwargs, x, lay, out, owner):
        op = func.__name__
        positions = out.numel() // (x.shape[lay.dim] * self.batch) if \
            x.dim() > lay.dim else 1
        cost = positions * _norm_cost_factor(func, args, kwargs)
        if func is F.layer_norm:
            shape = _arg(args, kwargs, 1, 'normalized_shape')
            if lay.dim >= x.dim() - len(shape):
                self.pin_all([lay], f'layer_norm over channels in '
                             f'{owner or self.here()!r}')
            self.set(out, lay)
            self.free_calls.append(FreeCall(op, lay, cost, owner))
            return
        if lay.dim != 1:
            raise UnsupportedOpError(
                f'{op} in {owner or self.here()!r} reads channels from dim '
                f'{lay.dim}; add it to exclude=')
        if owner is not None and func is F.batch_norm and any(
                fnmatch.fnmatchcase(owner, p) for p in self.decouple):
            # identity branch (RepVGG): channel c in -> channel c out, but the
            # kept sets may differ; export makes it a partial identity
            out_lay = self.new_layout(out, 1, producer=owner)
            self.free_calls.append(FreeCall(op, out_lay, cost, owner))
            self.record(LayerCall(owner, 'diag', lay, out_lay, 1, 1,
                                  positions))
            return
        if func is F.group_norm:
            num_groups = _arg(args, kwargs, 1, 'num_groups')
            if num_groups != x.shape[1]:
                self.pin_all([lay], f'group_norm {owner or self.here()!r} '
                             f'with {num_groups} groups')
        self.set(out, lay)
        self.free_calls.append(FreeCall(op, lay, cost, owner))
        if owner is not None:
            self.record(LayerCall(owner, 'norm', lay, lay, 1, 1, positions,
                                  pinned=func is F.group_norm and
                                  _arg(args, kwargs, 1, 'num_groups') !=
                                  x.shape[1]))

    def record(self, call: LayerCall):
        """Calls of one module share weights: their channels are coupled."""
        previous = self.calls.setdefault(call.name, [])
        if previous:
            first = previous[0]
            reason = f'{call.name!r} called on differently split inputs'
            merge_layouts(first.in_layout, call.in_layout, reason)
            if call.kind not in ('dwconv', 'norm'):  # diag: out is its own
                merge_layouts(first.out_layout, call.out_layout, reason)
        previous.append(call)

    # ------------------------------------------------------------- free ops
    def free_op(self, func, name, args, kwargs, out, tracked):
        x, lay = tracked[0]
        if name in ('max', 'min') and len(list(_flatten((args, kwargs)))) == 1:
            name = 'amax'  # x.max(dim) is a reduction, max(a, b) element-wise
        if name in UNARY_OPS or func in _POOL_FUNCS:
            self.unary(name, args, kwargs, tracked, out)
        elif name in BINARY_OPS:
            self.elementwise(name, args, kwargs, tracked, out)
        elif name in CONCAT_OPS:
            self.concat(name, args, kwargs, out)
        elif name in RESHAPE_OPS:
            self.reshape(name, x, lay, args, kwargs, out)
        elif name in REDUCTION_OPS:
            self.reduction(name, x, lay, args, kwargs, out)
        elif name in DIM_OPS:
            dim = _arg(args, kwargs, 1, 'dim')
            if dim is None or dim % x.dim() == lay.dim:
                self.pin_all([l for _, l in tracked],
                             f'{name} across channels in {self.here()!r}')
            elif isinstance(out, torch.Tensor) and out.shape == x.shape:
                self.set(out, lay)
        elif name in MIXING_OPS:
            self.pin_all([l for _, l in tracked],
                         f'{name} mixes channels in {self.here()!r}')
        elif name in ('split', 'chunk'):
            self.split(name, x, lay, args, kwargs, out)
        elif name == '__getitem__':
            self.getitem(x, lay, args[1], out)
        else:
            raise UnsupportedOpError(
                f'the channel tracer does not know op {name!r} (called in '
                f'module {self.here()!r}); pass exclude=[{self.here()!r}] '
                'to leave that module unpruned')

    def unary(self, name, args, kwargs, tracked, out):
        x, lay = tracked[0]
        res = out[0] if isinstance(out, (tuple, list)) else out
        if len(tracked) > 1:  # e.g. pow(x, y): element-wise between tensors
            return self.elementwise(name, args, kwargs, tracked, out)
        if name == 'pad':
            pads = _arg(args, kwargs, 1, 'pad')
            padded_dims = [x.dim() - 1 - i // 2 for i, p in enumerate(pads)
                           if p]
            if lay.dim in padded_dims:
                self.pin_all([lay], f'pad of the channel dim in '
                             f'{self.here()!r}')
                return
        if isinstance(res, torch.Tensor) and res.dim() == x.dim() and \
                res.shape[lay.dim] == x.shape[lay.dim]:
            self.set(res, lay)
            cost = _free_cost(name, args, kwargs, x, res, lay, self.batch)
            if cost is not None:
                self.free_calls.append(FreeCall(name, lay, cost))
        else:
            self.pin_all([lay], f'{name} changed the channels in '
                         f'{self.here()!r}')

    def elementwise(self, name, args, kwargs, tracked, out):
        if not isinstance(out, torch.Tensor):
            return
        reason = f'{name} in {self.here()!r}'
        merged = None
        for t, lay in tracked:
            from_right = t.dim() - lay.dim
            if t.shape[lay.dim] == 1:
                continue  # broadcast along channels: nothing to couple
            out_dim = out.dim() - from_right
            if out_dim < 0 or out.shape[out_dim] != t.shape[lay.dim]:
                self.pin_all([lay], reason)
                continue
            lay = lay.with_dim(out_dim)
            if merged is None:
                merged = lay
            elif merged.dim != lay.dim:
                self.pin_all([merged, lay], reason)
            else:
                merged = merge_layouts(merged, lay, reason)
        if merged is None:
            return
        # a plain tensor that fills the channel dim (e.g. a learned scale that
        # is not a module parameter) cannot be sliced with the group
        from_right = out.dim() - merged.dim
        for t in _flatten((args, kwargs)):
            if self.get(t) is None and t.dim() >= from_right and \
                    t.shape[t.dim() - from_right] == out.shape[merged.dim] > 1:
                self.pin_all([merged], f'{name} with an untracked '
                             f'per-channel tensor in {self.here()!r}')
        self.set(out, merged)

    def concat(self, name, args, kwargs, out):
        tensors = list(args[0]) if args else list(kwargs['tensors'])
        dim = _arg(args, kwargs, 1, 'dim') or 0
        ref = next(t for t in tensors if self.get(t) is not None)
        dim = dim % ref.dim()
        layouts = [self.get(t) for t in tensors]
        if name == 'stack':
            lays = [lay for lay in layouts if lay is not None]
            merged = lays[0]
            for lay in lays[1:]:
                merged = merge_layouts(merged, lay, f'stack in {self.here()!r}')
            if len(lays) != len(tensors):
                self.pin_all(lays, f'stack with untracked tensors')
            cdim = merged.dim + 1 if dim <= merged.dim else merged.dim
            self.set(out, merged.with_dim(cdim))
            return
        cdims = {lay.dim for lay in layouts if lay is not None}
        if cdims == {dim}:
            segments = []
            for t, lay in zip(tensors, layouts):
                if lay is None:  # e.g. a constant map: a pinned segment
                    node = self.new_node(t.shape[dim], pinned='untracked '
                                         f'cat input in {self.here()!r}')
                    segments.append((node, t.shape[dim]))
                else:
                    segments.extend(lay.segments)
            self.set(out, Layout(dim, tuple(segments)))
        elif len(cdims) == 1 and None not in layouts:
            merged = layouts[0]
            for lay in layouts[1:]:
                merged = merge_layouts(merged, lay, f'cat in {self.here()!r}')
            self.set(out, merged)
        else:
            self.pin_all([l for l in layouts if l is not None],
                         f'cat of mixed layouts in {self.here()!r}')

    def reshape(self, name, x, lay, args, kwargs, out):
        if not isinstance(out, torch.Tensor):
            return
        if name == 'permute':
            dims = args[1:] if len(args) > 2 or not isinstance(
                args[1], (list, tuple)) else args[1]
            dims = [d % x.dim() for d in dims]
            self.set(out, lay.with_dim(dims.index(lay.dim)))
            return
        if name in ('transpose', 'swapaxes', 'swapdims'):
            a, b = (_arg(args, kwargs, 1, 'dim0') % x.dim(),
                    _arg(args, kwargs, 2, 'dim1') % x.dim())
            new = b if lay.dim == a else a if lay.dim == b else lay.dim
            self.set(out, lay.with_dim(new))
            return
        # view / reshape / flatten / squeeze / unsqueeze / expand ...: the
        # channel dim survives when it keeps its size and everything before
        # it keeps its total size
        lead = math.prod(x.shape[:lay.dim])
        acc = 1
        for d in range(out.dim()):
            if acc == lead and out.shape[d] == x.shape[lay.dim] and \
                    math.prod(out.shape[d:]) * lead == out.numel() and \
                    out.numel() // (lead * out.shape[d]) == \
                    x.numel() // (lead * x.shape[lay.dim]) or (
                        acc == lead and out.shape[d] == x.shape[lay.dim] and
                        name in ('expand', 'expand_as', 'repeat')
                        and out.dim() == x.dim() and d == lay.dim):
                self.set(out, lay.with_dim(d))
                return
            acc *= out.shape[d]
        self.pin_all([lay], f'{name} reshapes the channel dim in '
                     f'{self.here()!r}')

    def reduction(self, name, x, lay, args, kwargs, out):
        dim = _arg(args, kwargs, 1, 'dim')
        keepdim = bool(_arg(args, kwargs, 2, 'keepdim'))
        res = out[0] if isinstance(out, (tuple, list)) else out
        if dim is None:
            self.pin_all([lay], f'{name} over all dims in {self.here()!r}')
            return
        dims = {d % x.dim() for d in (dim if isinstance(dim, (list, tuple))
                                      else [dim])}
        if lay.dim in dims:
            self.pin_all([lay], f'{name} across channels in {self.here()!r}')
            return
        new = lay.dim if keepdim else lay.dim - sum(d < lay.dim for d in dims)
        if isinstance(res, torch.Tensor):
            self.set(res, lay.with_dim(new))

    def split(self, name, x, lay, args, kwargs, out):
        dim = _arg(args, kwargs, 2 if name == 'split' else 2, 'dim') or 0
        dim = dim % x.dim()
        if dim != lay.dim:
            for piece in out:
                self.set(piece, lay)
            return
        # split sizes are constants in the model's code: pruning any group
        # they cut would break them, so those groups stay whole
        self.pin_all([lay], f'{name} of the channel dim in {self.here()!r}')
        start = 0
        for piece in out:
            size = piece.shape[dim]
            self.set(piece, slice_layout(lay, start, start + size))
            start += size

    def getitem(self, x, lay, index, out):
        if not isinstance(out, torch.Tensor):
            return
        if not isinstance(index, tuple):
            index = (index, )
        if any(i is None or isinstance(i, torch.Tensor) or
               (isinstance(i, (list, bool))) for i in index):
            self.pin_all([lay], f'advanced indexing in {self.here()!r}')
            return
        if Ellipsis in index:
            k = index.index(Ellipsis)
            fill = x.dim() - (len(index) - 1)
            index = index[:k] + (slice(None), ) * fill + index[k + 1:]
        index = index + (slice(None), ) * (x.dim() - len(index))
        new_dim = sum(1 for i in index[:lay.dim] if not isinstance(i, int))
        sel = index[lay.dim]
        if isinstance(sel, int):
            self.pin_all([lay], f'channel index in {self.here()!r}')
            return
        start, stop, step = sel.indices(x.shape[lay.dim])
        self.pin_all([lay], f'channel slice in {self.here()!r}')
        if step != 1 or stop <= start:
            return
        self.set(out, slice_layout(lay, start, stop).with_dim(new_dim))


def _free_cost(name, args, kwargs, x, res, lay, batch):
    """Per-sample, per-channel cost mmengine.analysis charges for a
    parameter-free op (its FlopAnalyzer defaults), or None if it charges
    nothing: upsampling costs 1 (nearest) or 4 (bilinear) per output element,
    adaptive average pooling 1 per input element."""
    if name in ('interpolate', 'upsample', 'upsample_nearest',
                'upsample_bilinear'):
        mode = _arg(args, kwargs, 3, 'mode') or 'nearest'
        if name == 'upsample_bilinear':
            mode = 'bilinear'
        if mode not in ('nearest', 'bilinear') or res.dim() != 4:
            return None
        per_out = res.numel() // (res.shape[lay.dim] * batch)
        return per_out * (4 if mode == 'bilinear' else 1)
    if name == 'adaptive_avg_pool2d':
        return x.numel() // (x.shape[lay.dim] * batch)
    return None


def _norm_cost_factor(func, args, kwargs):
    """mmengine's FlopAnalyzer: eval batch_norm costs 1 per element (2 with
    affine params); instance/group/layer norm 4 (5 with affine params)."""
    if func is F.batch_norm:
        return 2 if _arg(args, kwargs, 3, 'weight') is not None else 1
    if func is F.instance_norm:
        affine = _arg(args, kwargs, 3, 'weight') is not None
    else:  # group_norm, layer_norm
        affine = _arg(args, kwargs, 2, 'weight') is not None
    return 5 if affine else 4


def _arg(args, kwargs, pos, key):
    if key in kwargs:
        return kwargs[key]
    return args[pos] if len(args) > pos else None


def _flatten(obj):
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _flatten(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _flatten(v)
    elif hasattr(obj, '__dict__') and not isinstance(obj, nn.Module) and \
            type(obj).__module__.startswith('mm'):
        yield from _flatten(vars(obj))  # mm data samples
