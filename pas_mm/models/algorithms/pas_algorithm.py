"""PaSAlgorithm: wraps any mmpretrain / mmdet model with a PaS search space."""
import copy
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.logging import MMLogger
from mmengine.model import BaseModel
from mmengine.registry import MODELS as ROOT_MODELS
from torch import nn

from pas_mm.core import (BudgetError, apply_width_spec, build_search_space,
                         export)
from pas_mm.core.criteria import CRITERIA, prune_by_criterion
from pas_mm.core.space import check_target_ratio
from pas_mm.registry import MODELS
from ..utils import load_architecture_weights, trace_fn, trace_inputs


@MODELS.register_module()
class PaSAlgorithm(BaseModel):
    """Joint search of channel widths and weights under a MACs budget.

    Args:
        architecture: config (or module) of the model to prune, built in its
            own scope (e.g. ``mmpretrain.ImageClassifier``).
        search_scope: module-name prefixes of ``architecture`` to search,
            e.g. ``['backbone', 'neck']``; None searches everything traced.
        budget: ``dict(target_ratio=0.5, weight=5.0, mode='two-sided')``;
            loss_budget = weight * (MACs/full_MACs - target_ratio)^2.
        input_shape: (N, C, H, W) of the example input used for tracing and
            for the MACs count.
        trace_mode: how the architecture is run for the trace: ``'tensor'``
            calls ``architecture(x, mode='tensor')``; any other string names
            a method, e.g. ``'extract_feat'`` for detectors.
        exclude: module-name prefixes never pruned.
        decouple: fnmatch patterns of identity-branch BNs (RepVGG) whose in
            and out widths may differ.
        fold: fnmatch patterns of layers that reparameterisation merges
            away; not costed, so MACs are the deployed model's.
        min_channels / round_to: per-group width constraints at export.
        pretrained: checkpoint of the trained architecture (PaS starts from
            a trained net); its keys may carry an ``architecture.`` prefix.
        criterion: ``'pas'`` searches; ``'uniform'``, ``'bn_gamma'`` or
            ``'l1'`` instead prune the trained net once by that baseline
            criterion to the same MACs target (gates frozen from the start),
            for comparisons in the same harness and exporter.
    """

    def __init__(self,
                 architecture: Union[dict, nn.Module],
                 search_scope: Optional[List[str]] = None,
                 budget: Optional[dict] = None,
                 input_shape: Sequence[int] = (1, 3, 224, 224),
                 trace_mode: str = 'tensor',
                 exclude: Sequence[str] = (),
                 decouple: Sequence[str] = (),
                 fold: Sequence[str] = (),
                 min_channels: int = 1,
                 round_to: int = 1,
                 pretrained: Optional[str] = None,
                 criterion: str = 'pas',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        if isinstance(architecture, dict):
            architecture = copy.deepcopy(architecture)
            # the Runner hands the config's top-level data_preprocessor to
            # the outer model: it belongs to the architecture
            if data_preprocessor is not None:
                architecture.setdefault('data_preprocessor',
                                        data_preprocessor)
            architecture = ROOT_MODELS.build(architecture)
        super().__init__(
            data_preprocessor=getattr(architecture, 'data_preprocessor',
                                      None),
            init_cfg=init_cfg)
        self.architecture = architecture
        budget = {**dict(target_ratio=0.5, weight=1.0, mode='two-sided'),
                  **(budget or {})}
        unknown = set(budget) - {'target_ratio', 'weight', 'mode'}
        if unknown:
            raise BudgetError(f'unknown budget keys {sorted(unknown)}; '
                              'use target_ratio, weight, mode')
        check_target_ratio(budget['target_ratio'])
        if budget['mode'] not in ('two-sided', 'hinge'):
            raise BudgetError(f"budget.mode must be 'two-sided' or 'hinge', "
                              f"got {budget['mode']!r}")
        self.budget = budget
        self.pretrained = pretrained
        self.compact_spec = None  # set once exported in place
        if criterion != 'pas' and criterion not in CRITERIA:
            raise BudgetError(f'criterion must be pas or one of {CRITERIA}, '
                              f'got {criterion!r}')
        self.criterion = criterion
        self.trace_mode = trace_mode
        self.input_shape = tuple(input_shape)
        self.space = build_search_space(
            self.architecture, trace_inputs(self.input_shape),
            exclude=tuple(exclude), scope=search_scope,
            forward_fn=trace_fn(trace_mode), decouple=tuple(decouple),
            fold=tuple(fold),
            min_channels=min_channels, round_to=round_to)
        if not self.space.gates:
            raise BudgetError(
                f'search scope {search_scope} of {type(architecture).__name__}'
                ' has no prunable channel group')
        floor = self.space.min_macs_ratio()
        if budget['target_ratio'] < floor:
            raise BudgetError(
                f"budget target_ratio {budget['target_ratio']} cannot be met: "
                f'min_channels={min_channels} / round_to={round_to} keep at '
                f'least {floor:.3f} of the MACs')
        MMLogger.get_current_instance().info(
            f'PaS search space: {len(self.space.gates)} gates, '
            f'{self.space.full_macs / 1e9:.4f} GMACs per sample in scope')

    def init_weights(self):
        super().init_weights()
        if self.pretrained:
            load_architecture_weights(self.architecture, self.pretrained)
        if self.criterion != 'pas':
            ratio = prune_by_criterion(self.space, self.criterion,
                                       self.budget['target_ratio'])
            MMLogger.get_current_instance().info(
                f'PaS baseline {self.criterion}: pruned to MACs ratio '
                f'{ratio:.4f}, gates frozen')

    # ------------------------------------------------------------ forward
    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        return self.architecture(inputs, data_samples, mode=mode)

    def loss(self, inputs, data_samples) -> Dict[str, torch.Tensor]:
        losses = self.architecture(inputs, data_samples, mode='loss')
        losses.update(self.budget_losses())
        return losses

    def budget_losses(self) -> Dict[str, torch.Tensor]:
        """loss_budget while searching, and the MACs ratio for the log."""
        if self.compact_spec is not None:
            return {'macs_ratio': torch.tensor(
                self.compact_spec['macs']['ratio'])}
        macs = self.space.macs()
        out = {'macs_ratio': macs.detach() / self.space.full_macs}
        if not self.space.frozen:
            out['loss_budget'] = self.space.budget_loss(**self.budget,
                                                        macs=macs)
        return out

    # ------------------------------------------------------------ search
    @property
    def searching(self) -> bool:
        return not self.space.frozen

    def freeze_gates(self):
        self.space.freeze()

    def widths(self):
        if self.compact_spec is not None:
            return {n: g['kept'] for n, g in self.compact_spec['groups'].items()}
        return self.space.widths()

    # ------------------------------------------------------------ export
    def export_inplace(self) -> dict:
        """Slice the architecture to the searched widths now (after the
        search), so the fine-tune trains the compact, cheaper network.
        Parameters keep their identity: the optimizer keeps working."""
        if self.compact_spec is None:
            self.space.freeze()
            _, self.compact_spec = export(self.space)
        return self.compact_spec

    def get_extra_state(self):
        # checkpoints remember an in-place export, so that loading one
        # (resume, tools/export.py, tools/test.py) rebuilds the compact model
        return {'compact_width_spec': self.compact_spec}

    def set_extra_state(self, state):
        spec = (state or {}).get('compact_width_spec')
        if spec is None or self.compact_spec is not None:
            return
        # called before the children load their tensors: reshape first
        self.space.freeze()
        self.space.remove()
        apply_width_spec(self.architecture, spec,
                         forward_fn=trace_fn(self.trace_mode))
        self.compact_spec = spec
