"""Generators of the proxy benchmark data (``tools/data/prepare_proxy.py``)."""
from .assets import AssetError, load_photos
from .glyph_cls import make_glyph_classification
from .glyph_coco import make_glyph_coco
from .glyph_paired import make_glyph_paired

__all__ = [
    'AssetError', 'load_photos', 'make_glyph_classification',
    'make_glyph_coco', 'make_glyph_paired'
]
