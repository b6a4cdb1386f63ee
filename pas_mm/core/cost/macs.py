"""The MACs of a traced scope for given kept channel counts.

Counting follows ``mmengine.analysis``'s FlopAnalyzer defaults (one
multiply-add is one "flop"), so the MACs of a traced scope match what
``tools/analysis/get_flops.py`` reports for it. Each call's cost factors
were recorded by the tracer (``pas_mm.core.trace.op_costs`` holds those
formulas); ``graph_macs`` sums them for kept counts, which may be
differentiable tensors.
"""
import fnmatch
from collections import defaultdict
from typing import Callable, Dict

import torch

from ..trace.graph import ChannelGraph, LayerCall, Layout
from ..trace.layer_rules import rule_of


def layer_macs(call: LayerCall, c_in, c_out):
    """MACs per sample of one layer call with ``c_in`` / ``c_out`` kept
    channels (numbers or tensors): its kind's rule
    (``pas_mm.core.trace.layer_rules``); 0 for norms, costed as free ops."""
    return rule_of(call.kind).macs(call, c_in, c_out)


def graph_macs(graph: ChannelGraph, kept: Callable[[Layout], object],
               fold=(), own_layer: bool = False) -> torch.Tensor:
    """Per-sample MACs of a traced scope.

    Args:
        graph (ChannelGraph): the trace.
        kept (callable): layout -> number of kept channels (a number or a
            differentiable tensor).
        fold (Sequence[str]): fnmatch patterns of layers that
            reparameterisation folds into others; they are not costed.
            Default: ().
        own_layer (bool): the original PaS code's cost attribution: a
            channel-mixing layer's kept input count is read as a constant,
            so a gate's gradient holds only the layers that produce its
            channels (``pas_mm.core.search.budget``). The value is the same.
            Default: False.
    """
    def folded(name):
        return any(fnmatch.fnmatchcase(name, p) for p in fold)

    total = 0.
    for name, calls in graph.calls.items():
        if folded(name):
            continue
        for call in calls:
            rule = rule_of(call.kind)
            if not rule.costed:
                continue
            c_in = kept(call.in_layout)
            if own_layer and rule.mixes_channels and \
                    isinstance(c_in, torch.Tensor):
                c_in = c_in.detach()
            total = total + rule.macs(call, c_in, kept(call.out_layout))
    for free in graph.free_calls:
        if free.owner is not None and folded(free.owner):
            continue
        total = total + kept(free.layout) * free.cost_per_channel
    for prod in graph.product_calls:
        if prod.heads is None:
            total = total + prod.macs
        else:  # per kept head
            total = total + prod.macs * kept(prod.heads) / prod.heads.size
    if not isinstance(total, torch.Tensor):
        total = torch.tensor(float(total))
    return total


def macs_by_module(graph: ChannelGraph, fold=()) -> Dict[str, float]:
    """Per-sample MACs of a traced scope at full width, by the module that
    holds each op's parameters (its layers, its norms); parameter-free ops
    and activation products under ``''``. For naming where two counts
    differ."""
    out: Dict[str, float] = defaultdict(float)
    for name, calls in graph.calls.items():
        if any(fnmatch.fnmatchcase(name, p) for p in fold):
            continue
        for call in calls:
            if rule_of(call.kind).costed:
                out[name] += float(layer_macs(call, call.in_layout.size,
                                              call.out_layout.size))
    for free in graph.free_calls:
        if free.owner is not None and any(
                fnmatch.fnmatchcase(free.owner, p) for p in fold):
            continue
        out[free.owner or ''] += float(free.layout.size *
                                       free.cost_per_channel)
    for prod in graph.product_calls:
        out[''] += float(prod.macs)
    return dict(out)
