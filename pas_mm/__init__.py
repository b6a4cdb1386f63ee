"""pas-mm: Pruning-as-Search channel-width search for OpenMMLab 2.x.

``pas_mm.core`` is plain PyTorch. The OpenMMLab side (registries, models,
hooks) is imported here only when mmengine is installed, so that
``custom_imports=dict(imports=['pas_mm'])`` registers every component.
"""
from .version import __version__, version_info

__all__ = ['__version__', 'version_info']

try:
    import mmengine  # noqa: F401
except ImportError:  # core-only use: plain PyTorch
    pass
else:
    from . import compat, engine, models  # noqa: F401
