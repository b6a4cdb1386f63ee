"""The end of a search, for ``PaSSearch.finish``: apply the floors, say
how far the search itself got and how much task evidence it had, cut the
widths onto the budget, and say where that cut landed."""
from typing import Callable

from ..errors import BudgetError
from .evidence_cut import evidence_scores, rank_scores
from .gate_optimizer import ORIGINAL

# below this share of width decisions clear of their noise, the search
# was too short (or its batches too small) for the task to choose
MIN_EVIDENCE_SHARE = 0.5


def conclude(search, project: bool, tolerance, max_gap: float,
             strict: bool, log: Callable[[str], None],
             warn: Callable[[str], None], cut: str) -> dict:
    """End ``search`` (a ``PaSSearch`` whose gates are frozen) as its
    ``finish`` was asked to, and return what the width spec records:
    ``target_ratio``, ``search_end_ratio``, ``projection_shift``, ``cut``,
    ``rule``, ``equilibrium_step`` and ``evidence``."""
    space, budget = search.space, search.budget
    space.apply_floor()
    before = space.cost_ratio()  # MACs, or latency by the table
    metric = space.metric_label
    log(f'PaS: the search itself ended at {metric} ratio {before:.4f} '
        f'(target {budget.target_ratio})')
    gap = (before - budget.target_ratio) / budget.target_ratio
    if abs(gap) > max_gap and not (budget.hinge and gap <= 0):
        msg = (f'PaS: the search ended at {metric} ratio {before:.4f}, '
               f'{100 * gap:+.1f} % off the target {budget.target_ratio}: '
               'the widths now come from the end-of-search projection (one '
               'shift of every latent), not from the search. Search longer '
               '(search_epochs / search_iters / steps) or give the gates '
               'more room (gate_optimizer=dict(lr=...)).')
        if strict:
            raise BudgetError(msg + ' (strict_search=True)')
        warn(msg)
    evidence = search.evidence()
    if evidence['steps'] and evidence['share'] < MIN_EVIDENCE_SHARE:
        warn(f"PaS: only {evidence['clear']} of {evidence['decisions']} "
             f"width decisions ({100 * evidence['share']:.0f} %) had task "
             'evidence clear of its noise (mean task gradient > '
             f"{evidence['threshold']:g} standard errors from 0 over "
             f"{evidence['steps']} steps): the search was too short, or "
             'its batches too small, for the task to choose the widths; '
             'the cost chose most of them. Search longer or with larger '
             'batches.')
    if cut != 'projection':  # the evidence's ranking, not the latents'
        rank_scores(space, evidence_scores(cut, search.evidence_recorder,
                                           space))
        log(f'PaS: the widths are cut by {cut} (ranks of the task evidence '
            'recorded over the search)')
    shift = space.project_to_budget(budget.target_ratio, tolerance,
                                    hinge=budget.hinge) if project else 0.0
    if shift:
        ties = space.tie_cuts
        log(f'PaS: {metric} ratio {before:.4f} -> {space.cost_ratio():.4f} '
            f'by shifting every latent by {shift:+.4f} (budget projection' +
            (f'; {ties} tied channels cut one by one)' if ties else ')'))
    if project:
        _warn_if_missed(space, budget, tolerance, warn)
    rule = search.rule
    return dict(
        target_ratio=budget.target_ratio, search_end_ratio=before,
        projection_shift=shift, cut=cut,
        rule=ORIGINAL if rule is None else rule.rule,
        equilibrium_step=None if rule is None else rule.equilibrium_step,
        evidence=evidence)


def _warn_if_missed(space, budget, tolerance, warn) -> None:
    """The projection cannot always land within its tolerance: the floors,
    ``round_to`` and the size of one channel's cost bound it. Say so."""
    tol = space.projection_tolerance if tolerance is None else tolerance
    ratio, target = space.cost_ratio(), budget.target_ratio
    if abs(ratio - target) <= tol * target or \
            (budget.hinge and ratio <= target):
        return
    warn(f'PaS: the widths reach {space.metric_label} ratio {ratio:.4f}, '
         f'{100 * (ratio - target) / target:+.1f} % off the target '
         f'{target} (tolerance ±{100 * tol:g} %): the floors, round_to or '
         "one channel's cost keep the cut from landing closer")
