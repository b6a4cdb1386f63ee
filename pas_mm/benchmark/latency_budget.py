"""Latency-budget searches against MACs-budget searches at equal measured
latency.

A latency-budget method (a suite method with ``latency_table``) runs at
latency targets; the MACs-budget PaS runs at MACs targets. They meet on
the measured latency: for each seed, the MACs-budget runs' (latency ratio,
metric) points are joined by straight lines, and read at the latency ratio
the latency-budget run actually reached. The difference is paired by seed.
A reached latency outside the MACs runs' range is not extrapolated: that
seed is counted as outside and left out of the difference.
"""
from typing import Dict, List, Optional

from .stats import (fmt_diff, fmt_mean_std, lower_is_better, mean_std,
                    paired_difference)
from .suite import latency_budget_methods

AGAINST = 'pas'


def _ratio(row: dict, key: str, base_ms: Optional[float]):
    ms = row.get(key)
    return None if ms is None or not base_ms else ms / base_ms


def interpolate_at(points: List[tuple], x: float) -> Optional[float]:
    """The piecewise-linear curve through ``points`` ((x, y), any order)
    at ``x``; None outside their x range."""
    pts = sorted(points)
    if not pts or x < pts[0][0] or x > pts[-1][0]:
        return None
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if x0 <= x <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return pts[0][1]  # a single point, at exactly its x


def equal_latency(task: dict, rows: List[dict],
                  against: str = AGAINST) -> List[dict]:
    """Per latency-budget method and target: the latency ratio it reached,
    its metric, and the MACs-budget method's metric at that latency.

    Args:
        task (dict): a suite task (its ``latency_tables`` give each
            method's batch size).
        rows (list[dict]): the results rows (``benchmark_results``).
        against (str): the MACs-budget method. Default: 'pas'.

    Returns:
        list[dict]: ``method, budget, batch, reached (mean_std of the
        measured latency ratio), value, at_equal_latency (mean_std),
        difference (paired, sign-flipped so that > 0 means the
        latency-budget run is better), outside (seeds outside the MACs
        runs' latency range)``.
    """
    metric = task['metrics'][0]
    sign = -1.0 if lower_is_better(metric) else 1.0
    mine = [r for r in rows if r['task'] == task['name'] and
            r['metric'] == metric]
    out = []
    for method, table in latency_budget_methods(task).items():
        batch = task['latency_tables'][table].get('batch', 1)
        key = f'latency_ms_b{batch}'
        base = [r[key] for r in mine if r['method'] == 'baseline' and
                r[key] is not None]
        base_ms = sum(base) / len(base) if base else None
        curves: Dict[object, list] = {}
        for r in mine:
            ratio = _ratio(r, key, base_ms)
            if r['method'] == against and ratio is not None:
                curves.setdefault(r['seed'], []).append((ratio, r['value']))
        for budget in sorted({r['budget'] for r in mine
                              if r['method'] == method}, reverse=True):
            runs = [r for r in mine if r['method'] == method and
                    r['budget'] == budget]
            reached, a, b, outside = [], {}, {}, []
            for r in runs:
                ratio = _ratio(r, key, base_ms)
                if ratio is None:
                    continue
                reached.append(ratio)
                y = interpolate_at(curves.get(r['seed'], []), ratio)
                if y is None:
                    outside.append(r['seed'])
                    continue
                a[r['seed']], b[r['seed']] = r['value'], y
            diff = paired_difference({s: sign * v for s, v in a.items()},
                                     {s: sign * v for s, v in b.items()})
            out.append(dict(
                method=method, budget=budget, batch=batch,
                reached=mean_std(reached),
                value=mean_std([r['value'] for r in runs]),
                at_equal_latency=mean_std(list(b.values())),
                difference=diff, outside=outside))
    return out


def equal_latency_lines(task: dict, rows: List[dict], digits: int = 2,
                        against: str = AGAINST) -> List[str]:
    """The report's markdown for :func:`equal_latency` (empty for a task
    without latency-budget methods)."""
    found = equal_latency(task, rows, against)
    if not found:
        return []
    metric = task['metrics'][0]
    lines = [
        '', f'Latency budget against MACs budget at equal measured latency '
        f'({metric}; the {against} runs read at the latency each '
        'latency-budget run reached, paired by seed; > 0: the latency '
        'budget is better):', '',
        '| method | latency target (the table\'s prediction) | batch | '
        'measured latency ratio | '
        f'{metric} | {against} at that latency | difference [95 % CI] | '
        'seeds outside |', '|' + '---|' * 8]
    for f in found:
        lines.append(
            f'| {f["method"]} | {f["budget"]:g} | {f["batch"]} | '
            f'{fmt_mean_std(f["reached"], 3)} | '
            f'{fmt_mean_std(f["value"], digits)} | '
            f'{fmt_mean_std(f["at_equal_latency"], digits)} | '
            f'{fmt_diff(f["difference"], digits)} | '
            f'{", ".join(str(s) for s in f["outside"]) or "none"} |')
    return lines
