"""pas-mm registries: children of mmengine's root registries (scope
``pas_mm``).

Configs reach them through ``custom_imports = dict(imports=['pas_mm'])`` and
``type='pas_mm.X'`` (or ``default_scope='pas_mm'``). Only the kinds pas-mm
registers components in exist: models (algorithms, gates, backbones,
``PaSCompact``) and hooks. Their ``locations`` are imported on the first
lookup, so ``import pas_mm`` stays light.
"""
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import Registry

MODELS = Registry(
    'model', parent=MMENGINE_MODELS, scope='pas_mm',
    locations=['pas_mm.models'])
HOOKS = Registry(
    'hook', parent=MMENGINE_HOOKS, scope='pas_mm',
    locations=['pas_mm.engine'])
