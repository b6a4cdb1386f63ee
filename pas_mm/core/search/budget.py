"""The budget of a search: the cost ratio to reach, and the term that pulls
the gates towards it.

One object, validated once, read by ``PaSSearch``, its gate rule and the
end-of-search projection.

Cost attribution (``attribution``) decides which cost a gate is charged
for in the budget term's gradient (the value of the cost is the same):

- ``'own-layer'`` (default): the original PaS code's charge. Its MACs
  term reads the previous layer's kept count as a constant, so a gate
  pays only for the layers that produce its channels (``in * MACs per
  pair`` of its own layer), never for the layers that read them; a
  latency table is read the same way (the producing layer's entry at a
  constant input width). The default since protocol C of
  ``docs/search_evidence.md``: at equal post-baseline compute it was 1.07
  top-1 ahead of ``'marginal'`` on the mean of three settings, and still
  1.42 behind the best magnitude criterion.
- ``'marginal'``: the exact derivative of the counted cost: the layers
  that produce the group's channels and every layer that reads them. A
  tied residual-stream group is charged every block of its stage, so the
  cost, more than the task, picks the shape (pas-mm's default until
  protocol C).
- ``'flat'``: every channel is pushed alike, by the own-layer charge's
  mean per channel, so the budget sets how far the gates fall together
  and the task alone orders which channels fall first. The cost enters
  only where the widths meet the budget (the end's projection). Protocol
  D of ``docs/search_evidence.md`` tests it.

The budget term's value and its autograd gradient are the own-layer
ones for ``'flat'`` too: the gate rule takes that gradient out of the
latents' gradient and applies the flat push instead.
"""
from dataclasses import asdict, dataclass
from typing import List, NamedTuple

import torch

from ..errors import BudgetError

MODES = ('two-sided', 'hinge')
ATTRIBUTIONS = ('own-layer', 'marginal', 'flat')
DEFAULT_ATTRIBUTION = ATTRIBUTIONS[0]


class BudgetGradients(NamedTuple):
    """The budget term's gradients on the gate latents, per unit.

    ``joined`` is what the joined budget term put in the latents'
    gradient (to take out of it); ``direction`` (d ratio / d latent) and
    ``push`` (its gradient at the weight) are what the gate rule applies.
    They differ only for the ``'flat'`` attribution.
    """
    ratio: float
    direction: List[torch.Tensor]
    joined: List[torch.Tensor]
    push: List[torch.Tensor]


def check_target_ratio(target_ratio) -> None:
    if isinstance(target_ratio, bool) or \
            not isinstance(target_ratio, (int, float)) or \
            not 0 < float(target_ratio) <= 1:
        raise BudgetError(f'target_ratio must be in (0, 1], got '
                          f'{target_ratio!r}')


@dataclass(frozen=True)
class Budget:
    """What a search must reach.

    Args:
        target_ratio (float): the cost ratio (MACs, or latency by a table)
            to reach, in (0, 1].
        weight (float): the fixed weight of ``weight * (ratio -
            target)^2``. The default gate rule calibrates its own weight
            and uses this one only with ``adapt_weight=False``; the
            original rule (no gate rule) uses it throughout. Default: 1.0.
        mode (str): ``'two-sided'`` or ``'hinge'`` (only excess cost
            counts). Default: ``'two-sided'``.
        attribution (str): ``'own-layer'``, ``'marginal'`` or ``'flat'``
            (see the module docstring). Default: ``'own-layer'``.
    """
    target_ratio: float
    weight: float = 1.0
    mode: str = 'two-sided'
    attribution: str = DEFAULT_ATTRIBUTION

    def __post_init__(self):
        check_target_ratio(self.target_ratio)
        object.__setattr__(self, 'target_ratio', float(self.target_ratio))
        if isinstance(self.weight, bool) or \
                not isinstance(self.weight, (int, float)) or \
                not self.weight > 0:
            raise BudgetError(f'budget weight must be > 0, got '
                              f'{self.weight!r}')
        object.__setattr__(self, 'weight', float(self.weight))
        if self.mode not in MODES:
            raise BudgetError(f'budget mode must be one of {MODES}, got '
                              f'{self.mode!r}')
        if self.attribution not in ATTRIBUTIONS:
            raise BudgetError(f'budget attribution must be one of '
                              f'{ATTRIBUTIONS}, got {self.attribution!r}')

    @classmethod
    def from_dict(cls, budget) -> 'Budget':
        """A budget from its config dict (or a ``Budget``); unknown keys and
        a missing ``target_ratio`` are refused with one line."""
        if isinstance(budget, Budget):
            return budget
        keys = tuple(cls.__dataclass_fields__)
        if not isinstance(budget, dict) or 'target_ratio' not in budget or \
                set(budget) - set(keys):
            got = sorted(budget) if isinstance(budget, dict) else budget
            raise BudgetError(f'a budget needs target_ratio and takes only '
                              f'{keys}; got {got}')
        return cls(**budget)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def hinge(self) -> bool:
        return self.mode == 'hinge'

    def gap(self, ratio: float) -> float:
        """Ratio minus target (hinge: the excess only)."""
        gap = ratio - self.target_ratio
        return max(gap, 0.0) if self.hinge else gap

    def loss(self, cost: torch.Tensor, full_cost: float,
             weight: float = None) -> torch.Tensor:
        """``weight * (cost / full_cost - target)^2`` (hinge: excess only);
        ``weight`` None: the budget's own."""
        gap = cost / full_cost - self.target_ratio
        if self.hinge:
            gap = torch.clamp(gap, min=0)
        return (self.weight if weight is None else weight) * gap**2

    @property
    def flat(self) -> bool:
        return self.attribution == 'flat'

    def gradients(self, space, names, weight: float) -> BudgetGradients:
        """The budget term's gradients (``BudgetGradients``) at ``weight``
        for the gates ``names`` of ``space`` as they are now."""
        gates = [space.gates[n] for n in names]
        latents = [g.latent for g in gates]
        with torch.enable_grad():
            cost = space.cost()
            grads = torch.autograd.grad(cost, latents, allow_unused=True)
        full = space.full_cost
        ratio = float(cost.detach()) / full
        own = [torch.zeros_like(t) if d is None else
               d.float() / (full * g.unit)
               for d, t, g in zip(grads, latents, gates)]
        scale = 2 * weight * self.gap(ratio)
        joined = [scale * d for d in own]
        if not self.flat:
            return BudgetGradients(ratio, own, joined, joined)
        # every channel alike: the mean charge per channel (a latent that
        # holds ``unit`` channels counts ``unit`` times)
        units = [torch.full_like(d, float(g.unit))
                 for d, g in zip(own, gates)]
        mean = sum(float((d * u).sum()) for d, u in zip(own, units)) / \
            max(sum(float(u.sum()) for u in units), 1.0)
        direction = [torch.full_like(d, mean) for d in own]
        return BudgetGradients(ratio, direction, joined,
                               [scale * d for d in direction])
