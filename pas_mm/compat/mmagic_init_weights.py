"""mmagic 1.2.0 ``generation_init_weights`` raises UnboundLocalError.

Its inner ``init_func`` reads ``init_info`` for every submodule that has
``_params_init_info`` (set by mmengine's ``BaseModule.init_weights``), but only
assigns it for Conv/Linear/BatchNorm2d modules, so ``Runner.train()`` of
Pix2Pix or CycleGAN fails in ``model.init_weights()``
(open-mmlab/mmagic#2109, unfixed in 1.2.0). We re-bind the function, in every
mmagic module that imported it by name, to a version that records the init
info only for the modules it initialised. Installed files are untouched.
"""
import importlib
import sys

_USERS = (
    'mmagic.models.utils.model_utils',
    'mmagic.models.utils',
    'mmagic.models.editors.pix2pix.pix2pix_generator',
    'mmagic.models.editors.cyclegan.cyclegan_generator',
    'mmagic.models.archs.patch_disc',
    'mmagic.models.archs.smpatch_disc',
)


def generation_init_weights(module, init_type='normal', init_gain=0.02):
    """pix2pix/CycleGAN weight init (normal, xavier, kaiming, orthogonal)."""
    from mmengine.model.weight_init import (kaiming_init, normal_init,
                                            update_init_info, xavier_init)
    from torch.nn import init

    def init_one(m):
        kind = m.__class__.__name__
        info = None
        if hasattr(m, 'weight') and ('Conv' in kind or 'Linear' in kind):
            if init_type == 'normal':
                normal_init(m, 0.0, init_gain)
            elif init_type == 'xavier':
                xavier_init(m, gain=init_gain, distribution='normal')
            elif init_type == 'kaiming':
                kaiming_init(m, a=0, mode='fan_in', nonlinearity='leaky_relu',
                             distribution='normal')
            elif init_type == 'orthogonal':
                init.orthogonal_(m.weight, gain=init_gain)
                init.constant_(m.bias.data, 0.0)
            else:
                raise NotImplementedError(
                    f'Initialization method {init_type!r} is not implemented')
            info = f'Initialize {kind} by init_type {init_type}.'
        elif 'BatchNorm2d' in kind:
            normal_init(m, 1.0, init_gain)
            info = f'{kind}: normal init with mean=1, std={init_gain}'
        if info is not None and hasattr(m, '_params_init_info'):
            update_init_info(module, info)

    module.apply(init_one)


def patch_mmagic_init_weights() -> bool:
    """Apply the fix; returns False when mmagic is not installed."""
    try:
        importlib.import_module('mmagic.models.utils.model_utils')
    except ImportError:
        return False
    for name in _USERS:
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(mod, 'generation_init_weights'):
            mod.generation_init_weights = generation_init_weights
    return True


def mmagic_loaded() -> bool:
    return 'mmagic' in sys.modules
