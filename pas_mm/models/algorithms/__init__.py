from .pas_algorithm import PaSAlgorithm
from .pas_compact import PaSCompact

__all__ = ['PaSAlgorithm', 'PaSCompact']
