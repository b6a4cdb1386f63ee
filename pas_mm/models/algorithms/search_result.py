"""What a PaS model's ``end_search`` hands back to the hook."""
from dataclasses import dataclass
from typing import Dict, Optional


@dataclass(frozen=True)
class SearchResult:
    """The end of one search (or of a criterion / transfer's cut).

    Args:
        spec (dict): the width spec (``pas_mm.core.compact.width_spec``), as
            ``pas_search/width_spec.json`` records it.
    """
    spec: dict

    @property
    def macs_ratio(self) -> float:
        return self.spec['macs']['ratio']

    @property
    def latency_ratio(self) -> Optional[float]:
        """The ratio by the latency table of a latency budget (else
        None)."""
        return self.spec.get('latency', {}).get('ratio')

    @property
    def target_ratio(self) -> Optional[float]:
        return self.spec.get('target_ratio')

    @property
    def search_end_ratio(self) -> Optional[float]:
        """The budgeted ratio the search itself ended at (None without a
        search)."""
        return self.spec.get('search_end_ratio')

    @property
    def projection_shift(self) -> Optional[float]:
        return self.spec.get('projection_shift')

    @property
    def widths(self) -> Dict[str, int]:
        """Group name -> kept channels."""
        return {n: g['kept'] for n, g in self.spec['groups'].items()}

    @property
    def at_floor(self) -> int:
        """How many groups kept only their collapse floor."""
        return self.spec.get('at_floor', {}).get('count', 0)

    @property
    def macs(self) -> Dict[str, float]:
        """``full`` and ``compact`` MACs per sample."""
        return dict(full=self.spec['macs']['full'],
                    compact=self.spec['macs']['compact'])
