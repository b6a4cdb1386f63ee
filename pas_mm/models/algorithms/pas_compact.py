"""Build a searched (compact) model from its plain config + a width spec.

Registered as a *function*: ``MODELS.build`` returns the architecture
itself (an ``ImageClassifier``, ``MaskRCNN``, ...), sliced to the spec and
reparameterised, so ``init_detector`` / ``init_model`` and ``tools/test.py``
see an ordinary model. The config written by ``tools/export.py`` is

    model = dict(type='pas_mm.PaSCompact', arch_type='MaskRCNN',
                 backbone=..., neck=..., ...,              # the plain model
                 width_spec='{{ fileDirname }}/width_spec.json',
                 reparameterize=True, trace_mode='extract_feat')
"""
import copy

from mmengine.registry import MODELS as ROOT_MODELS

from pas_mm.core import apply_width_spec
from pas_mm.core import reparameterize as rep
from pas_mm.core.compact.width_spec import load_width_spec
from pas_mm.registry import MODELS
from ..utils import trace_fn


@MODELS.register_module()
def PaSCompact(arch_type, width_spec, reparameterize=True,
               trace_mode='tensor', search_module=None, **arch_kwargs):
    """Build ``arch_type(**arch_kwargs)`` at the widths of ``width_spec``.

    ``search_module`` names the sub-module the spec was searched on (e.g.
    'generators' of an mmagic GAN); None means the whole model.
    """
    spec = load_width_spec(width_spec) if isinstance(width_spec, str) \
        else width_spec
    arch_cfg = copy.deepcopy(arch_kwargs)
    arch_cfg['type'] = arch_type
    # the weights come from the compact checkpoint, not from init_cfg
    if isinstance(arch_cfg.get('backbone'), dict):
        arch_cfg['backbone'].pop('init_cfg', None)
    model = ROOT_MODELS.build(arch_cfg)
    target = model.get_submodule(search_module) if search_module else model
    apply_width_spec(target, spec, forward_fn=trace_fn(trace_mode))
    if reparameterize:
        rep(target)
    return model
