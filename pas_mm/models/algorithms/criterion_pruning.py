"""A baseline criterion applied to a PaS model's search space."""
import contextlib
from typing import Callable, Optional

import torch
from mmengine.logging import MMLogger
from torch import nn

from pas_mm.core.criteria.prune import prune_by_criterion
from pas_mm.core.criteria.tp_importance import TP_CRITERIA, tp_channel_scores
from pas_mm.core.search.space import SearchSpace
from ..utils import trace_fn, trace_inputs
from .pas_settings import PaSSettings


def prune_by_settings(space: SearchSpace, settings: PaSSettings,
                      backward: Optional[Callable[[], None]] = None) -> float:
    """Score by ``settings.criterion``, cut at the budget and freeze.

    Args:
        space (SearchSpace): the model's search space.
        settings (PaSSettings): its settings (criterion, budget, trace).
        backward (callable, optional): fills the weights' gradients on
            calibration data (gradient criteria). Defaults to None.

    Returns:
        float: the MACs ratio reached.
    """
    scores = None
    if settings.criterion in TP_CRITERIA:
        scores = tp_channel_scores(
            space, settings.criterion, trace_inputs(settings.input_shape),
            forward_fn=trace_fn(settings.trace_mode), backward=backward)
    # 'random' draws from the run's seed (randomness.seed, which the Runner
    # sets before it builds the model)
    ratio = prune_by_criterion(space, settings.criterion,
                               settings.target_ratio,
                               seed=torch.initial_seed(), scores=scores)
    MMLogger.get_current_instance().info(
        f'PaS baseline {settings.criterion}: pruned to MACs ratio '
        f'{ratio:.4f}, gates frozen')
    return ratio


@contextlib.contextmanager
def kept_buffers(module: nn.Module):
    """Restore ``module``'s buffers (the norms' running statistics) on
    exit: a calibration forward in train mode must not change them."""
    saved = {k: v.detach().clone() for k, v in module.named_buffers()}
    try:
        yield
    finally:
        with torch.no_grad():
            for k, v in module.named_buffers():
                v.copy_(saved[k])
