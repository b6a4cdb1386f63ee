"""Does the task loss shape the searched widths?

For one PaS search config and its baseline checkpoint:

- the **search** and a **budget-only control** (the same search, the gates
  moved by the budget term alone: ``use_task_gradient=False``, and ended
  by the projection; the weights still train on the task), both recorded
  by their ``PaSSearch``;
  Spearman rho and the mean |delta kept ratio| of their
  per-group widths;
- per group, the task gradient's signal-to-noise (|mean| / std * sqrt(N)
  per latent, over the search) and the threshold crossings each way;
- an **oracle** on the most-cut groups (PaSAlgorithm models): the baseline's
  val task loss with one group cut to its searched width, keeping the
  searched channels, the L1-strongest ones, or random ones.
"""
import os
import os.path as osp
import subprocess
import sys
from typing import Dict, List, Optional

from pas_mm.benchmark.report_data import spearman
from pas_mm.core.errors import PaSError
from pas_mm.core.io import read_json, write_json

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
HOOK = 'PaSSearchHook'


class DiagnosticsError(PaSError):
    """A search that cannot be diagnosed (no PaS hook, a failed run)."""


def search_only_options(cfg) -> List[str]:
    """``--cfg-options`` that stop training at the end of the search."""
    hooks = list(cfg.get('custom_hooks') or [])
    index = next((i for i, h in enumerate(hooks)
                  if HOOK in str(h.get('type'))), None)
    if index is None:
        raise DiagnosticsError('the config has no PaSSearchHook in '
                               'custom_hooks: nothing is searched')
    hook = hooks[index]
    if hook.get('gate_optimizer', dict()) is None:
        raise DiagnosticsError(
            "gate_optimizer=None: write gate_optimizer=dict(rule='original')"
            ' (the same rule), so that the budget-only control can set '
            'its use_task_gradient')
    if hook.get('search_epochs') is not None:
        return [f"train_cfg.max_epochs={hook['search_epochs']}"]
    return [f"train_cfg.max_iters={hook['search_iters']}"]


def run_search(config: str, work_dir: str, options: List[str],
               log: Optional[str] = None) -> str:
    """``tools/train.py`` in a subprocess; returns the search folder."""
    folder = osp.join(work_dir, 'pas_search')
    if osp.isfile(osp.join(folder, 'gate_diagnostics.json')):
        return folder  # done before: resumable
    cmd = [sys.executable, 'tools/train.py', config, '--work-dir', work_dir,
           '--no-validate',
           '--cfg-options', *options]
    if log:
        os.makedirs(osp.dirname(osp.abspath(log)), exist_ok=True)
    out = open(log, 'w') if log else subprocess.DEVNULL
    try:
        code = subprocess.call(cmd, cwd=REPO, stdout=out,
                               stderr=subprocess.STDOUT)
    finally:
        if log:
            out.close()
    if code != 0 or not osp.isfile(osp.join(folder,
                                            'gate_diagnostics.json')):
        raise DiagnosticsError(f'search run failed (exit {code}): '
                               f'{" ".join(cmd)}' +
                               (f'; see {log}' if log else ''))
    return folder


def compare_widths(real: dict, control: dict) -> dict:
    """rho and mean |delta| of the per-group kept ratios of two specs."""
    names = sorted(set(real['groups']) & set(control['groups']))
    a = [_ratio(real, n) for n in names]
    b = [_ratio(control, n) for n in names]
    diffs = [abs(x - y) for x, y in zip(a, b)]
    return dict(rho=spearman(a, b), mean_abs_diff=sum(diffs) / len(diffs),
                groups={n: dict(search=x, control=y)
                        for n, x, y in zip(names, a, b)})


def _ratio(spec, name):
    g = spec['groups'][name]
    return g['kept'] / g['channels']


def load_run(folder: str) -> dict:
    return dict(
        spec=read_json(osp.join(folder, 'width_spec.json'),
                       DiagnosticsError, 'width spec'),
        gates=read_json(osp.join(folder, 'gate_diagnostics.json'),
                        DiagnosticsError, 'gate diagnostics'))


def diagnose(config: str, checkpoint: str, work_dir: str, seed: int = 0,
             oracle_groups: int = 4, oracle_draws: int = 3,
             cfg_options: Optional[List[str]] = None) -> dict:
    """Run the search and its control (each resumable) and the oracle;
    write and return ``<work_dir>/diagnostics.json``."""
    from pas_mm.apis import load_config
    cfg = load_config(config)
    base = [f'model.pretrained={checkpoint}', f'randomness.seed={seed}',
            *search_only_options(cfg), *(cfg_options or [])]
    hook_index = next(i for i, h in enumerate(cfg.custom_hooks)
                      if HOOK in str(h.get('type')))
    control_keys = [
        f'custom_hooks.{hook_index}.gate_optimizer.use_task_gradient=False',
        # the widths the cost alone gives: an evidence cut of the control
        # would read the task's evidence again
        f'custom_hooks.{hook_index}.cut=projection']
    runs = {}
    for name, extra in (('search', []), ('control', control_keys)):
        wd = osp.join(work_dir, name)
        folder = run_search(config, wd, base + extra,
                            log=osp.join(work_dir, f'{name}.log'))
        runs[name] = load_run(folder)
    result = dict(config=config, checkpoint=checkpoint, seed=seed,
                  options=cfg_options or [],
                  comparison=compare_widths(runs['search']['spec'],
                                            runs['control']['spec']),
                  search=_gate_summary(runs['search']),
                  control=_gate_summary(runs['control']))
    from .oracle import oracle_check
    result['oracle'] = oracle_check(
        config, checkpoint, runs['search']['spec'], groups=oracle_groups,
        draws=oracle_draws, seed=seed, cfg_options=cfg_options)
    write_json(osp.join(work_dir, 'diagnostics.json'), result)
    return result


def _gate_summary(run: dict) -> dict:
    gates, spec = run['gates'], run['spec']
    groups: Dict[str, dict] = gates['groups']
    total = sum(g['on_to_off'] + g['off_to_on'] for g in groups.values())
    back = sum(g['off_to_on'] for g in groups.values())
    return dict(
        rule=gates['rule'], steps=gates['steps'],
        equilibrium_step=gates['equilibrium_step'],
        search_end_ratio=spec.get('search_end_ratio'),
        final_ratio=spec['macs']['ratio'],
        crossings=total, off_to_on=back,
        snr_median=_median([g['snr_median'] for g in groups.values()]),
        snr_over_2=sum(g['snr_over_2'] * g['channels']
                       for g in groups.values()) /
        max(1, sum(g['channels'] for g in groups.values())),
        groups=groups)


def _median(values):
    values = sorted(values)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else \
        (values[mid - 1] + values[mid]) / 2


def markdown_summary(result: dict, label: str = '') -> List[str]:
    """One row of the summary table and the per-group table, as
    markdown lines."""
    comp, s, c = result['comparison'], result['search'], result['control']
    rho = '–' if comp['rho'] is None else f"{comp['rho']:.2f}"
    head = [
        '| run | rule | rho to budget-only | mean abs delta kept | '
        'search end | equilibrium from step | crossings (off->on) | '
        'median SNR | latents SNR > 2 |',
        '|---|---|---|---|---|---|---|---|---|',
        f"| {label} | {s['rule']} | {rho} | {comp['mean_abs_diff']:.3f} | "
        f"{_f(s['search_end_ratio'])} | {s['equilibrium_step']} | "
        f"{s['crossings']} ({s['off_to_on']}) | {_f(s['snr_median'], 2)} | "
        f"{100 * s['snr_over_2']:.0f} % |",
        '', '| group | kept (search) | kept (budget-only) | SNR median | '
        'crossings off->on / on->off | oracle: searched / L1 / random '
        '(val loss +) |', '|---|---|---|---|---|---|']
    oracle = result.get('oracle') or {}
    for name, g in s['groups'].items():
        ctrl = c['groups'].get(name, {})
        o = oracle.get('groups', {}).get(name)
        o_txt = '' if o is None else (
            f"{o['searched']:+.4f} / {o['l1']:+.4f} / {o['random']:+.4f}")
        head.append(
            f"| {name} | {g['kept']}/{g['channels']} | "
            f"{ctrl.get('kept', '–')}/{g['channels']} | "
            f"{g['snr_median']:.2f} | {g['off_to_on']} / {g['on_to_off']} | "
            f'{o_txt} |')
    if oracle and not oracle.get('supported', True):
        head.append(f"\nOracle: not run ({oracle['reason']}).")
    return head


def _f(x, digits=4):
    return '–' if x is None else f'{x:.{digits}f}'
