"""The markdown tables of a benchmark report (tools/analysis/
benchmark_report.py): per task mean ± std over seeds, PaS minus every other
method paired by seed, the headline (PaS against the best other method)
and where the searches ended before the projection."""
from collections import defaultdict

from .results import LATENCY_BATCHES, MS_PER_BATCH, TEST_STEP_MS_PER_BATCH
from .stats import (fmt_diff, fmt_mean_std, lower_is_better, mean_std,
                    paired_difference)
from .suite import latency_budget_methods, suite_runs

PAS = 'pas'
# PaS variants ('pas+kd', 'pas-residual', 'pas-marginal', 'pas-original',
# ...): compared with PaS itself, not counted as "other methods"
VARIANT_PREFIX = 'pas'
# the unpruned net trained on for the post-baseline epochs: the ceiling
CEILING = 'baseline+'
# widths trained from random init: their own table (``widths_only_table``)
WIDTHS_ONLY_PREFIX = 'scratch'


def pas_variant(method: str) -> bool:
    """Another setting of PaS (not the default row 'pas')."""
    return method != PAS and method.startswith(VARIANT_PREFIX)


def widths_only(method: str) -> bool:
    """A row of the widths-only table (a method's widths from scratch)."""
    return method.startswith(WIDTHS_ONLY_PREFIX)


def not_compared(method: str, task: dict) -> bool:
    """Rows PaS is not paired against as "another method": itself, the
    baselines, and latency-budget and widths-only rows."""
    return method in (PAS, 'baseline', CEILING,
                      *latency_budget_methods(task)) or widths_only(method)


def by_seed(rows, task, metric):
    """(method, budget) -> {seed: row} for one task and metric."""
    out = defaultdict(dict)
    for r in rows:
        if r['task'] == task and r['metric'] == metric:
            out[(r['method'], r['budget'])][r['seed']] = r
    return out


def _mean(rows, key):
    vals = [r[key] for r in rows if r[key] is not None]
    return sum(vals) / len(vals) if vals else None


def f_or_dash(v, spec='.3f'):
    return '–' if v is None else format(v, spec)


def metric_digits(rows, metric):
    """Decimals for a metric: 3 for one on a 0-1 scale (mAP, SSIM), else
    2 (percentages, dB)."""
    vals = [abs(r['value']) for r in rows if r['metric'] == metric]
    return 3 if vals and max(vals) <= 1.0 else 2


def task_table(task, rows):
    lines = []
    metrics = task['metrics']
    groups = by_seed(rows, task['name'], metrics[0])
    # the batch sizes this task's timing measured
    batches = [b for b in LATENCY_BATCHES if any(
        r[f'latency_ms_b{b}'] is not None for r in rows
        if r['task'] == task['name'])] or [1, 32]
    head = (['method', 'budget', 'seeds'] + metrics +
            ['MACs ratio', 'params (M)'] + [f'ms b{b}' for b in batches] +
            ['search end ratio'])
    lines.append('| ' + ' | '.join(head) + ' |')
    lines.append('|' + '---|' * len(head))
    for (method, budget), seeds in sorted(
            groups.items(), key=lambda kv: (-kv[0][1], kv[0][0])):
        if widths_only(method):
            continue  # their own table
        cells = [method, f'{budget:g}', str(len(seeds))]
        for m in metrics:
            vals = [r['value'] for r in rows
                    if r['task'] == task['name'] and r['metric'] == m and
                    r['method'] == method and r['budget'] == budget]
            cells.append(fmt_mean_std(mean_std(vals),
                                      metric_digits(rows, m)))
        runs = list(seeds.values())
        cells += [f_or_dash(_mean(runs, 'macs_ratio')),
                  f_or_dash(_mean(runs, 'params_m'), '.3f')]
        cells += [f_or_dash(_mean(runs, f'latency_ms_b{b}'), '.2f')
                  for b in batches]
        cells += [f_or_dash(_mean(runs, 'search_end_ratio'))]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return lines


def differences(task, rows):
    """[(budget, other, diff)] of PaS minus every other method on the
    task's first metric, sign-flipped for lower-is-better metrics so that
    > 0 always means PaS is better."""
    metric = task['metrics'][0]
    sign = -1.0 if lower_is_better(metric) else 1.0
    groups = by_seed(rows, task['name'], metric)
    # latency-budget methods meet PaS at equal latency, not equal budget
    out = []
    for (method, budget), pas in sorted(groups.items(),
                                        key=lambda kv: -kv[0][1]):
        if method != PAS:
            continue
        a = {s: sign * r['value'] for s, r in pas.items()}
        for (other, b2), rs in sorted(groups.items()):
            if b2 != budget or not_compared(other, task):
                continue
            b = {s: sign * r['value'] for s, r in rs.items()}
            out.append((budget, other, paired_difference(a, b)))
    return out


def tasks_of_rows(rows):
    """Minimal task dicts (name, metrics in row order) of a results CSV
    read back, e.g. an earlier benchmark version's."""
    tasks = {}
    for r in rows:
        metrics = tasks.setdefault(r['task'], [])
        if r['metric'] not in metrics:
            metrics.append(r['metric'])
    return [dict(name=n, metrics=m, methods={}) for n, m in tasks.items()]


def headline(tasks, rows):
    """Per task and budget: PaS minus the best other method (by mean),
    beside the ceiling (``baseline+``) where it was run."""
    lines = ['| task | budget | PaS | best other method | PaS − best '
             'other [95 % CI] | PaS+KD − PaS [95 % CI] | baseline+ |',
             '|' + '---|' * 7]
    for task in tasks:
        metric = task['metrics'][0]
        sign = -1.0 if lower_is_better(metric) else 1.0
        groups = by_seed(rows, task['name'], metric)
        digits = metric_digits(rows, metric)
        for budget in sorted({b for (_, b) in groups if b < 1}, reverse=True):
            pas = groups.get((PAS, budget))
            if not pas:
                continue
            others = {m: rs for (m, b), rs in groups.items()
                      if b == budget and not pas_variant(m) and
                      not not_compared(m, task)}
            if not others:
                continue
            best = max(others, key=lambda m: sign * mean_std(
                [r['value'] for r in others[m].values()])['mean'])

            def vals(rs):
                return {s: sign * r['value'] for s, r in rs.items()}

            d = paired_difference(vals(pas), vals(others[best]))
            kd = groups.get(('pas+kd', budget))
            dk = paired_difference(vals(kd), vals(pas)) if kd else None
            pas_stats = mean_std([r['value'] for r in pas.values()])
            top = groups.get((CEILING, 1.0))
            top = fmt_mean_std(mean_std([r['value'] for r in top.values()]),
                               digits) if top else '–'
            lines.append(
                f'| {task["name"]} ({metric}) | {budget:g} | '
                f'{fmt_mean_std(pas_stats, digits)} | {best} | '
                f'{fmt_diff(d, digits)} | '
                f'{fmt_diff(dk, digits) if dk else "–"} | {top} |')
    return lines


def search_convergence(rows):
    """Where the searches ended before the projection: every searched run's
    ratio against its target (the protocol asks for +-5 %)."""
    lines = ['| task | method | runs | largest gap to the target | '
             'outside ±5 % | mean projection shift |', '|' + '---|' * 6]
    groups = defaultdict(dict)
    for r in rows:
        if r['search_end_ratio'] is not None:
            groups[(r['task'], r['method'])][(r['budget'], r['seed'])] = r
    for (task, method), runs in sorted(groups.items()):
        gaps = {k: (r['search_end_ratio'] - r['budget']) / r['budget']
                for k, r in runs.items()}
        worst = max(gaps.values(), key=abs)
        outside = [f'{b:g}/seed{s}' for (b, s), g in sorted(gaps.items())
                   if abs(g) > 0.05]
        shift = _mean(list(runs.values()), 'projection_shift')
        lines.append(f'| {task} | {method} | {len(runs)} | {worst:+.1%} | '
                     f'{", ".join(outside) or "none"} | '
                     f'{f_or_dash(shift, "+.4f")} |')
    return lines


def widths_only_table(task, rows):
    """The widths-only rows (``scratch-<method>``): mean ± std per budget,
    and ``scratch-pas`` minus each other one, paired by seed."""
    metric = task['metrics'][0]
    sign = -1.0 if lower_is_better(metric) else 1.0
    groups = {k: v for k, v in by_seed(rows, task['name'], metric).items()
              if widths_only(k[0])}
    if not groups:
        return []
    digits = metric_digits(rows, metric)
    pas = f'{WIDTHS_ONLY_PREFIX}-{PAS}'
    lines = [f'| widths of | budget | seeds | {metric} | MACs ratio | '
             f'params (M) | {pas} − row [95 % CI] |', '|' + '---|' * 7]
    for (method, budget), seeds in sorted(groups.items(),
                                          key=lambda kv: (-kv[0][1],
                                                          kv[0][0])):
        stats = mean_std([r['value'] for r in seeds.values()])
        ref = groups.get((pas, budget))
        diff = '–'
        if ref and method != pas:
            diff = fmt_diff(paired_difference(
                {s: sign * r['value'] for s, r in ref.items()},
                {s: sign * r['value'] for s, r in seeds.items()}), digits)
        runs = list(seeds.values())
        lines.append(
            f'| {method[len(WIDTHS_ONLY_PREFIX) + 1:]} | {budget:g} | '
            f'{len(seeds)} | {fmt_mean_std(stats, digits)} | '
            f'{f_or_dash(_mean(runs, "macs_ratio"))} | '
            f'{f_or_dash(_mean(runs, "params_m"))} | {diff} |')
    return lines


def timing_table(task, timing):
    """A detector's timing, per method and budget: the mean ms per batch
    over its seeds and the ratio to the baseline's, for backbone + FPN on
    real val images (what PaS prunes: the primary figure) and for the whole
    test step with the heads' work fixed. ``[]`` for a timing that did not
    time those (a classifier's is in the task table)."""
    if not timing or TEST_STEP_MS_PER_BATCH not in timing:
        return []
    group = {r.tag: (r.method, r.budget) for r in suite_runs(task)}
    group['baseline'] = ('baseline', 1.0)
    kinds = [(MS_PER_BATCH, 'backbone+FPN'),
             (TEST_STEP_MS_PER_BATCH, 'test step')]
    batches = sorted(timing[MS_PER_BATCH], key=int)
    head = ['method', 'budget', 'seeds'] + [
        f'{label} b{b}' for _, label in kinds for b in batches]
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    tags = defaultdict(list)
    for tag in timing[MS_PER_BATCH][batches[0]]:
        if tag in group:
            tags[group[tag]].append(tag)

    def mean_ms(kind, batch, members):
        vals = [timing[kind][batch][t] for t in members
                if t in timing[kind].get(batch, {})]
        return sum(vals) / len(vals) if vals else None

    base = {(kind, b): mean_ms(kind, b, tags.get(('baseline', 1.0), []))
            for kind, _ in kinds for b in batches}
    for key, members in sorted(tags.items(),
                               key=lambda kv: (-kv[0][1], kv[0][0])):
        cells = [key[0], f'{key[1]:g}', str(len(members))]
        for kind, _ in kinds:
            for b in batches:
                ms = mean_ms(kind, b, members)
                ratio = (f' ({ms / base[kind, b]:.2f}×)'
                         if ms and base[kind, b] else '')
                cells.append(f'{f_or_dash(ms, ".1f")}{ratio}')
        lines.append('| ' + ' | '.join(cells) + ' |')
    return lines
