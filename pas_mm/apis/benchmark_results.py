"""The rows of a benchmark suite's results: one per task, method, budget,
seed and metric, read from the suite's work dir (``results.csv``)."""
import json
import os.path as osp
from typing import Dict, List, Optional

from .suite import method_spec, suite_runs

COLUMNS = ('task', 'method', 'budget', 'seed', 'macs_ratio', 'params_m',
           'metric', 'value', 'latency_ms_b1', 'latency_ms_b32',
           'search_end_ratio', 'projection_shift')


def _json(path) -> Optional[dict]:
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _latency(timing: dict, tag: str, batch: int) -> Optional[float]:
    return ((timing or {}).get('ms_per_batch', {}).get(str(batch)) or
            {}).get(tag)


def load_suite_tasks(work_dir: str) -> List[dict]:
    suite = _json(osp.join(work_dir, 'suite.json'))
    if suite is None:
        raise FileNotFoundError(f'{work_dir} holds no readable suite.json '
                                '(tools/benchmark/run_suite.py writes it)')
    return suite['tasks']


def _rows_of(task, method, budget, seed, result_dir, spec, timing, tag,
             split):
    metrics_dir = result_dir if split == 'test' else \
        osp.join(result_dir, 'val')
    metrics = (_json(osp.join(metrics_dir, 'test_metrics.json')) or
               {}).get('metrics')
    flops = _json(osp.join(result_dir, 'flops.json'))
    if not metrics or not flops:
        return []
    wspec = _json(osp.join(result_dir, 'width_spec.json')) if spec else None
    # where the search ended is recorded by the search, not by the export
    search = _json(osp.join(osp.dirname(result_dir), 'pas_search',
                            'width_spec.json')) if spec else None
    common = dict(
        task=task['name'], method=method, budget=budget, seed=seed,
        macs_ratio=wspec['macs']['ratio'] if wspec else 1.0,
        params_m=flops['params'] / 1e6,
        latency_ms_b1=_latency(timing, tag, 1),
        latency_ms_b32=_latency(timing, tag, 32),
        search_end_ratio=(search or {}).get('search_end_ratio'),
        projection_shift=(search or {}).get('projection_shift'))
    return [dict(common, metric=k, value=float(metrics[k]))
            for k in task['metrics'] if k in metrics]


def collect_rows(work_dir: str, split: str = 'test') -> Dict[str, list]:
    """``dict(rows=[...], missing=[...])``: the result rows of every task
    of the suite in ``work_dir`` (``split`` 'test' or 'val'), and the runs
    that have not finished yet (``task/tag``)."""
    rows, missing = [], []
    for task in load_suite_tasks(work_dir):
        tdir = osp.join(work_dir, task['name'])
        timing = _json(osp.join(tdir, 'timing', 'latency.json'))
        base = _rows_of(task, 'baseline', 1.0, None,
                        osp.join(tdir, 'baseline'), False, timing,
                        'baseline', split)
        rows += base
        if not base:
            missing.append(f'{task["name"]}/baseline')
        for run in suite_runs(task):
            method_spec(task, run.method)  # a malformed method fails here
            got = _rows_of(task, run.method, run.budget, run.seed,
                           osp.join(tdir, run.tag, 'compact'), True, timing,
                           run.tag, split)
            rows += got
            if not got:
                missing.append(f'{task["name"]}/{run.tag}')
    return dict(rows=rows, missing=missing)
