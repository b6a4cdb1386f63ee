"""Rule-of-thumb widths to compare a search with: magnitude, BN-gamma,
uniform, random and Torch-Pruning's importance criteria, scored on the
same search space and cut to the same budget."""
from .prune import CRITERIA, channel_scores, prune_by_criterion

__all__ = ['CRITERIA', 'channel_scores', 'prune_by_criterion']
