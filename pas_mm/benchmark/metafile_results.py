"""``Results`` entries of the configs' ``metafile.yml``, from the committed
benchmark results.

Each measured figure comes from a results file a benchmark report wrote
(``docs/artifacts/*/results.csv``, the test split) and the suite config
that ran it (which config each method and baseline trained), or from the
committed run of ``tools/run_demo.sh``
(``docs/artifacts/demo/results.json``): per config and budget,
the mean over seeds of every metric, its standard deviation and the
number of seeds. Nothing is typed in by hand. A config no committed
benchmark ran gets no ``Results``; its ``Metadata`` says why
(``Measured``), so an unmeasured config is never mistaken for a measured
one.
"""
import json
import os.path as osp
import statistics
from collections import defaultdict
from typing import Dict, List, Sequence, Tuple

from .check import load_suite
from .results import read_rows_csv
from .suite import method_spec

# suite config -> (results file, what the figures are): the committed runs
SOURCES: Tuple[Tuple[str, str, str], ...] = (
    ('configs/benchmark/proxy_suite.py',
     'docs/artifacts/benchmark/v1/results.csv',
     'benchmark v1, 4 post-baseline epochs: '
     'docs/artifacts/benchmark/v1/report.md'),
    ('configs/benchmark/proxy_suite_v2.py',
     'docs/artifacts/benchmark/results.csv',
     'benchmark v2, 15 post-baseline epochs: '
     'docs/artifacts/benchmark/report.md'),
    ('configs/benchmark/transformer_suite.py',
     'docs/artifacts/transformer/results.csv',
     'proxy ViT: docs/artifacts/transformer/report.md'),
    ('configs/benchmark/latency_suite.py',
     'docs/artifacts/latency/benchmark/results.csv',
     'latency-budget suite: docs/artifacts/latency/benchmark/report.md'),
)
# what tools/run_demo.sh measured, one run per demo config
DEMO_RESULTS = 'docs/artifacts/demo/results.json'
DEMO_NOTE = 'one run of tools/run_demo.sh: docs/artifacts/demo/README.md'
METRIC_NAMES = {'accuracy/top1': 'Top 1 Accuracy', 'coco/bbox_mAP': 'box AP',
                'coco/segm_mAP': 'mask AP'}
DATASETS = {'proxy-cls': 'proxy glyphs (36 classes), test split',
            'proxy-coco': 'proxy glyph instances (COCO format), test split',
            'proxy-outline2glyph': 'proxy outline -> glyph pairs, test split',
            'demo-cls': 'demo digits (10 classes), test split',
            'demo-coco': 'demo shapes (COCO format), test split',
            'demo-edges2photo': 'demo edges -> photo pairs, test split'}
UNMEASURED = {
    'in1k': 'no: a paper-scale config (ImageNet-1k on GPUs) that pas-mm '
            'has not run; no figure is quoted',
    'coco': 'no: a paper-scale config (COCO on GPUs) that pas-mm has not '
            'run; no figure is quoted',
    'demo': 'no committed figure: a demo-data config with no committed '
            'run of tools/run_demo.sh (docs/artifacts/demo/README.md)',
}


def _config_runs(repo: str) -> Dict[str, List[Tuple[dict, str]]]:
    """Config path -> [(row filter, source note)] over every source."""
    runs = defaultdict(list)
    for suite, csv_path, note in SOURCES:
        if not osp.isfile(osp.join(repo, csv_path)):
            continue
        for task in load_suite(osp.join(repo, suite)):
            base = task['baseline']['config']
            runs[base].append((dict(task=task['name'], method='baseline',
                                    csv=csv_path), note))
            for method in task['methods']:
                config = method_spec(task, method)['config']
                runs[config].append((dict(task=task['name'], method=method,
                                          csv=csv_path), note))
    return runs


def _figures(rows: Sequence[dict]) -> Dict[float, Dict[str, list]]:
    """budget -> metric -> values over seeds."""
    out = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row['value'] is not None:
            out[row['budget']][row['metric']].append(row['value'])
    return out


def _entry(task_name: str, dataset: str, note: str, budget: float,
           metrics: Dict[str, list]) -> dict:
    figures = {}
    seeds = 0
    for metric, values in sorted(metrics.items()):
        name = METRIC_NAMES.get(metric, metric)
        mean = statistics.mean(values)
        digits = 3 if abs(mean) < 1 else 2  # mAP in [0, 1], top-1 in %
        figures[name] = round(mean, digits)
        if len(values) > 1:
            figures[f'{name} std'] = round(statistics.stdev(values), digits)
        seeds = max(seeds, len(values))
    figures['MACs ratio'] = float(budget)
    figures['Seeds'] = seeds
    return {'Task': task_name, 'Dataset': f'{dataset}; {note}',
            'Metrics': figures}


def _dataset_of(config: str) -> str:
    for key, name in DATASETS.items():
        if f'_{key}' in osp.basename(config):
            return name
    return 'proxy data, test split'


def _unmeasured(config: str) -> str:
    name = osp.basename(config)
    for key, why in UNMEASURED.items():
        if f'_{key}' in name:
            return why
    return 'no committed benchmark has run this config'


def results_for(repo: str) -> Dict[str, List[dict]]:
    """Config path -> its ``Results`` entries (without the task name,
    filled in from the metafile's collection)."""
    tables = {}
    out = defaultdict(list)
    for config, runs in _config_runs(repo).items():
        for where, note in runs:
            csv_path = where['csv']
            if csv_path not in tables:
                tables[csv_path] = read_rows_csv(osp.join(repo, csv_path))
            rows = [r for r in tables[csv_path]
                    if r['task'] == where['task'] and
                    r['method'] == where['method']]
            for budget, metrics in sorted(_figures(rows).items()):
                out[config].append(_entry('', _dataset_of(config), note,
                                          budget, metrics))
    for run in _demo_runs(repo):
        metrics = {k: [v] for k, v in run['metrics'].items()}
        out[run['config']].append(_entry('', _dataset_of(run['config']),
                                         DEMO_NOTE, run['macs_ratio'],
                                         metrics))
    return out


def _demo_runs(repo: str) -> List[dict]:
    """The runs of the committed demo results, if any."""
    path = osp.join(repo, DEMO_RESULTS)
    if not osp.isfile(path):
        return []
    with open(path) as f:
        return json.load(f)['runs']


def metafile_text(path: str, results: Dict[str, List[dict]]
                  ) -> Tuple[str, int, int]:
    """The text of one ``metafile.yml`` with every model's ``Results`` (or
    its ``Metadata.Measured``), the number of models with results, and of
    models."""
    import yaml
    with open(path) as f:
        meta = yaml.safe_load(f)
    tasks = {c['Name']: c.get('Metadata', {}).get('Task', '')
             for c in meta.get('Collections', [])}
    measured = 0
    for model in meta['Models']:
        entries = results.get(model['Config'])
        model.pop('Results', None)
        model.setdefault('Metadata', {}).pop('Measured', None)
        if entries:
            task = tasks.get(model.get('In Collection'), '')
            model['Results'] = [dict(e, Task=task) for e in entries]
            measured += 1
        else:
            model['Metadata']['Measured'] = _unmeasured(model['Config'])
    text = yaml.safe_dump(meta, sort_keys=False, width=79,
                          allow_unicode=True)
    return text, measured, len(meta['Models'])
