from .pas_algorithm import PaSAlgorithm

__all__ = ['PaSAlgorithm']
