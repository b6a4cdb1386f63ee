from .pas_repvgg import PaSRepVGG

__all__ = ['PaSRepVGG']
