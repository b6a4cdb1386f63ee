"""Generators of the proxy benchmark data (``tools/data/prepare_proxy.py``)."""
from .assets import AssetError, load_photos
from .glyph_cls import make_glyph_classification

__all__ = ['AssetError', 'load_photos', 'make_glyph_classification']
