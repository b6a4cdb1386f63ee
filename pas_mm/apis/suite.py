"""The runs of a benchmark suite task."""
from typing import List, NamedTuple, Optional, Union


class SuiteRun(NamedTuple):
    """One training run of a suite task."""
    method: str
    budget: Optional[Union[float, str]]
    tag: str  # its folder name: ``method@budget`` (+ ``-seedS``)
    seed: Optional[int] = None  # None: the config's own seed


def suite_runs(task: dict) -> List[SuiteRun]:
    """Every run of a suite task, in run order.

    A 'transfer' method runs once and first: its widths come from another
    task, not from a budget. A budget 'transfer' makes a method target the
    MACs ratio that the task's transfer run reached (an equal-MACs
    comparison); numeric budgets are MACs ratios of the search scope. A
    task with ``seeds=[0, 1, 2]`` runs every method and budget once per
    seed (``randomness.seed``), each in its own ``...-seedS`` folder.
    """
    seeds = list(task.get('seeds') or [None])
    runs = [SuiteRun('transfer', None, 'transfer')] if 'transfer' in task[
        'methods'] else []
    for method in task['methods']:
        if method == 'transfer':
            continue
        for budget in task['budgets']:
            tag = (f'{method}@{budget}' if isinstance(budget, str) else
                   f'{method}@{budget:g}')
            for seed in seeds:
                runs.append(SuiteRun(
                    method, budget,
                    tag if seed is None else f'{tag}-seed{seed}', seed))
    return runs
