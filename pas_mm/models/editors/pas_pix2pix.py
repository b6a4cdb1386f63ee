from mmagic.models.editors.pix2pix import Pix2Pix

from pas_mm.registry import MODELS
from .pas_translation_mixin import PaSTranslationMixin


@MODELS.register_module()
class PaSPix2Pix(PaSTranslationMixin, Pix2Pix):
    """mmagic's Pix2Pix with its UNet generator's widths searched by PaS
    (skip concatenations and transposed convs included)."""
    PLAIN_TYPE = 'Pix2Pix'
