"""One adapter per toolkit, keyed by the config's ``default_scope``: how
``pas_mm.apis.model_runner`` runs that toolkit's models."""
from ..errors import ModelLoadError
from .base import ToolkitAdapter
from .classification import ClassificationAdapter
from .detection import DetectionAdapter, det_batch
from .translation import TranslationAdapter, generators

TOOLKITS = {adapter.scope: adapter for adapter in (
    ClassificationAdapter(), DetectionAdapter(), TranslationAdapter())}


def toolkit_of(scope: str, source: str = 'config') -> ToolkitAdapter:
    """The adapter of ``scope``; a ``ModelLoadError`` naming ``source``
    for a scope pas-mm does not run."""
    if scope not in TOOLKITS:
        raise ModelLoadError(f'{source}: default_scope {scope!r} is not one '
                             f'of {sorted(TOOLKITS)}')
    return TOOLKITS[scope]


__all__ = ['TOOLKITS', 'ToolkitAdapter', 'ClassificationAdapter',
           'DetectionAdapter', 'TranslationAdapter', 'toolkit_of',
           'det_batch', 'generators']
