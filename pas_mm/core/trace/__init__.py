"""Step 1 of the core pipeline: trace a model into a channel graph.

``trace_channels`` runs one forward pass under a ``TorchFunctionMode``
and records which channels every call ties together (``graph``), what
kind of layer each parametric call is (``LayerKind`` and its rule in
``layer_rules``) and each call's cost factors (``op_costs``). It knows
nothing of cost totals, gates or export.
"""
from .graph import ChannelGraph, LayerCall, LayerKind, Layout
from .layer_rules import LayerRule, rule_of
from .tracer import trace_channels

__all__ = ['ChannelGraph', 'LayerCall', 'LayerKind', 'Layout', 'LayerRule',
           'rule_of', 'trace_channels']
