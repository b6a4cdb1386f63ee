"""pas-mm: Pruning-as-Search channel-width search for OpenMMLab 2.x.

``pas_mm.core`` is plain PyTorch. When mmengine is installed, importing
pas-mm (``custom_imports=dict(imports=['pas_mm'])``) applies the upstream
workarounds of ``pas_mm.compat`` and creates the ``pas_mm`` registries;
their components (``pas_mm.models``, ``pas_mm.engine``) are imported on
the first lookup of a ``pas_mm.X`` type, as mmpretrain's and mmdet's are
(registry ``locations``). A process that only plans or reports (the
benchmark suite, the reports) therefore does not import the toolkits.
"""
from .version import __version__, version_info

__all__ = ['__version__', 'version_info']

try:
    import mmengine  # noqa: F401
except ImportError:  # core-only use: plain PyTorch
    pass
else:
    from . import compat, registry  # noqa: F401
