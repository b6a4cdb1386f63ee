"""Framework-agnostic PaS core (plain PyTorch, no mm* imports).

The pipeline: gate -> graph -> cost/search space -> export -> reparam.
"""
from .export import apply_width_spec, export
from .gate import DBCGate, ste_mask
from .graph import ChannelGraph, UnsupportedOpError, trace_channels
from .reparam import reparameterize
from .space import BudgetError, SearchSpace, build_search_space
from .width_spec import WidthSpecError

__all__ = [
    'DBCGate', 'ste_mask', 'ChannelGraph', 'trace_channels',
    'UnsupportedOpError', 'SearchSpace', 'build_search_space', 'BudgetError',
    'export', 'apply_width_spec', 'WidthSpecError', 'reparameterize'
]
