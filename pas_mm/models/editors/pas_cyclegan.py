from mmagic.models.editors.cyclegan import CycleGAN

from pas_mm.registry import MODELS
from .pas_translation_mixin import PaSTranslationMixin


@MODELS.register_module()
class PaSCycleGAN(PaSTranslationMixin, CycleGAN):
    """mmagic's CycleGAN with the widths of both ResNet generators searched
    by PaS under one budget (reflection pads, instance norm and residual
    blocks included)."""
    PLAIN_TYPE = 'CycleGAN'
