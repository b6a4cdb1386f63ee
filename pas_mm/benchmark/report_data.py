"""Reading a suite work dir for cross_task_report.py (no plotting here)."""
import glob
import json
import os.path as osp
import re
from collections import OrderedDict

from pas_mm.core.compact.width_summary import per_stage as stage_counts
from .suite import suite_runs


def _json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _search_share(run_dir):
    """'k/n epochs' (or iters) of the search within the run's schedule, from
    the config dump mmengine writes into the work dir."""
    dumps = sorted(glob.glob(osp.join(run_dir, '*.py')))
    if not dumps:
        return None
    text = open(dumps[0]).read()
    body = re.search(r'dict\(([^()]*PaSSearchHook[^()]*)\)', text)
    hook = body and re.search(r'search_(epochs|iters)=(\d+)', body.group(1))
    total = re.search(r'max_(epochs|iters)=(\d+)', text)
    if not hook or not total:
        return None
    unit = hook.group(1)
    return f'{hook.group(2)}/{total.group(2)} {unit}'


def _run(tag, run_dir, result_dir, baseline_macs):
    flops = _json(osp.join(result_dir, 'flops.json')) or {}
    latency = _json(osp.join(result_dir, 'latency.json')) or {}
    metrics = (_json(osp.join(result_dir, 'test_metrics.json')) or
               {}).get('metrics', {})
    spec = _json(osp.join(result_dir, 'width_spec.json'))
    done = _json(osp.join(run_dir, '.done-train')) or {}
    widths = OrderedDict()
    if spec:
        for name, g in spec['groups'].items():
            widths[name] = (g['kept'], g['channels'])
    rows = latency.get('rows') or [{}]
    macs = flops.get('macs')
    return dict(
        tag=tag, macs=macs, params=flops.get('params'),
        macs_g=macs / 1e9 if macs else None,
        params_m=flops['params'] / 1e6 if flops.get('params') else None,
        macs_ratio=(spec['macs']['ratio'] if spec else
                    (1.0 if tag == 'baseline' else None)),
        full_ratio=macs / baseline_macs if macs and baseline_macs else None,
        metrics=metrics, latency_ms=rows[0].get('ms_per_image'),
        train_s=done.get('seconds'),
        search_share=None if tag == 'baseline' else _search_share(run_dir),
        layer_widths=widths,
        layer_ratios=OrderedDict((n, k / c) for n, (k, c) in widths.items()))


def collect_runs(work_dir, task):
    """(runs, missing tags) of one task, baseline first."""
    tdir = osp.join(work_dir, task['name'])
    base_dir = osp.join(tdir, 'baseline')
    base = _run('baseline', base_dir, base_dir, None)
    runs, missing = [base], []
    if not base['metrics']:
        missing.append('baseline')
    for planned in suite_runs(task):
        tag = planned.tag
        rdir = osp.join(tdir, tag)
        run = _run(tag, rdir, osp.join(rdir, 'compact'), base['macs'])
        if not run['metrics'] or run['macs'] is None:
            missing.append(tag)
            continue
        runs.append(run)
    return runs, missing


def per_stage(layer_widths):
    """Channel-weighted kept ratio per stage, in first-seen order."""
    return OrderedDict((s, k / c) for s, (k, c) in
                       stage_counts(layer_widths).items())


def _ranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == \
                values[order[i]]:
            j += 1
        for k in range(i, j + 1):  # ties share their mean rank
            ranks[order[k]] = (i + j) / 2
        i = j + 1
    return ranks


def spearman(a, b):
    """Spearman rank correlation; None if undefined (constant input)."""
    if len(a) != len(b) or len(a) < 3:
        return None
    ra, rb = _ranks(list(a)), _ranks(list(b))
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    va = sum((x - ma) ** 2 for x in ra)
    vb = sum((y - mb) ** 2 for y in rb)
    if va == 0 or vb == 0:
        return None
    return cov / (va * vb) ** 0.5
