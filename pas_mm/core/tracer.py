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
                    UnsupportedOpError, merge_layouts, module_in_prefixes, pin)
from .free_ops import FreeOpsMixin, _arg, _flatten, _norm_cost_factor
from .ops import CONV_OPS, CREATION_OPS, NON_TENSOR_OPS, func_name

class ChannelTracer(FreeOpsMixin, TorchFunctionMode):

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
