"""PaSAlgorithm: wraps any mmpretrain / mmdet model with a PaS search space."""
import copy
from typing import Dict, Optional, Union

import torch
from mmengine.model import BaseModel
from mmengine.registry import MODELS as ROOT_MODELS
from torch import nn

from pas_mm.registry import MODELS
from .pas_search_mixin import PaSSearchMixin
from .pas_settings import PaSSettings


@MODELS.register_module()
class PaSAlgorithm(PaSSearchMixin, BaseModel):
    """Joint search of channel widths and weights under a MACs budget.

    Args:
        architecture (dict | nn.Module): config (or module) of the model to
            prune, built in its own scope (e.g.
            ``mmpretrain.ImageClassifier``).
        data_preprocessor (dict, optional): the config's top-level data
            preprocessor; it belongs to the architecture. Default: None.
        init_cfg (dict, optional): mmengine init config. Default: None.
        **settings: the PaS arguments (``budget``, ``input_shape``,
            ``trace_mode``, ``search_scope``, ``exclude``, ``decouple``,
            ``fold``, ``min_channels``, ``round_to``, ``min_ratio``,
            ``pretrained``, ``criterion``, ``transfer``, ``distill``),
            documented and
            validated by :class:`PaSSettings`.

    Example:
        >>> model = dict(
        ...     type='pas_mm.PaSAlgorithm',
        ...     architecture=dict(type='mmpretrain.ImageClassifier', ...),
        ...     search_scope=['backbone'],
        ...     budget=dict(target_ratio=0.5),
        ...     input_shape=(1, 3, 224, 224),
        ...     pretrained='resnet50.pth')
    """

    def __init__(self,
                 architecture: Union[dict, nn.Module],
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 **settings):
        settings = PaSSettings.from_kwargs('PaSAlgorithm', settings)
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
        self._init_search(architecture, settings)

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

    def task_loss(self, batch) -> torch.Tensor:
        """The architecture's summed losses on one data-loader batch."""
        data = self.data_preprocessor(batch, True)
        losses = self.architecture(data['inputs'], data['data_samples'],
                                   mode='loss')
        return self.parse_losses(losses)[0]

    def loss(self, inputs, data_samples) -> Dict[str, torch.Tensor]:
        """The architecture's losses plus ``loss_budget`` (and
        ``loss_distill`` with ``distill``).

        The logged ``loss`` is always the total that is back-propagated,
        budget included (as in mmdet and mmagic): a bare ``loss`` key of the
        architecture (mmpretrain's classifiers) is renamed ``loss_task``,
        since mmengine's ``parse_losses`` would otherwise log it as ``loss``
        in place of the total.
        """
        with self.distill_capture():
            losses = self.architecture(inputs, data_samples, mode='loss')
        if 'loss' in losses:
            losses['loss_task'] = losses.pop('loss')
        losses.update(self.distill_losses(inputs))
        losses.update(self.budget_losses())
        return losses
