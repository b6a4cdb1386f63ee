from .pas_algorithm import PaSAlgorithm
from .pas_compact import PaSCompact
from .pas_search_mixin import PaSSearchMixin
from .pas_settings import PaSSettings, weights_from_checkpoint

__all__ = [
    'PaSAlgorithm', 'PaSCompact', 'PaSSearchMixin', 'PaSSettings',
    'weights_from_checkpoint'
]
