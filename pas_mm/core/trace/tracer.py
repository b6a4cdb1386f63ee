"""Runs a model under a ``TorchFunctionMode`` and builds its ChannelGraph.

The mode sees every torch function and Tensor method on the way (conv,
batch_norm, add, cat, view, ...). Parametric ops are tied to their module
through the identity of their weight, so mmcv ConvModule, mmpretrain and
mmdet blocks need no special casing. Python control flow and shape-dependent
code simply run, as they would in training.
"""
from typing import Optional, Sequence

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from ..errors import UnsupportedOpError
from .call_args import flatten_tensors as _flatten
from .channel_params import ParamViews
from .free_ops import FreeOpRules
from .graph import ChannelGraph, ProductCall, module_in_prefixes
from .heads import find_head_units
from .layer_calls import LayerCalls
from .mha import convert_multihead_attention
from .op_costs import product_macs
from .ops import PRODUCT_OPS, OpClass, func_name, op_class
from .trace_state import TraceState


class ChannelTracer(LayerCalls, TorchFunctionMode):
    """Traces the channel dependencies of one run of ``model``.

    Args:
        model (nn.Module): the model to trace (any ``nn.Module``).
        exclude (Sequence[str]): module-name prefixes whose channels are
            never pruned. Default: ().
        scope (Sequence[str], optional): module-name prefixes to search;
            None searches the whole model. Default: None.
        decouple (Sequence[str]): fnmatch patterns of identity-branch
            BatchNorms whose input and output channels may keep different
            sets (RepVGG). Default: ().
        prune_residual (bool): let LayerNorms over the channels, and the
            parameters that fill them (class / position tokens, layer
            scales), take part in groups instead of pinning them: the
            residual widths of transformers and ConvNeXts. Default: False.
        keep_whole (Sequence[str]): module-name prefixes whose channels
            are never pruned, like ``exclude``, but whose MACs still count
            (what ``probe_export`` finds). Default: ().
    """

    def __init__(self, model: nn.Module, exclude: Sequence[str] = (),
                 scope: Optional[Sequence[str]] = None,
                 decouple: Sequence[str] = (), prune_residual: bool = False,
                 keep_whole: Sequence[str] = ()):
        super().__init__()
        self.keep_whole = tuple(keep_whole)
        self.decouple = tuple(decouple)
        self.model = model
        self.exclude = tuple(exclude)
        self.scope = tuple(scope) if scope else None
        self.state = TraceState()
        self.param_views = ParamViews(model) if prune_residual else None
        self.free_ops = FreeOpRules(self.state, self.param_views, model)
        self.units = {n: u for n, u in find_head_units(model).items()
                      if not self.opaque(n) and not self.held(n)}
        self.head_layouts = {}  # unit name -> Layout of its heads' channels
        self.owner = {}  # id(param or buffer) -> module name
        # data_ptr of a weight standardised in forward -> (module, its cost)
        self.standardised = {}
        for name, mod in model.named_modules():
            for t in list(mod.parameters(recurse=False)) + \
                    list(mod.buffers(recurse=False)):
                self.owner.setdefault(id(t), name)

    def here(self) -> str:
        return self.state.here()

    def held(self, name: str) -> bool:
        """Kept whole (``keep_whole``): traced and costed, never pruned."""
        return module_in_prefixes(name, self.keep_whole)

    def opaque(self, name: str) -> bool:
        """Excluded or outside the scope: its channels are pinned."""
        if module_in_prefixes(name, self.exclude):
            return True
        return self.scope is not None and not module_in_prefixes(
            name, self.scope)

    # ------------------------------------------------------------- run
    def _enter(self, name, args):  # hooks return None: no output rewrite
        self.state.stack.append(name)
        self.state.entry_layouts.append(
            [lay for lay in map(self.state.get, _flatten(args))
             if lay is not None])

    def _leave(self):
        self.state.stack.pop()
        self.state.entry_layouts.pop()

    def run(self, inputs, forward_fn=None) -> ChannelGraph:
        """Run the model on ``inputs`` (a tuple) and return the graph."""
        state = self.state
        hooks = []
        for name, mod in self.model.named_modules():
            hooks.append(mod.register_forward_pre_hook(
                lambda m, a, name=name: self._enter(name, a)))
            hooks.append(mod.register_forward_hook(
                lambda m, a, o: self._leave(), always_call=True))
        was_training = {m: m.training for m in self.model.modules()}
        self.model.eval()
        first = next((t for t in inputs if isinstance(t, torch.Tensor)), None)
        state.batch = int(first.shape[0]) if first is not None and \
            first.dim() > 0 else 1
        for i, t in enumerate(inputs):
            if isinstance(t, torch.Tensor) and t.dim() >= 2:
                state.new_layout(t, 1, pinned=f'network input {i}')
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
            layout = state.get(t)
            if layout is not None:
                state.pin_all([layout], 'network output')
        shapes = [list(t.shape) for t in inputs if isinstance(t, torch.Tensor)]
        graph = ChannelGraph(self.model, state.nodes, state.calls,
                             state.free_calls, state.batch, shapes,
                             self.exclude, self.scope, self.decouple,
                             product_calls=state.product_calls,
                             heads=[(self.units[n], lay.nodes()[0])
                                    for n, lay in self.head_layouts.items()],
                             prune_residual=self.param_views is not None,
                             split_sizes=state.split_sizes,
                             keep_whole=self.keep_whole)
        if self.param_views is not None:
            graph.channel_params = self.param_views.params
            self.param_views.release()
        state.release()
        return graph

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        name = func_name(func)
        cls = op_class(func, name)
        if cls is OpClass.IGNORED:
            return out
        if self.param_views is not None and cls is not OpClass.PARAMETRIC:
            self.param_views.follow(name, cls, args, kwargs, out)
        tracked = [(t, self.state.get(t)) for t in _flatten((args, kwargs))]
        tracked = [(t, lay) for t, lay in tracked if lay is not None]
        if cls is OpClass.PARAMETRIC:
            self.parametric(func, name, args, kwargs, out)
            return out
        if name in PRODUCT_OPS and not self.opaque(self.here()):
            macs = product_macs(name, args, kwargs)
            if macs:  # costed whether or not its operands are traced
                self.state.product_calls.append(ProductCall(
                    name, self.here(), macs / self.state.batch,
                    self.heads_here()))
        if not tracked:
            return out
        if self.opaque(self.here()):
            self.state.pin_all([lay for _, lay in tracked],
                               f'used by excluded/out-of-scope '
                               f'{self.here()!r}')
            return out
        if cls is OpClass.UNKNOWN:
            raise UnsupportedOpError(
                f'the channel tracer does not know op {name!r} (called in '
                f'module {self.here()!r}); pass exclude=[{self.here()!r}] '
                'to leave that module unpruned')
        self.free_ops.apply(func, name, cls, args, kwargs, out, tracked)
        if self.held(self.here()):
            self.state.pin_all(
                [lay for _, lay in tracked] +
                [lay for lay in map(self.state.get, _flatten(out))
                 if lay is not None], f'kept whole: {self.here()!r}')
        return out


def trace_channels(model: nn.Module, example_inputs, *,
                   exclude: Sequence[str] = (),
                   scope: Optional[Sequence[str]] = None, forward_fn=None,
                   decouple: Sequence[str] = (),
                   prune_residual: bool = False,
                   keep_whole: Sequence[str] = ()) -> ChannelGraph:
    """Run ``model`` once and return its channel-dependency graph.

    Args:
        model (nn.Module): any module.
        example_inputs (Tensor | tuple): a tensor or a tuple of positional
            inputs.
        exclude (Sequence[str]): module-name prefixes whose channels are
            never pruned. Default: ().
        scope (Sequence[str], optional): module-name prefixes to search
            (None: the whole model). Default: None.
        forward_fn (callable, optional): ``forward_fn(model, *inputs)``;
            None calls ``model(*inputs)``. Default: None.
        decouple (Sequence[str]): fnmatch patterns of identity-branch
            BatchNorms whose input and output channels may keep different
            sets (RepVGG). Default: ().
        prune_residual (bool): search the widths that LayerNorms over the
            channels hold (the residual streams of transformers and
            ConvNeXts; see :class:`ChannelTracer`). Default: False.
        keep_whole (Sequence[str]): module-name prefixes kept whole but
            costed. Default: ().

    Every ``nn.MultiheadAttention`` in scope and not excluded is replaced,
    in place, by an equal
    :class:`~pas_mm.core.trace.mha.MultiheadAttentionUnit` (the same
    function and state-dict keys) whose heads can be searched.
    """
    convert_multihead_attention(model, keep=lambda name: (
        module_in_prefixes(name, tuple(exclude) + tuple(keep_whole)) or (
            scope is not None and not module_in_prefixes(name, scope))))
    if isinstance(example_inputs, torch.Tensor):
        example_inputs = (example_inputs, )
    tracer = ChannelTracer(model, exclude=tuple(exclude), scope=scope,
                           decouple=tuple(decouple),
                           prune_residual=prune_residual,
                           keep_whole=tuple(keep_whole))
    return tracer.run(example_inputs, forward_fn)
