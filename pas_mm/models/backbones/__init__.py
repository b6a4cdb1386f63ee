from .conv_stem import ConvStem
from .conv_stem_vit import ConvStemVisionTransformer
from .pas_repvgg import PaSRepVGG

__all__ = ['ConvStem', 'ConvStemVisionTransformer', 'PaSRepVGG']
