"""What ``tools/run_demo.sh`` measured: its summary lines and
``results.json``, the file ``pas_mm.benchmark.metafile_results`` reads the
demo configs' metafile ``Results`` from (committed as
``docs/artifacts/demo/results.json``)."""
import json
import os.path as osp
from typing import List, Sequence

from pas_mm.core.io import write_json
from .errors import ConfigError

FORMAT = 'pas-mm/demo-results@1'
KEYS = ('accuracy/top1', 'coco/bbox_mAP', 'coco/segm_mAP', 'PSNR', 'SSIM')


def _read(path: str) -> dict:
    if not osp.isfile(path):
        raise ConfigError(f'demo result {path} not found: did that step of '
                          'tools/run_demo.sh fail?')
    with open(path) as f:
        return json.load(f)


def demo_results(work: str, runs: Sequence[str]) -> dict:
    """The results of one demo run.

    Args:
        work (str): the demo's work dir (``WORK`` of ``run_demo.sh``).
        runs (Sequence[str]): ``'ARCH=BASELINE_CONFIG=PAS_CONFIG'`` per
            architecture run.

    Returns:
        dict: ``{'format', 'runs': [{'arch', 'config', 'role', 'metrics',
        'macs_ratio'}]}``, one baseline and one PaS entry per arch.
    """
    out = []
    for run in runs:
        arch, base, pas = run.split('=')
        w = osp.join(work, arch)
        metrics = _read(osp.join(w, 'baseline', 'test_metrics.json'))
        out.append(dict(arch=arch, config=base, role='baseline',
                        metrics=_kept(metrics['metrics']), macs_ratio=1.0))
        metrics = _read(osp.join(w, 'pas', 'compact', 'test_metrics.json'))
        macs = _read(osp.join(w, 'pas', 'compact', 'width_spec.json'))
        out.append(dict(arch=arch, config=pas, role='pas',
                        metrics=_kept(metrics['metrics']),
                        macs_ratio=round(macs['macs']['ratio'], 4),
                        macs=dict(full=macs['macs']['full'],
                                  compact=macs['macs']['compact'])))
    return dict(format=FORMAT, written_by='tools/run_demo.sh', runs=out)


def _kept(metrics: dict) -> dict:
    return {k: metrics[k] for k in KEYS if k in metrics}


def summary_lines(results: dict) -> List[str]:
    """One line per architecture: baseline and compact figures, MACs."""
    lines = []
    runs = results['runs']
    for base, pas in zip(runs[::2], runs[1::2]):
        def shown(d):
            return ', '.join(f'{k} {v:.4g}' for k, v in d.items())
        m = pas['macs']
        lines.append(
            f"{base['arch']}: baseline {shown(base['metrics'])} | PaS "
            f"compact {shown(pas['metrics'])} at {m['compact'] / 1e6:.2f}M "
            f"/ {m['full'] / 1e6:.2f}M MACs in the search scope (ratio "
            f"{pas['macs_ratio']:.3f})")
    return lines


def write_demo_results(work: str, runs: Sequence[str]) -> List[str]:
    """Write ``WORK/results.json`` (atomically) and return the summary."""
    results = demo_results(work, runs)
    write_json(osp.join(work, 'results.json'), results)
    return summary_lines(results)
