"""PaSAlgorithm: wraps any mmpretrain / mmdet model with a PaS search space."""
import copy
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.model import BaseModel
from mmengine.registry import MODELS as ROOT_MODELS
from torch import nn

from pas_mm.registry import MODELS
from .pas_search_mixin import PaSSearchMixin


@MODELS.register_module()
class PaSAlgorithm(PaSSearchMixin, BaseModel):
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
        min_ratio (float): the collapse floor: every group keeps at least
            this fraction of its channels, during the search and after the
            end-of-search projection (0 lets a layer drop to
            ``min_channels``). Default: 0.1.
        pretrained: checkpoint of the trained architecture (PaS starts from
            a trained net); its keys may carry an ``architecture.`` prefix.
        criterion: ``'pas'`` searches; ``'uniform'``, ``'bn_gamma'`` or
            ``'l1'`` instead prune the trained net once by that baseline
            criterion to the same MACs target (gates frozen from the start),
            for comparisons in the same harness and exporter.
        transfer: instead of searching, take the widths of a spec searched
            on another model/task, e.g. ``dict(width_spec='in1k/
            width_spec.json', channels='l1', prefix_map=None)``: groups of
            the spec keep its counts (channels picked by ``channels``, see
            ``pas_mm.core.transfer_widths``), the others stay full; the
            gates are frozen from the start.
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
                 min_ratio: float = 0.1,
                 pretrained: Optional[str] = None,
                 criterion: str = 'pas',
                 transfer: Optional[dict] = None,
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
        self._init_search(
            architecture, budget=budget, input_shape=input_shape,
            trace_mode=trace_mode, search_scope=search_scope,
            exclude=exclude, decouple=decouple, fold=fold,
            min_channels=min_channels, round_to=round_to,
            min_ratio=min_ratio, pretrained=pretrained, criterion=criterion,
            transfer=transfer)

    @property
    def weights_target(self):
        return self.architecture

    def init_weights(self):
        super().init_weights()
        self._init_pas_weights()

    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        return self.architecture(inputs, data_samples, mode=mode)

    def loss(self, inputs, data_samples) -> Dict[str, torch.Tensor]:
        """The architecture's losses plus ``loss_budget``.

        The logged ``loss`` is always the total that is back-propagated,
        budget included (as in mmdet and mmagic): a bare ``loss`` key of the
        architecture (mmpretrain's classifiers) is renamed ``loss_task``,
        since mmengine's ``parse_losses`` would otherwise log it as ``loss``
        in place of the total.
        """
        losses = self.architecture(inputs, data_samples, mode='loss')
        if 'loss' in losses:
            losses['loss_task'] = losses.pop('loss')
        losses.update(self.budget_losses())
        return losses
