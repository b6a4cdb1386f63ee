"""Tables, paired differences and Pareto plots of a benchmark suite run.

    python tools/analysis/benchmark_report.py WORK_DIR
        [--out docs/artifacts/benchmark]
        [--split {test,val}] [--carry-over DIR] [--beside DIR]

Reads what tools/benchmark/run_suite.py left in WORK_DIR and writes to
--out: results.csv (test split; one row per task, method, budget, seed and
metric; the baselines are method 'baseline', budget 1.0), results_val.csv
(the same on the val split, which is what tuning may look at), report.md
(per task: mean ± std over seeds, PaS minus every other method paired by
seed with a 95 % CI, search-end ratios) and pareto_<task>_<x>.png (the
task's first metric against the MACs ratio and the measured latency at
batch 1 and 32). Runs that have not finished are listed, not guessed.
--split val reports a tuning sweep (a suite with test_split=False): the
tables and plots come from val, and only results_val.csv is written.
--carry-over DIR takes the runs WORK_DIR does not hold from an earlier
report's results.csv / results_val.csv in DIR (usually --out itself): a
suite run in parts across machines whose earlier work dirs are gone. The
report names the runs it carried over; their figures are as that report
gave them (a latency the earlier run did not measure stays empty).
--beside DIR shows the headline of an earlier benchmark version's
results.csv in DIR beside this one (v2 beside docs/artifacts/benchmark/v1).
"""
import argparse
import csv
import io
import os
import os.path as osp
import shutil
import sys

from pas_mm.apis import exit_status, one_line_errors
from pas_mm.apis.errors import ToolInputError
from pas_mm.benchmark.latency_budget import equal_latency_lines
from pas_mm.benchmark.results import (COLUMNS, carry_over, collect_rows,
                                      load_suite_tasks, read_rows_csv,
                                      read_timing)
from pas_mm.benchmark.stats import fmt_diff, mean_std
from pas_mm.benchmark.tables import (by_seed, differences, f_or_dash, headline,
                                     metric_digits, search_convergence,
                                     task_table, tasks_of_rows, timing_table,
                                     widths_only_table)
from pas_mm.benchmark.widths import cross_task_widths
from pas_mm.core.io import atomic_write, atomic_write_text

WIDTHS_HEADING = '## Do the searched widths differ by task?'
CARRIED_NOTE = ('(Carried over from the earlier report: the widths it was '
                'computed from are not in this work dir.)')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir')
    parser.add_argument('--out', default='docs/artifacts/benchmark')
    parser.add_argument('--split', default='test', choices=['test', 'val'],
                        help='the split of the tables and plots (val: a '
                        'tuning sweep, which never evaluates on test)')
    parser.add_argument('--carry-over', metavar='DIR', default=None,
                        help="take the runs WORK_DIR lacks from an earlier "
                        "report's results.csv / results_val.csv in DIR")
    parser.add_argument('--beside', metavar='DIR', default=None,
                        help="an earlier benchmark version's report folder "
                        '(its results.csv): its headline is shown beside '
                        'this one')
    return parser.parse_args(argv)


def write_csv(path, rows):
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator='\n')
    writer.writeheader()
    for row in rows:
        writer.writerow({k: '' if row[k] is None else row[k]
                         for k in COLUMNS})
    atomic_write_text(path, buf.getvalue())


def pareto_plots(task, rows, out, split='test'):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    metric = task['metrics'][0]
    groups = by_seed(rows, task['name'], metric)
    files = []
    if not any(m != 'baseline' for (m, _) in groups):
        return files  # no finished method run: nothing to plot
    for key, label in (('macs_ratio', 'MACs ratio of the search scope'),
                       ('latency_ms_b1', 'CPU latency, batch 1 (ms)'),
                       ('latency_ms_b8', 'CPU latency, batch 8 (ms)'),
                       ('latency_ms_b32', 'CPU latency, batch 32 (ms)')):
        if not any(r[key] is not None for seeds in groups.values()
                   for r in seeds.values() if r['method'] != 'baseline'):
            continue  # e.g. a task whose latency was not measured
        fig, ax = plt.subplots(figsize=(6, 4.2))
        methods = sorted({m for (m, _) in groups})
        for i, method in enumerate(methods):
            pts = []
            for (m, budget), seeds in groups.items():
                if m != method:
                    continue
                xs = [r[key] for r in seeds.values() if r[key] is not None]
                ys = mean_std([r['value'] for r in seeds.values()])
                if xs:
                    pts.append((sum(xs) / len(xs), ys['mean'],
                                ys['std'] or 0.0))
            if not pts:
                continue
            pts.sort()
            ax.errorbar([p[0] for p in pts], [p[1] for p in pts],
                        yerr=[p[2] for p in pts], marker='os^vD<>p*'[i % 9],
                        capsize=3, label=method,
                        linestyle='none' if method == 'baseline' else '-')
        ax.set_xlabel(label)
        ax.set_ylabel(f'{metric} ({split})')
        ax.set_title(f'{task["name"]}: mean ± std over seeds')
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = osp.join(out, f'pareto_{task["name"]}_{key}.png')
        atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110,
                                                   format='png'))
        plt.close(fig)
        files.append(osp.basename(path))
    return files


def width_section(work_dir, tasks, out):
    """Cross-task widths: the rank correlation of PaS's per-group kept
    ratios between two tasks of one family, beside the one between seeds
    of each task; and a plot of the mean kept ratios."""
    found = cross_task_widths(work_dir, tasks)
    if not found:
        return []
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    lines = ['', WIDTHS_HEADING, '',
             "Spearman rho of PaS's per-group kept ratios on the groups both "
             'tasks search (mean over pairs of runs). Widths that differ by '
             'task show a rho across tasks below the rho between seeds of '
             'one task.', '',
             '| family | budget | task A | task B | groups | rho A vs B | '
             'rho seeds A | rho seeds B |', '|' + '---|' * 8]
    for c in found:
        lines.append(
            f'| {c["family"]} | {c["budget"]:g} | {c["task_a"]} | '
            f'{c["task_b"]} | {len(c["groups"])} | '
            f'{f_or_dash(c["rho_cross"])} | '
            f'{f_or_dash(c["rho_within_a"])} | '
            f'{f_or_dash(c["rho_within_b"])} |')
        fig, ax = plt.subplots(figsize=(7, 3.6))
        xs = range(len(c['groups']))
        ax.plot(xs, c['mean_a'], 'o-', label=c['task_a'])
        ax.plot(xs, c['mean_b'], 's-', label=c['task_b'])
        ax.set_xticks(list(xs))
        ax.set_xticklabels([g.replace('backbone.', '') for g in c['groups']],
                           rotation=60, ha='right', fontsize=7)
        ax.set_ylabel('kept ratio (mean over seeds)')
        ax.set_title(f'{c["family"]}: PaS widths at {c["budget"]:g} MACs')
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        name = f'widths_{c["family"]}_{c["budget"]:g}.png'
        atomic_write(osp.join(out, name),
                     lambda tmp: fig.savefig(tmp, dpi=110, format='png'))
        plt.close(fig)
        lines += ['', f'![{name}]({name})']
    return lines


def carried(args, tasks, val, shown):
    """``--carry-over``: the runs the work dir lacks, from the earlier
    report's CSVs (read before this report overwrites them), rows in suite
    order; and the earlier report's width section (with its plots), for
    when the work dir no longer holds the widths it was computed from."""
    order = {t['name']: i for i, t in enumerate(tasks)}
    out = []
    for name, got in (('results_val.csv', val), ('results.csv', shown)):
        path = osp.join(args.carry_over, name)
        if got is val and out:  # --split val: one and the same
            out.append(out[0])
            continue
        try:
            earlier = read_rows_csv(path) if osp.exists(path) else []
        except ValueError as e:
            raise ToolInputError(str(e))
        merged = carry_over(got, earlier)
        merged['rows'].sort(key=lambda r: order.get(r['task'], len(order)))
        out.append(merged)
    widths = []
    report = osp.join(args.carry_over, 'report.md')
    if osp.exists(report):
        with open(report) as f:
            text = f.read()
        if WIDTHS_HEADING in text:
            body = text.split(WIDTHS_HEADING, 1)[1].split('\n## ', 1)[0]
            body = [line for line in body.strip('\n').split('\n')
                    if line != CARRIED_NOTE]
            widths = ['', WIDTHS_HEADING, '', CARRIED_NOTE, ''] + body
            for line in widths:
                if line.startswith('![') and osp.abspath(args.carry_over) \
                        != osp.abspath(args.out):
                    png = line.split('(', 1)[1].rstrip(')')
                    os.makedirs(args.out, exist_ok=True)
                    shutil.copy(osp.join(args.carry_over, png), args.out)
    return out[0], (out[0] if args.split == 'val' else out[1]), widths


def beside_headline(folder):
    """The headline of an earlier benchmark version (its results.csv)."""
    path = osp.join(folder, 'results.csv')
    try:
        rows = read_rows_csv(path)
    except (OSError, ValueError) as e:
        raise ToolInputError(f'--beside {folder}: cannot read {path}: {e}')
    intro = (f'The same headline in `{folder}` (an earlier protocol; see '
             'docs/benchmark.md):')
    return ['', intro, ''] + headline(tasks_of_rows(rows), rows)


def report_head(args, about, finished, shown):
    """The report's opening: where it comes from, how many runs."""
    md = ['# Benchmark report', '',
          f'Generated by `tools/analysis/benchmark_report.py '
          f'{args.work_dir}` from the suite in that work dir. {about} '
          'Differences are paired by seed: mean [95 % CI, t with n−1 '
          'dof]; > 0 means PaS is better (signs flipped for '
          'lower-is-better metrics).', '',
          f'**Runs finished: {finished} of '
          f'{finished + len(shown["missing"])}**'
          + (' (a partial run: the missing ones are listed at the end).'
             if shown['missing'] else ' (the full suite).'), '']
    if shown.get('carried'):
        md += [f'{len(shown["carried"])} of them are carried over from the '
               f'earlier report in `{args.carry_over}` (`--carry-over`): '
               'their work dirs did not survive, so their figures are as '
               'that report gave them, and a latency it did not measure '
               'is empty. They are listed at the end.', '']
    return md + ['## Headline: PaS minus the best other method', '']


def task_section(task, rows, out, split, work_dir):
    """One task: its table, a detector's timing table, PaS minus each
    method, the widths-only table, the equal-latency comparison and the
    Pareto plots."""
    md = ['', f'## {task["name"]}', ''] + task_table(task, rows)
    timing = timing_table(task, read_timing(work_dir, task['name']))
    if timing:
        md += ['', f'### {task["name"]}: latency of what was pruned '
               '(ms per batch on real val images, × the baseline; the '
               'task table\'s ms columns are the backbone + FPN ones)', '',
               ] + timing
    digits = metric_digits(rows, task['metrics'][0])
    diffs = differences(task, rows)
    if diffs:
        md += ['', f'PaS minus each method on {task["metrics"][0]} '
               '(paired by seed, 95 % CI):', '',
               '| budget | method | PaS − method |', '|---|---|---|']
        md += [f'| {b:g} | {m} | {fmt_diff(d, digits)} |'
               for b, m, d in diffs]
    scratch = widths_only_table(task, rows)
    if scratch:
        md += ['', f'### {task["name"]}: widths only (from random init, '
               'no inherited weights)', ''] + scratch
    md += equal_latency_lines(task, rows, digits)
    plots = pareto_plots(task, rows, out, split)
    return md + [''] + [f'![{p}]({p})' for p in plots]


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    try:
        tasks = load_suite_tasks(args.work_dir)
    except FileNotFoundError as e:
        raise ToolInputError(str(e))
    val = collect_rows(args.work_dir, 'val')
    shown = val if args.split == 'val' else collect_rows(args.work_dir,
                                                         'test')
    earlier_widths = []
    if args.carry_over:
        val, shown, earlier_widths = carried(args, tasks, val, shown)
    if not shown['rows']:
        raise ToolInputError(f'{args.work_dir}: no finished run to report on '
                             f'{args.split}')
    os.makedirs(args.out, exist_ok=True)
    finished = len({(r['task'], r['method'], r['budget'], r['seed'])
                    for r in shown['rows']})
    if args.split == 'test':
        write_csv(osp.join(args.out, 'results.csv'), shown['rows'])
        about = ('Metrics on the **test** split (results.csv); the val '
                 'split (results_val.csv) is for tuning.')
    else:
        about = ('Metrics on the **val** split (results_val.csv): a '
                 'tuning sweep, never evaluated on test.')
    write_csv(osp.join(args.out, 'results_val.csv'), val['rows'])
    md = report_head(args, about, finished, shown)
    md += headline(tasks, shown['rows'])
    if args.beside:
        md += beside_headline(args.beside)
    md += ['', '## Where the searches ended (before the projection)', '']
    md += search_convergence(shown['rows'])
    for task in tasks:
        md += task_section(task, shown['rows'], args.out, args.split,
                           args.work_dir)
    md += width_section(args.work_dir, tasks, args.out) or earlier_widths
    if shown.get('carried'):
        md += ['', '## Carried over from the earlier report', '',
               ', '.join(shown['carried'])]
    if shown['missing']:
        md += ['', '## Not finished', '',
               ', '.join(shown['missing'])]
    atomic_write_text(osp.join(args.out, 'report.md'), '\n'.join(md) + '\n')
    print(f'wrote {args.out}: {len(shown["rows"])} {args.split} rows, '
          f'report.md; {len(shown["missing"])} runs not finished')


if __name__ == '__main__':
    sys.exit(exit_status(main()))
