from .pas_algorithm import PaSAlgorithm
from .pas_compact import PaSCompact
from .pas_search_mixin import PaSSearchMixin

__all__ = ['PaSAlgorithm', 'PaSCompact', 'PaSSearchMixin']
