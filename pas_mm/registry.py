"""pas-mm registries: children of mmengine's root registries (scope ``pas_mm``).

Configs reach them through ``custom_imports = dict(imports=['pas_mm'])`` and
``type='pas_mm.X'`` (or ``default_scope='pas_mm'``).
"""
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

MODELS = Registry(
    'model', parent=MMENGINE_MODELS, scope='pas_mm',
    locations=['pas_mm.models'])
HOOKS = Registry(
    'hook', parent=MMENGINE_HOOKS, scope='pas_mm',
    locations=['pas_mm.engine'])
DATASETS = Registry(
    'dataset', parent=MMENGINE_DATASETS, scope='pas_mm',
    locations=['pas_mm.datasets'])
TRANSFORMS = Registry(
    'transform', parent=MMENGINE_TRANSFORMS, scope='pas_mm',
    locations=['pas_mm.datasets'])
METRICS = Registry(
    'metric', parent=MMENGINE_METRICS, scope='pas_mm',
    locations=['pas_mm.evaluation'])
