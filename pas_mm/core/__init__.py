"""Framework-agnostic PaS core (plain PyTorch, no mm* imports).

The folders are the pipeline, each importing only those before it:

- ``trace``: a model's channel graph (which channels tie together);
- ``cost``: its MACs or latency for kept widths;
- ``search``: the gates, the search space and the gate rules;
- ``criteria``: rule-of-thumb widths on the same space;
- ``compact``: export to the compact net, width specs, transfer, reparam.

``PaSSearch`` (``pas_search``) runs a whole search, from the space to the
exported net; ``export_probe`` tries an export before a search of residual
widths. ``errors`` and ``io`` serve every step.
"""
from .compact import apply_width_spec, export, reparameterize, transfer_widths
from .criteria import CRITERIA, channel_scores, prune_by_criterion
from .errors import (BudgetError, CheckpointError, CriterionError, PaSError,
                     ScopeError, SettingsError, TransferError,
                     UnsupportedOpError, WidthSpecError)
from .export_probe import probe_export
from .pas_search import PaSSearch
from .search import DBCGate, SearchSpace, build_search_space, ste_mask
from .trace import ChannelGraph, LayerKind, trace_channels
from .trace.timm_heads import TIMM_ATTENTION
from .trace.torchvision_heads import TORCHVISION_SWIN

__all__ = [
    'DBCGate', 'ste_mask', 'ChannelGraph', 'trace_channels',
    'UnsupportedOpError', 'SearchSpace', 'build_search_space', 'BudgetError',
    'PaSError', 'ScopeError', 'CheckpointError', 'CriterionError',
    'TransferError', 'SettingsError', 'LayerKind',
    'export', 'apply_width_spec', 'WidthSpecError', 'reparameterize',
    'CRITERIA', 'channel_scores', 'prune_by_criterion', 'transfer_widths',
    'PaSSearch', 'TIMM_ATTENTION', 'TORCHVISION_SWIN', 'probe_export'
]
