"""The runs of a benchmark suite task."""
from typing import List, NamedTuple, Optional, Union

METHOD_KEYS = ('config', 'budgets', 'widths_from', 'pretrained', 'final',
               'options', 'latency_table')


class SuiteRun(NamedTuple):
    """One training run of a suite task."""
    method: str
    budget: Optional[Union[float, str]]
    tag: str  # its folder name: ``method@budget`` (+ ``-seedS``)
    seed: Optional[int] = None  # None: the config's own seed


def method_spec(task: dict, method: str) -> dict:
    """A method of a suite task as ``dict(config, budgets, widths_from,
    pretrained, final, options)``.

    A method is a config path, or a dict with ``config`` and optionally
    ``budgets`` (its own subset of the task's), ``widths_from`` (another
    method of the task whose exported widths it trains, run by run: the
    same budget and seed; ``'task/method'`` reads a method of an earlier
    task of the suite: a cross-task transfer per budget and seed),
    ``pretrained`` (False: random init, e.g.
    training searched widths from scratch) and ``final`` (its last
    checkpoint, when its schedule differs from the task's) and
    ``options`` (``--cfg-options`` of its training run only, e.g. the
    variants of a tuning sweep) and ``latency_table`` (the name of one of
    the task's ``latency_tables``: the method's config budgets measured
    latency, its budgets are latency ratios by that table, and the suite
    passes it the table it built).
    """
    entry = task['methods'][method]
    spec = dict(config=entry) if isinstance(entry, str) else dict(entry)
    spec.setdefault('budgets', task['budgets'])
    spec.setdefault('widths_from', None)
    spec.setdefault('pretrained', True)
    spec.setdefault('final', task.get('final'))
    spec.setdefault('options', [])
    spec.setdefault('latency_table', None)
    return spec


def latency_budget_methods(task: dict) -> dict:
    """method -> its latency table's name, for the task's methods whose
    budgets are latency ratios (not MACs ratios)."""
    return {m: method_spec(task, m)['latency_table'] for m in task['methods']
            if method_spec(task, m)['latency_table']}


def single_transfer(task: dict) -> bool:
    """Whether the task's 'transfer' method is the one run of
    ``transfer_from`` (not a per-budget, per-seed ``widths_from``)."""
    return 'transfer' in task['methods'] and not method_spec(
        task, 'transfer')['widths_from']


def budget_tag(method: str, budget) -> str:
    return (f'{method}@{budget}' if isinstance(budget, str) else
            f'{method}@{budget:g}')


def run_tag(method: str, budget, seed: Optional[int]) -> str:
    tag = budget_tag(method, budget)
    return tag if seed is None else f'{tag}-seed{seed}'


def suite_runs(task: dict) -> List[SuiteRun]:
    """Every run of a suite task, in run order.

    A task's ``transfer_from='task/method@budget'`` makes its 'transfer'
    method run once and first: its widths come from that one run of
    another task, not from a budget. (A transfer per budget and seed is a
    method with ``widths_from='task/method'`` instead, run like any
    other.) A budget 'transfer' makes a method target the
    MACs ratio that the task's transfer run reached (an equal-MACs
    comparison); numeric budgets are MACs ratios of the search scope. A
    task with ``seeds=[0, 1, 2]`` runs every method and budget once per
    seed (``randomness.seed``), each in its own ``...-seedS`` folder.
    Methods run in the order they are listed (a ``widths_from`` method
    after the one it reads).
    """
    seeds = list(task.get('seeds') or [None])
    once = single_transfer(task)
    runs = [SuiteRun('transfer', None, 'transfer')] if once else []
    for method in task['methods']:
        if method == 'transfer' and once:
            continue
        for budget in method_spec(task, method)['budgets']:
            for seed in seeds:
                runs.append(SuiteRun(method, budget,
                                     run_tag(method, budget, seed), seed))
    return runs
