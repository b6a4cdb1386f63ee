"""Framework-agnostic PaS core (plain PyTorch, no mm* imports).

The pipeline: gate -> graph -> cost/search space -> export -> reparam.
"""
from .criteria import CRITERIA, channel_scores, prune_by_criterion
from .errors import (BudgetError, CheckpointError, PaSError, ScopeError,
                     UnsupportedOpError, WidthSpecError)
from .export import apply_width_spec, export
from .gate import DBCGate, ste_mask
from .graph import ChannelGraph, trace_channels
from .reparam import reparameterize
from .space import SearchSpace, build_search_space
from .transfer import transfer_widths

__all__ = [
    'DBCGate', 'ste_mask', 'ChannelGraph', 'trace_channels',
    'UnsupportedOpError', 'SearchSpace', 'build_search_space', 'BudgetError',
    'PaSError', 'ScopeError', 'CheckpointError',
    'export', 'apply_width_spec', 'WidthSpecError', 'reparameterize',
    'CRITERIA', 'channel_scores', 'prune_by_criterion', 'transfer_widths'
]
