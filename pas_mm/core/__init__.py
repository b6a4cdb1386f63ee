"""Framework-agnostic PaS core (plain PyTorch, no mm* imports).

The pipeline, one module per step:
gate -> graph (structures) / tracer (+ free_ops, ops) -> cost -> space
(+ gate_optimizer, gate_steps, gate_diagnostics) -> export (+ width_spec,
transfer, criteria) -> reparam; search.PaSSearch runs the whole search.

"""
from .criteria import CRITERIA, channel_scores, prune_by_criterion
from .errors import (BudgetError, CheckpointError, CriterionError, PaSError,
                     ScopeError, SettingsError, TransferError,
                     UnsupportedOpError, WidthSpecError)
from .export import apply_width_spec, export
from .gate import DBCGate, ste_mask
from .graph import ChannelGraph, LayerKind
from .reparam import reparameterize
from .search import PaSSearch
from .space import SearchSpace, build_search_space
from .timm_heads import TIMM_ATTENTION
from .tracer import trace_channels
from .transfer import transfer_widths

__all__ = [
    'DBCGate', 'ste_mask', 'ChannelGraph', 'trace_channels',
    'UnsupportedOpError', 'SearchSpace', 'build_search_space', 'BudgetError',
    'PaSError', 'ScopeError', 'CheckpointError', 'CriterionError',
    'TransferError', 'SettingsError', 'LayerKind',
    'export', 'apply_width_spec', 'WidthSpecError', 'reparameterize',
    'CRITERIA', 'channel_scores', 'prune_by_criterion', 'transfer_widths',
    'PaSSearch', 'TIMM_ATTENTION'
]
