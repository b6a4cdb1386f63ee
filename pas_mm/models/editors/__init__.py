# Imports mmagic: load with
# custom_imports=dict(imports=['pas_mm.models.editors'])
# in mmagic configs, so that classification / detection users never pay for it.
from .pas_cyclegan import PaSCycleGAN
from .pas_pix2pix import PaSPix2Pix
from .pas_translation_mixin import PaSTranslationMixin

__all__ = ['PaSPix2Pix', 'PaSCycleGAN', 'PaSTranslationMixin']
