"""Step 2 of the core pipeline: what a traced scope costs.

MACs for given kept channel counts (``macs``, differentiable), latency
from a measured per-layer table (``latency``), the cross-check against
PyTorch's FLOP counter (``macs_check``) and the plain-words account of
what no gate reaches (``explain``).
"""
from .latency import build_latency_table, graph_latency, load_latency_table
from .macs import graph_macs, layer_macs, macs_by_module

__all__ = ['graph_macs', 'layer_macs', 'macs_by_module',
           'build_latency_table', 'graph_latency', 'load_latency_table']
