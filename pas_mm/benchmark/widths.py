"""Do the searched widths differ by task? PaS widths of one backbone
family, searched on several tasks of a benchmark run, compared group by
group: the rank correlation across tasks against the one between seeds of
the same task (the noise floor)."""
import itertools
import json
import os.path as osp
from typing import Dict, List, Optional

from .report_data import spearman
from .suite import run_tag

PAS = 'pas'


def pas_widths(work_dir: str, task: dict,
               budget: float) -> Dict[int, Dict[str, float]]:
    """``{seed: {group: kept / channels}}`` of the task's finished PaS runs
    at ``budget`` (the exported width specs)."""
    out = {}
    for seed in task.get('seeds') or [None]:
        path = osp.join(work_dir, task['name'], run_tag(PAS, budget, seed),
                        'compact', 'width_spec.json')
        if osp.isfile(path):
            with open(path) as f:
                groups = json.load(f)['groups']
            out[seed] = {n: g['kept'] / g['channels']
                         for n, g in groups.items()}
    return out


def _mean_rho(pairs) -> Optional[float]:
    rhos = [r for r in (spearman(a, b) for a, b in pairs) if r is not None]
    return sum(rhos) / len(rhos) if rhos else None


def compare_tasks(a: Dict[int, Dict[str, float]],
                  b: Dict[int, Dict[str, float]]) -> Optional[dict]:
    """Spearman rho of the per-group kept ratios of two tasks' searches
    on the groups they share: mean over every cross-task pair of seeds, and
    within each task over its pairs of seeds."""
    if not a or not b:
        return None
    runs = list(a.values()) + list(b.values())
    common = sorted(set(runs[0]).intersection(*runs[1:]))
    if len(common) < 3:
        return None

    def vec(w):
        return [w[n] for n in common]

    def within(runs):
        return _mean_rho((vec(x), vec(y))
                         for x, y in itertools.combinations(runs.values(), 2))

    return dict(
        groups=common,
        rho_cross=_mean_rho((vec(x), vec(y)) for x in a.values()
                            for y in b.values()),
        rho_within_a=within(a), rho_within_b=within(b),
        mean_a=[sum(w[n] for w in a.values()) / len(a) for n in common],
        mean_b=[sum(w[n] for w in b.values()) / len(b) for n in common])


def cross_task_widths(work_dir: str, tasks: List[dict]) -> List[dict]:
    """Every pair of tasks of one ``family`` that searched at a common
    budget, compared by :func:`compare_tasks`."""
    out = []
    for ta, tb in itertools.combinations(tasks, 2):
        family = ta.get('family')
        if family is None or family != tb.get('family') or \
                PAS not in ta['methods'] or PAS not in tb['methods']:
            continue
        for budget in sorted(set(ta['budgets']) & set(tb['budgets'])):
            if not isinstance(budget, (int, float)):
                continue
            cmp = compare_tasks(pas_widths(work_dir, ta, budget),
                                pas_widths(work_dir, tb, budget))
            if cmp:
                out.append(dict(cmp, family=family, budget=budget,
                                task_a=ta['name'], task_b=tb['name']))
    return out
