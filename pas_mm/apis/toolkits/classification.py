"""mmpretrain: ``model(x, mode='tensor')`` on (N, 3, H, W)."""
from .base import ToolkitAdapter


class ClassificationAdapter(ToolkitAdapter):
    """mmpretrain classifiers: the base behaviour, logits out."""
    scope = 'mmpretrain'
    default_shape = (224, 224)
