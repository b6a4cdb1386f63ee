"""The cost side of a search space: what its kept widths cost, and the
one-scalar projection of the gates onto a budget.

``SearchSpace`` holds the gates and inherits this; the methods read only
``graph``, ``fold``, ``gates``, ``kept()`` and ``apply_constraints()``.
"""
import contextlib
import fnmatch
import itertools
from typing import Optional

import torch

from ..cost.explain import Reach, reach_of
from ..cost.latency import graph_latency
from ..cost.macs import graph_macs
from ..errors import BudgetError
from .budget import ATTRIBUTIONS, Budget, check_target_ratio


class SpaceCost:
    """MACs or latency of a search space's kept widths, its budget term and
    its projection onto a target.

    Attributes (set by ``SearchSpace``):
        attribution (str): 'own-layer', 'marginal' or 'flat' (costed as
            'own-layer'; ``pas_mm.core.search.budget``).
        metric (str): 'macs', or 'latency' after ``use_latency``.
        full_macs (float): per-sample MACs with every gate open.
        full_cost (float): the budgeted cost with every gate open.
    """

    def is_folded(self, layer: str) -> bool:
        """Reparameterisation folds this layer into another: not costed."""
        return any(fnmatch.fnmatchcase(layer, p) for p in self.fold)

    def macs(self, open_all: bool = False) -> torch.Tensor:
        """Per-sample MACs of the scope; differentiable w.r.t. the latents
        (the rules are in ``pas_mm.core.cost.macs``)."""
        return graph_macs(self.graph,
                          lambda layout: self.kept(layout, open_all),
                          self.fold,
                          own_layer=self.attribution != 'marginal')

    def set_attribution(self, attribution: str) -> None:
        """Charge each gate only its own layer's cost (the original PaS;
        default; also 'flat', whose push the budget evens out) or its
        marginal cost; see ``pas_mm.core.search.budget``."""
        if attribution not in ATTRIBUTIONS:
            raise BudgetError(f'budget attribution must be one of '
                              f'{ATTRIBUTIONS}, got {attribution!r}')
        self.attribution = attribution

    def macs_ratio(self) -> float:
        return float(self.macs().detach()) / self.full_macs

    def use_latency(self, table: dict) -> None:
        """Budget the search by a measured latency table
        (``pas_mm.core.cost.latency``) instead of MACs: ``cost()``, the budget
        loss, the projection and the floors then read milliseconds."""
        full = graph_latency(self.graph, lambda lay: self.kept(lay, True),
                             table)  # names a layer the model lacks
        self.latency_table, self.metric = table, 'latency'
        self.full_cost = float(full)

    def cost(self, open_all: bool = False) -> torch.Tensor:
        """The budgeted cost: MACs per sample, or table milliseconds;
        differentiable w.r.t. the latents."""
        if self.metric == 'macs':
            return self.macs(open_all)
        total = graph_latency(self.graph,
                              lambda lay: self.kept(lay, open_all),
                              self.latency_table,
                              own_layer=self.attribution != 'marginal')
        return total if isinstance(total, torch.Tensor) else \
            torch.tensor(float(total))

    @property
    def metric_label(self) -> str:
        """How logs and errors name the budgeted cost: 'MACs' or
        'latency'."""
        return 'MACs' if self.metric == 'macs' else self.metric

    def cost_ratio(self) -> float:
        """The budgeted cost over its full-width value."""
        return float(self.cost().detach()) / self.full_cost

    def budget_loss(self, target_ratio: float, weight: float = 1.0,
                    mode: str = 'two-sided', macs=None) -> torch.Tensor:
        """weight * (cost/full - target)^2 (cost: MACs, or latency after
        ``use_latency``); 'hinge' only punishes excess.

        ``macs`` may pass a ``self.cost()`` already computed this step.
        """
        budget = Budget(target_ratio, weight, mode)
        return budget.loss(self.cost() if macs is None else macs,
                           self.full_cost)

    @contextlib.contextmanager
    def at_floor(self):
        """Every gate at its floor (min_channels / min_ratio / round_to)
        inside the block; the latents are restored after it."""
        saved = {n: g.latent.detach().clone() for n, g in self.gates.items()}
        try:
            with torch.no_grad():
                for gate in self.gates.values():
                    gate.latent.fill_(0.)
                self.apply_constraints()
            yield self
        finally:
            with torch.no_grad():
                for n, g in self.gates.items():
                    g.latent.copy_(saved[n])

    def min_macs_ratio(self) -> float:
        """The smallest cost ratio (MACs, or latency) min_channels /
        round_to let export reach."""
        with self.at_floor():
            return self.cost_ratio()

    def reach(self) -> Reach:
        """How far the gates can cut the MACs, and what holds the rest
        (``pas_mm.core.cost.explain.Reach``): by pin reason (op and module
        pattern), the floors and the products of activations."""
        with self.at_floor(), torch.no_grad():
            return reach_of(self)

    @property
    def projection_tolerance(self) -> float:
        """The projection's default relative band: 1 % of the MACs, 2 % of
        a table's latency. A table only predicts latency to a few per cent,
        and over its flat stretches the last 1 % can cost a third of the
        MACs (one shift cuts every group alike)."""
        return 0.01 if self.metric == 'macs' else 0.02

    def project_to_budget(self, target_ratio: float,
                          tol: Optional[float] = None,
                          hinge: bool = False) -> float:
        """Shift every latent by one scalar so that the cost ratio (MACs, or
        latency; after ``apply_constraints``) lands within ``tol``
        (relative; ``None``: ``projection_tolerance``) of the target.

        One shift keeps the channel ranking the search found; it only moves
        the cut. With ``hinge`` a ratio below the target is left alone.
        Returns the shift applied (0.0 when already within tolerance).
        """
        check_target_ratio(target_ratio)
        tol = self.projection_tolerance if tol is None else tol
        latents = {n: g.latent for n, g in self.gates.items()}
        saved = {n: t.detach().clone() for n, t in latents.items()}

        def ratio_at(delta):
            with torch.no_grad():
                for n, t in latents.items():
                    t.copy_(saved[n] + delta)
                self.apply_constraints()
            return self.cost_ratio()

        ratio = ratio_at(0.0)
        if abs(ratio - target_ratio) <= tol * target_ratio or \
                (hinge and ratio <= target_ratio):
            return 0.0
        lo = -max(float(t.max()) for t in saved.values()) - 1.0  # all cut
        hi = 1.0 - min(float(t.min()) for t in saved.values())  # all kept
        # ties go to the smaller shift: one that changes no width is 0
        best = (abs(ratio - target_ratio), 0.0, 0.0)
        for _ in range(50):  # the ratio grows with the shift: bisect
            mid = (lo + hi) / 2
            r = ratio_at(mid)
            best = min(best, (abs(r - target_ratio), abs(mid), mid))
            if r > target_ratio:
                hi = mid
            else:
                lo = mid
        ratio = ratio_at(best[2])
        self.tie_cuts = 0
        if abs(ratio - target_ratio) > tol * target_ratio and \
                not (hinge and ratio <= target_ratio):
            self.tie_cuts = self._split_ties(saved, lo, hi, target_ratio,
                                             tol, ratio_at)
        return best[2] if not self.tie_cuts else hi

    def _split_ties(self, saved, lo, hi, target_ratio, tol, ratio_at) -> int:
        """One shift moves latents that the search left (nearly) tied
        across the threshold together, and the ratio jumps past the
        target. From the shift ``hi`` (above the target), cut those
        channels one at a time, round-robin over the groups, lowest latent
        first, and keep the count that lands closest. Returns it (0: no
        count came closer than the shift alone)."""
        order = []
        for name in sorted(self.gates):
            thr = self.gates[name].threshold
            crossing = torch.nonzero((saved[name] + hi > thr) &
                                     (saved[name] + lo <= thr)).flatten()
            crossing = crossing[torch.argsort(saved[name][crossing])]
            order.append([(name, int(i)) for i in crossing])
        order = [c for tier in itertools.zip_longest(*order) for c in tier
                 if c is not None]

        def cut(count):
            ratio_at(hi)
            with torch.no_grad():
                for name, i in order[:count]:
                    self.gates[name].latent[i] = saved[name][i] + lo
                self.apply_constraints()
            return self.cost_ratio()

        best = (abs(ratio_at(hi) - target_ratio), 0)
        for count in range(1, len(order) + 1):
            r = cut(count)
            best = min(best, (abs(r - target_ratio), count))
            if r <= target_ratio or best[0] <= tol * target_ratio:
                break
        cut(best[1])
        return best[1]
