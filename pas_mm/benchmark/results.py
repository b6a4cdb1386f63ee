"""The rows of a benchmark suite's results: one per task, method, budget,
seed and metric, read from the suite's work dir (``results.csv``)."""
import csv
import json
import os.path as osp
from typing import Dict, List, Optional

from .plan import RunPaths
from .suite import method_spec, suite_runs

COLUMNS = ('task', 'method', 'budget', 'seed', 'macs_ratio', 'params_m',
           'metric', 'value', 'latency_ms_b1', 'latency_ms_b32',
           'search_end_ratio', 'projection_shift', 'latency_ms_b8')
# the timed batch sizes with a column (a task times some of them)
LATENCY_BATCHES = (1, 8, 32)
# a timing JSON's keys (benchmark_suite_latency.py writes them): ms per
# batch (a detector's backbone + FPN), and a detector's whole test step
# with the heads' work fixed
MS_PER_BATCH = 'ms_per_batch'
TEST_STEP_MS_PER_BATCH = 'test_step_ms_per_batch'


def _json(path) -> Optional[dict]:
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _latency(timing: dict, tag: str, batch: int) -> Optional[float]:
    return ((timing or {}).get(MS_PER_BATCH, {}).get(str(batch)) or
            {}).get(tag)


def read_timing(work_dir: str, task_name: str) -> Optional[dict]:
    """The task's ``timing/latency.json`` (None if not timed yet)."""
    return _json(RunPaths.timing_json(work_dir, task_name))


def load_suite_record(work_dir: str) -> dict:
    """``dict(suite=path, tasks=[...])``: what ``run_suite.py`` recorded in
    ``WORK_DIR/suite.json`` (the one reader of it)."""
    suite = _json(RunPaths.suite_json(work_dir))
    if suite is None:
        raise FileNotFoundError(f'{work_dir} holds no readable suite.json '
                                '(tools/benchmark/run_suite.py writes it)')
    return suite


def load_suite_tasks(work_dir: str) -> List[dict]:
    return load_suite_record(work_dir)['tasks']


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
        latency_ms_b8=_latency(timing, tag, 8),
        search_end_ratio=(search or {}).get('search_end_ratio'),
        projection_shift=(search or {}).get('projection_shift'))
    return [dict(common, metric=k, value=float(metrics[k]))
            for k in task['metrics'] if k in metrics]


def collect_rows(work_dir: str, split: str = 'test') -> Dict[str, list]:
    """``dict(rows=[...], missing=[...])``: the result rows of every task
    of the suite in ``work_dir`` (``split`` 'test' or 'val'), and the runs
    that have not finished yet (``task/tag``)."""
    rows, missing, missing_runs = [], [], []
    for task in load_suite_tasks(work_dir):
        tdir = osp.join(work_dir, task['name'])
        timing = _json(RunPaths.timing_json(work_dir, task['name']))
        base = _rows_of(task, 'baseline', 1.0, None,
                        osp.join(tdir, 'baseline'), False, timing,
                        'baseline', split)
        rows += base
        if not base:
            missing.append(f'{task["name"]}/baseline')
            missing_runs.append((task['name'], 'baseline', 1.0, None))
        for run in suite_runs(task):
            method_spec(task, run.method)  # a malformed method fails here
            got = _rows_of(task, run.method, run.budget, run.seed,
                           RunPaths(work_dir, task['name'], run.tag).compact,
                           True, timing,
                           run.tag, split)
            rows += got
            if not got:
                missing.append(f'{task["name"]}/{run.tag}')
                missing_runs.append((task['name'], run.method, run.budget,
                                     run.seed))
    return dict(rows=rows, missing=missing, missing_runs=missing_runs)


_NUMBERS = ('budget', 'macs_ratio', 'params_m', 'value', 'latency_ms_b1',
            'latency_ms_b32', 'search_end_ratio', 'projection_shift',
            'latency_ms_b8')


def read_rows_csv(path: str) -> List[dict]:
    """The rows of a ``results.csv`` that ``benchmark_report.py`` wrote
    (empty cells are None)."""
    with open(path, newline='') as f:
        reader = csv.DictReader(f)
        names = tuple(reader.fieldnames or ())
        # an earlier version's file lacks only the columns added since
        if names != COLUMNS[:len(names)] or \
                len(names) < COLUMNS.index('latency_ms_b8'):
            raise ValueError(f'{path}: not a results file (columns '
                             f'{reader.fieldnames}, want {list(COLUMNS)})')
        rows = []
        for raw in reader:
            row = {k: (v if v != '' else None) for k, v in raw.items()}
            row.update({k: None for k in COLUMNS[len(names):]})
            for k in _NUMBERS:
                row[k] = None if row[k] is None else float(row[k])
            row['seed'] = None if row['seed'] is None else int(row['seed'])
            rows.append(row)
    return rows


def carry_over(collected: Dict[str, list],
               earlier: List[dict]) -> Dict[str, list]:
    """Fill the runs ``collected`` lacks with an earlier report's rows of
    the same task, method, budget and seed (a work dir that did not
    survive: its figures are as that report gave them). Returns
    ``collected`` with ``rows``, ``missing`` and ``missing_runs`` updated
    and ``carried`` listing the runs taken over (``task/method@budget
    seed``)."""
    def key(r):
        return (r['task'], r['method'], float(r['budget']), r['seed'])

    rows, missing, runs, carried = list(collected['rows']), [], [], []
    for label, run in zip(collected['missing'], collected['missing_runs']):
        got = [r for r in earlier if key(r) == key(dict(
            task=run[0], method=run[1], budget=run[2], seed=run[3]))]
        if got:
            rows += got
            carried.append(label)
        else:
            missing.append(label)
            runs.append(run)
    return dict(collected, rows=rows, missing=missing, missing_runs=runs,
                carried=carried)
