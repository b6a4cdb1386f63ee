"""Baseline pruning criteria, in the same search space and exporter as PaS.

Each criterion scores every channel of every group; the scores become the
gate latents, and ``SearchSpace.project_to_budget`` moves one global cut
onto the MACs target. Export, MACs and fine-tuning are then identical to
PaS, so the comparison is fair.

- ``uniform``: every group keeps the same fraction of its channels.
- ``bn-gamma``: network slimming, |gamma| of the BatchNorms that read the
  group, ranked globally.
- ``l1``: L1 norm of each channel's producer filters (Li et al.), divided by
  the group's largest so that one global cut keeps the strongest filters of
  every layer.
- ``random``: random per-group widths (the sanity baseline of random channel
  pruning): each group's L1 ranking is scaled by a random factor in
  [0.25, 1], so one global cut keeps a random share of every group while
  each group still keeps its strongest filters. Seeded by ``seed``.
- ``tp-magnitude``, ``tp-taylor``, ``tp-lamp``: Torch-Pruning's own
  importance classes (``pas_mm.core.criteria.tp_importance``); their scores are
  computed there and passed in as ``scores``.
"""
from typing import Dict, Optional

import torch

from ..errors import CriterionError
from ..search.space import SearchSpace
from ..trace.layer_rules import rule_of
from .tp_importance import TP_CRITERIA

# scored here; the tp-* ones by tp_importance (they need the model's inputs)
OWN_CRITERIA = ('uniform', 'bn-gamma', 'l1', 'random')
CRITERIA = OWN_CRITERIA + tuple(TP_CRITERIA)
# spellings accepted for a criterion (configs name files ``bn-gamma_...``)
_ALIASES = {'bn_gamma': 'bn-gamma'}


def canonical_criterion(method: str) -> str:
    """The name in ``CRITERIA`` that ``method`` spells (or ``method``)."""
    return _ALIASES.get(method, method)


def _group_slices(space: SearchSpace, layout):
    """(group name, slice of the layout's channels) for its gated groups."""
    pos = 0
    for leaf, n in layout.leaves():
        name = space.group_names.get(leaf.uid)
        if name is not None:
            yield name, slice(pos, pos + n)
        pos += n


def _accumulate(space, per_channel) -> Dict[str, torch.Tensor]:
    """Sum ``per_channel(rule, module)`` (None: the layer has no such
    scores) into every group its rule's scored layout holds."""
    scores = {n: torch.zeros(g.num_channels) for n, g in space.gates.items()}
    found = {n: False for n in scores}
    modules = dict(space.model.named_modules())
    for name, calls in space.graph.calls.items():
        call = calls[0]
        if call.pinned:
            continue
        rule = rule_of(call.kind)
        values = per_channel(rule, modules[name])
        if values is None:
            continue
        for group, sl in _group_slices(space, rule.scored_layout(call)):
            scores[group] += values[sl].detach().abs().float().cpu()
            found[group] = True
    return scores, found


def _random_widths(space, l1_scores, seed):
    """Each group's L1 ranking, as ranks in (0, 1], times a random factor
    in [0.25, 1]: a global cut at t keeps 1 - t / factor of the group."""
    gen = torch.Generator().manual_seed(int(seed))
    scores = {}
    for name in sorted(space.gates):  # a fixed order: same seed, same draw
        s = l1_scores[name]
        rank = torch.empty_like(s)
        rank[torch.argsort(s, descending=True)] = torch.arange(
            len(s), dtype=s.dtype)
        factor = 0.25 + 0.75 * float(torch.rand(1, generator=gen))
        scores[name] = factor * (1.0 - (rank + 0.5) / len(s))
    return scores


def channel_scores(space: SearchSpace, method: str,
                   seed: int = 0) -> Dict[str, torch.Tensor]:
    """Per-group channel scores in [0, 1] (higher: kept first).

    Args:
        space (SearchSpace): the search space of the trained model.
        method (str): one of ``CRITERIA`` (``'bn_gamma'`` is accepted for
            ``'bn-gamma'``).
        seed (int): seed of the ``'random'`` widths. Defaults to 0.

    Returns:
        dict[str, Tensor]: group name -> one score per channel.
    """
    method = canonical_criterion(method)
    if method in TP_CRITERIA:
        raise CriterionError(f'criterion {method!r} is scored by '
                             'pas_mm.core.criteria.tp_importance.'
                             'tp_channel_scores')
    if method not in CRITERIA:
        raise CriterionError(f'unknown pruning criterion {method!r}; '
                             f'choose from {CRITERIA} (or PaS search)')
    uniform = {n: 1.0 - (torch.arange(g.num_channels) + 0.5) / g.num_channels
               for n, g in space.gates.items()}
    if method == 'uniform':
        return uniform
    if method == 'bn-gamma':
        scores, found = _accumulate(
            space, lambda rule, module: rule.gamma_scores(module))
        top = max((float(s.max()) for n, s in scores.items() if found[n]),
                  default=1.0) or 1.0
        scores = {n: s / top for n, s in scores.items()}
    else:
        scores, found = _accumulate(
            space, lambda rule, module: rule.filter_scores(module))
        scores = {n: s / (float(s.max()) or 1.0) for n, s in scores.items()}
        if method == 'random':
            scores = _random_widths(space, {
                n: s if found[n] else uniform[n]
                for n, s in scores.items()}, seed)
            return scores
    # a group without BN / producer weights falls back to uniform
    return {n: s if found[n] else uniform[n] for n, s in scores.items()}


def prune_by_criterion(space: SearchSpace, method: str, target_ratio: float,
                       tol: float = 0.01, seed: int = 0,
                       scores: Optional[Dict[str, torch.Tensor]] = None
                       ) -> float:
    """Set the gates from ``method``'s scores, cut at the MACs target, and
    freeze them.

    Args:
        space (SearchSpace): the search space of the trained model.
        method (str): one of ``CRITERIA``.
        target_ratio (float): the MACs ratio of the search scope to reach.
        tol (float): relative tolerance of the cut. Default: 0.01.
        seed (int): seed of the ``'random'`` widths. Defaults to 0.
        scores (dict, optional): group name -> channel scores computed
            elsewhere (the ``tp-*`` criteria). Defaults to None
            (``channel_scores(space, method, seed)``).

    Returns:
        float: the MACs ratio reached.
    """
    if scores is None:
        scores = channel_scores(space, method, seed)
    with torch.no_grad():
        for name, gate in space.gates.items():
            gate.set_scores(scores[name])
    space.project_to_budget(target_ratio, tol)
    space.freeze()
    return space.macs_ratio()
