"""Cross-task report of a width-search suite (tools/benchmark/run_suite.py).

    python tools/analysis/cross_task_report.py WORK_DIR [--out DIR]

Reads WORK_DIR/suite.json and, per task and run, the width spec, test
metrics, get_flops / benchmark_latency figures and run times; writes
report.md, report.csv and PNG plots to --out (default WORK_DIR/report):
- one table per task: method, MACs, params, metrics, CPU latency of the
  compact model, search cost (wall time and search share of the schedule);
- the per-layer kept-width ratio of every searched net, tasks overlaid
  where the same backbone family was searched on several tasks;
- cross-task: per-stage width ratios, Spearman rank correlation of per-layer
  widths between tasks, and the transfer result.
Runs that have not finished are listed as missing, not invented.
"""
import argparse
import csv
import io
import os
import os.path as osp
import re
import sys

from pas_mm.apis import exit_status, one_line_errors
from pas_mm.apis.errors import ToolInputError
from pas_mm.benchmark.report_data import collect_runs, per_stage, spearman
from pas_mm.benchmark.results import load_suite_record
from pas_mm.core.io import atomic_write_text


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir')
    parser.add_argument('--out', default=None)
    return parser.parse_args(argv)


def fmt(value, spec='.2f'):
    return '–' if value is None else format(value, spec)


def task_table(task, runs):
    keys = task['metrics']
    head = ['method', 'MACs (G)', 'MACs ratio: scope / model',
            'params (M)'] + keys + [
        'CPU ms/img', 'train wall (s)', 'search share']
    lines = ['| ' + ' | '.join(head) + ' |',
             '|' + '---|' * len(head)]
    for run in runs:
        row = [run['tag'], fmt(run['macs_g'], '.4f'),
               f"{fmt(run['macs_ratio'], '.3f')} / "
               f"{fmt(run['full_ratio'] or 1.0, '.3f')}",
               fmt(run['params_m'], '.3f')]
        row += [fmt(run['metrics'].get(k), '.4f' if 'mAP' in k or k ==
                    'SSIM' or k == 'MAE' else '.2f') for k in keys]
        row += [fmt(run['latency_ms']), fmt(run['train_s'], '.0f'),
                run['search_share'] or '–']
        lines.append('| ' + ' | '.join(row) + ' |')
    return '\n'.join(lines)


def plot_widths(task_name, runs, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(10, 3.6))
    for run in runs:
        ratios = run['layer_ratios']
        if ratios:
            ax.plot(range(len(ratios)), list(ratios.values()), marker='.',
                    label=run['tag'])
    ax.set_xlabel('channel group (trace order)')
    ax.set_ylabel('kept width / full width')
    ax.set_ylim(0, 1.05)
    ax.set_title(f'{task_name}: per-layer kept-width ratio')
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_family(family, series, path):
    """Tasks overlaid on the groups they share (same backbone family)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    common = None
    for ratios in series.values():
        names = [n for n in ratios]
        common = names if common is None else [
            n for n in common if n in ratios]
    fig, ax = plt.subplots(figsize=(10, 3.6))
    for label, ratios in series.items():
        ax.plot(range(len(common)), [ratios[n] for n in common],
                marker='.', label=label)
    ax.set_xticks(range(len(common)))
    ax.set_xticklabels([re.sub(r'^backbone\.', '', n) for n in common],
                       rotation=90, fontsize=6)
    ax.set_ylabel('kept width / full width')
    ax.set_ylim(0, 1.05)
    ax.set_title(f'{family}: PaS widths per layer, by task')
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return common


def task_sections(work_dir, suite, out):
    """Per task: its table and width plot; the CSV rows, PaS's per-layer
    ratios by family, every run and the missing ones."""
    md, csv_rows, pas_series, all_runs, missing = [], [], {}, {}, []
    for task in suite['tasks']:
        runs, lost = collect_runs(work_dir, task)
        all_runs[task['name']] = runs
        missing += [f'{task["name"]}/{t}' for t in lost]
        md.append(f'## {task["name"]}\n')
        md.append(task_table(task, runs) + '\n')
        png = f'widths_{task["name"]}.png'
        searched = [r for r in runs if r['layer_ratios']]
        if searched:
            plot_widths(task['name'], searched, osp.join(out, png))
            md.append(f'![per-layer widths]({png})\n')
        for run in runs:
            csv_rows.append(dict(task=task['name'], method=run['tag'],
                                 macs=run['macs'], params=run['params'],
                                 macs_ratio=run['macs_ratio'],
                                 latency_ms=run['latency_ms'],
                                 train_s=run['train_s'],
                                 search_share=run['search_share'],
                                 **{f'metric:{k}': v for k, v in
                                    run['metrics'].items()}))
            if run['tag'].startswith('pas@') and run['layer_ratios']:
                pas_series.setdefault(task.get('family', task['name']),
                                      {})[task['name']] = run['layer_ratios']
    return md, csv_rows, pas_series, all_runs, missing


def stage_lines(all_runs):
    md = ['### Per-stage kept-width ratio (PaS)\n']
    stage_runs = {t: per_stage(r['layer_widths'])
                  for t, runs in all_runs.items() for r in runs
                  if r['tag'].startswith('pas@') and r['layer_widths']}
    for task_name, table in stage_runs.items():
        md.append(f'- **{task_name}**: ' + ', '.join(
            f'{s} {v:.2f}' for s, v in table.items()))
    return md + ['']


def correlation_lines(pas_series, out):
    md = ['### Rank correlation of per-layer widths (same family)\n']
    for family, series in pas_series.items():
        if len(series) < 2:
            continue
        common = plot_family(family, series,
                             osp.join(out, f'widths_family_{family}.png'))
        names = list(series)
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                a, b = series[names[i]], series[names[j]]
                rho = spearman([a[n] for n in common], [b[n] for n in common])
                md.append(f'- {family}: {names[i]} vs {names[j]} on '
                          f'{len(common)} shared layers: Spearman rho = '
                          f'{fmt(rho, ".3f")}')
        md.append(f'\n![{family} by task](widths_family_{family}.png)\n')
    return md


def transfer_lines(suite, all_runs):
    md = ['### Transfer: classification-searched widths in another task\n']
    for task in suite['tasks']:
        by_tag = {r['tag']: r for r in all_runs[task['name']]}
        searched = [r for t, r in by_tag.items() if t.startswith('pas@')]
        if 'transfer' not in by_tag or not searched:
            continue
        t = by_tag['transfer']
        # the search at the transfer's MACs if the suite ran one
        p = by_tag.get('pas@transfer', searched[0])
        keys = task['metrics']
        md.append(
            f'- {task["name"]}: widths transferred from '
            f'`{task.get("transfer_from")}`, MACs ratio '
            f'{fmt(t["macs_ratio"], ".3f")}: ' + ', '.join(
                f'{k} {fmt(t["metrics"].get(k), ".4f")}' for k in keys) +
            f'. Widths searched on {task["name"]} (`{p["tag"]}`), MACs '
            f'ratio {fmt(p["macs_ratio"], ".3f")}: ' + ', '.join(
                f'{k} {fmt(p["metrics"].get(k), ".4f")}' for k in keys) +
            '. (MACs ratios of the search scope'
            + (', equal by construction: the search targets the '
               "transfer's ratio" if p['tag'] == 'pas@transfer' else
               "; they differ: add the budget 'transfer' to the task for an "
               'equal-MACs comparison') + '.)')
    return md


def write_outputs(out, md, csv_rows):
    atomic_write_text(osp.join(out, 'report.md'), '\n'.join(md) + '\n')
    keys = sorted({k for r in csv_rows for k in r},
                  key=lambda k: (k.startswith('metric:'), k))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=keys)
    writer.writeheader()
    writer.writerows(csv_rows)
    atomic_write_text(osp.join(out, 'report.csv'), buf.getvalue())


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    try:
        suite = load_suite_record(args.work_dir)
    except FileNotFoundError as e:
        raise ToolInputError(str(e)) from None
    out = args.out or osp.join(args.work_dir, 'report')
    os.makedirs(out, exist_ok=True)
    md = ['# pas-mm cross-task width-search report\n',
          f'Suite: `{suite["suite"]}`; work dir: `{args.work_dir}`. MACs and '
          'params from mmengine.analysis (get_flops.py) of the compact '
          'model; latency: benchmark_latency.py, batch 1, CPU, median.\n']
    sections, csv_rows, pas_series, all_runs, missing = task_sections(
        args.work_dir, suite, out)
    md += sections + ['## Cross-task comparison\n']
    md += stage_lines(all_runs) + correlation_lines(pas_series, out)
    md += transfer_lines(suite, all_runs)
    if missing:
        md += ['\n## Missing runs\n'] + [f'- {m}' for m in missing]
    write_outputs(out, md, csv_rows)
    print(f'pas-mm report: {osp.join(out, "report.md")} ({len(csv_rows)} '
          f'runs, {len(missing)} missing)')


if __name__ == '__main__':
    sys.exit(exit_status(main()))
