"""What every PaS model shares, whatever the toolkit: the search space over
one sub-module, the budget loss, freezing, export in place, the width spec
kept in checkpoints, and baseline criteria / transferred widths.

``PaSAlgorithm`` (mmpretrain, mmdet: wraps the whole model) and the mmagic
translation models (search the generators only) differ only in which
module is searched, how it is run for the trace, and where the budget loss
joins the task loss.
"""
import json
from typing import Callable, Dict, Optional, Sequence

import torch
from mmengine.logging import MMLogger
from torch import nn

from pas_mm.core import (BudgetError, apply_width_spec, build_search_space,
                         export, transfer_widths)
from pas_mm.core.criteria import CRITERIA, prune_by_criterion
from pas_mm.core.gate_optimizer import GateOptimizer
from pas_mm.core.space import check_target_ratio
from pas_mm.core.width_spec import load_width_spec
from ..utils import load_architecture_weights, trace_fn, trace_inputs

TRANSFER_KEYS = {'width_spec', 'channels', 'prefix_map'}


def check_budget(budget: Optional[dict]) -> dict:
    """Budget keys: target_ratio (of the search scope's MACs), weight, mode;
    or target_from=PATH, a width spec exported from the same search space
    (e.g. a transfer run): its MACs ratio becomes the target, for
    comparisons at equal MACs. target_from overrides target_ratio."""
    budget = {**dict(target_ratio=0.5, weight=1.0, mode='two-sided'),
              **(budget or {})}
    unknown = set(budget) - {'target_ratio', 'weight', 'mode', 'target_from'}
    if unknown:
        raise BudgetError(f'unknown budget keys {sorted(unknown)}; '
                          'use target_ratio or target_from, weight, mode')
    if budget.get('target_from'):
        spec = load_width_spec(budget['target_from'])
        ratio = spec.get('macs', {}).get('ratio')
        if not isinstance(ratio, (int, float)):
            raise BudgetError(f"budget.target_from {budget['target_from']}: "
                              'the width spec records no MACs ratio')
        budget['target_ratio'] = float(ratio)
        budget['target_groups'] = {n: g['channels']
                                   for n, g in spec['groups'].items()}
    check_target_ratio(budget['target_ratio'])
    if budget['mode'] not in ('two-sided', 'hinge'):
        raise BudgetError(f"budget.mode must be 'two-sided' or 'hinge', "
                          f"got {budget['mode']!r}")
    return budget


def _check_target_space(budget, space):
    """A ratio taken from a width spec is only the same MACs in the same
    search space: same groups, same channel counts."""
    groups = budget.pop('target_groups', None)
    if groups is None:
        return
    ours = {n: g.num_channels for n, g in space.gates.items()}
    if groups != ours:
        diff = sorted(set(groups) ^ set(ours)) or sorted(
            n for n in ours if groups[n] != ours[n])
        raise BudgetError(
            f"budget.target_from {budget['target_from']} was exported from "
            f'another search space ({len(groups)} groups vs {len(ours)} '
            f'here; first difference: {diff[0]!r})')
    MMLogger.get_current_instance().info(
        f"PaS budget: target MACs ratio {budget['target_ratio']:.4f} from "
        f"{budget['target_from']}")


class PaSSearchMixin:
    """Mixed into an ``nn.Module``; call ``_init_search`` in ``__init__``.

    Attributes used by the hook and the tools: ``space``, ``budget``,
    ``compact_spec``, ``trace_mode``, ``input_shape``, ``search_module``
    (the searched module) and ``search_forward`` (how it is traced).
    """

    def _init_search(self, module: nn.Module, *, budget, input_shape,
                     trace_mode, search_scope=None, exclude=(), decouple=(),
                     fold=(), min_channels=1, round_to=1, min_ratio=0.1,
                     pretrained=None, criterion='pas', transfer=None):
        self.budget = check_budget(budget)
        self.pretrained = pretrained
        self.compact_spec = None  # set once exported in place
        self.gate_optimizer = None  # set by start_search (PaSSearchHook)
        if criterion != 'pas' and criterion not in CRITERIA:
            raise BudgetError(f'criterion must be pas or one of {CRITERIA}, '
                              f'got {criterion!r}')
        if transfer is not None:
            if set(transfer) - TRANSFER_KEYS or 'width_spec' not in transfer:
                raise BudgetError(
                    'transfer needs dict(width_spec=PATH, channels=..., '
                    f'prefix_map=...), got keys {sorted(transfer)}')
            if criterion != 'pas':
                raise BudgetError('use either transfer or criterion, not '
                                  'both')
        self.criterion = criterion
        self.transfer = transfer
        self.trace_mode = trace_mode
        self.input_shape = tuple(input_shape)
        self.space = build_search_space(
            module, trace_inputs(self.input_shape), exclude=tuple(exclude),
            scope=search_scope, forward_fn=trace_fn(trace_mode),
            decouple=tuple(decouple), fold=tuple(fold),
            min_channels=min_channels, round_to=round_to,
            min_ratio=min_ratio)
        if not self.space.gates:
            raise BudgetError(
                f'search scope {search_scope} of {type(module).__name__} '
                'has no prunable channel group')
        _check_target_space(self.budget, self.space)
        floor = self.space.min_macs_ratio()
        if self.budget['target_ratio'] < floor:
            raise BudgetError(
                f"budget target_ratio {self.budget['target_ratio']} cannot "
                f'be met: min_channels={min_channels} / min_ratio='
                f'{min_ratio} / round_to={round_to} keep at least '
                f'{floor:.3f} of the MACs (lower min_ratio to go further)')
        MMLogger.get_current_instance().info(
            f'PaS search space: {len(self.space.gates)} gates, '
            f'{self.space.full_macs / 1e9:.4f} GMACs per sample in scope')

    @property
    def weights_target(self) -> nn.Module:
        """The module a trained plain checkpoint (``pretrained``) fits."""
        raise NotImplementedError

    @property
    def search_module(self) -> nn.Module:
        return self.space.model

    @property
    def search_forward(self) -> Callable:
        return trace_fn(self.trace_mode)

    def _init_pas_weights(self):
        """After the model's own init: trained weights, then baselines."""
        logger = MMLogger.get_current_instance()
        if self.pretrained:
            load_architecture_weights(self.weights_target, self.pretrained)
        if self.transfer is not None:
            path = self.transfer['width_spec']
            result = transfer_widths(
                self.space, load_width_spec(path),
                channels=self.transfer.get('channels', 'l1'),
                prefix_map=self.transfer.get('prefix_map'),
                source=f'width spec {path}')
            logger.info(
                f"PaS transfer from {path}: {len(result['applied'])} groups "
                f"set, {len(result['untouched'])} kept full; MACs ratio "
                f"{result['ratio']:.4f} of the search scope, gates frozen")
        elif self.criterion != 'pas':
            ratio = prune_by_criterion(self.space, self.criterion,
                                       self.budget['target_ratio'])
            logger.info(f'PaS baseline {self.criterion}: pruned to MACs '
                        f'ratio {ratio:.4f}, gates frozen')

    def budget_losses(self) -> Dict[str, torch.Tensor]:
        """loss_budget (0 once the gates are frozen, so the log does not
        keep showing the last search value) and the MACs ratio."""
        if self.compact_spec is not None:
            return {'macs_ratio': torch.tensor(
                self.compact_spec['macs']['ratio']),
                'loss_budget': torch.tensor(0.)}
        macs = self.space.macs()
        out = {'macs_ratio': macs.detach() / self.space.full_macs}
        if self.space.frozen:
            out['loss_budget'] = torch.zeros_like(out['macs_ratio'])
            return out
        weight = self.budget['weight'] if self.gate_optimizer is None \
            else self.gate_optimizer.weight
        out['loss_budget'] = self.space.budget_loss(
            self.budget['target_ratio'], weight, self.budget['mode'],
            macs=macs)
        return out

    def gate_parameters(self):
        """The gate latents still searched (not frozen)."""
        if self.compact_spec is not None:
            return []
        return [g.latent for g in self.space.gates.values()
                if g.latent.requires_grad]

    def start_search(self, total_steps: int, **gate_cfg) -> GateOptimizer:
        """Build the rule that moves the gates for a search of
        ``total_steps`` optimizer steps (``GateOptimizer`` arguments in
        ``gate_cfg``); the budget loss then uses its adaptive weight."""
        self.gate_optimizer = GateOptimizer(
            self.space, self.budget['target_ratio'], total_steps,
            weight=self.budget['weight'], mode=self.budget['mode'],
            **gate_cfg)
        return self.gate_optimizer

    def widths(self):
        if self.compact_spec is not None:
            return {n: g['kept'] for n, g in self.compact_spec['groups'].items()}
        return self.space.widths()

    def export_inplace(self) -> dict:
        """Slice the searched module to its widths now (after the search),
        so the fine-tune trains the compact, cheaper network. Parameters
        keep their identity: the optimizer keeps working."""
        if self.compact_spec is None:
            self.space.freeze()
            _, self.compact_spec = export(self.space)
        return self.compact_spec

    def get_extra_state(self):
        # checkpoints remember an in-place export, so that loading one
        # (resume, tools/export.py, tools/test.py) rebuilds the compact model
        return encode_extra_state(self.compact_spec)

    def set_extra_state(self, state):
        spec = decode_extra_state(state)
        if spec is None or self.compact_spec is not None:
            return
        # called before the children load their tensors: reshape first
        self.space.freeze()
        self.space.remove()
        apply_width_spec(self.search_module, spec,
                         forward_fn=self.search_forward)
        self.compact_spec = spec

    # ------------------------------------------------ export to plain cfg
    PAS_KEYS: Sequence[str] = ()

    @classmethod
    def plain_model_cfg(cls, model_cfg: dict):
        """(plain architecture config, path of the searched sub-module or
        None for the whole model) for ``tools/export.py``."""
        return dict(model_cfg['architecture']), None


def encode_extra_state(spec: Optional[dict]) -> torch.Tensor:
    """The width spec as a uint8 tensor of JSON (empty: none). A tensor, not
    a dict: under DDP mmengine's Runner broadcasts every state_dict entry
    as a tensor (Runner._init_model_weights), and it loads with
    torch.load(weights_only=True)."""
    if spec is None:
        return torch.zeros(0, dtype=torch.uint8)
    return torch.frombuffer(bytearray(json.dumps(spec).encode()),
                            dtype=torch.uint8).clone()


def decode_extra_state(state) -> Optional[dict]:
    if isinstance(state, torch.Tensor):
        return json.loads(bytes(state.tolist()).decode()) if state.numel() \
            else None
    return (state or {}).get('compact_width_spec')  # older checkpoints
