"""PaS vs. baseline pruning criteria on the classification demo (benchmark).

    python tools/analysis/compare_pruning.py [--targets 0.5 0.25]
        [--seeds 0 1 2] [--methods pas uniform bn-gamma l1]
        [--work-dir work_dirs/compare]

Every run goes through the normal tools: tools/train.py (search or
criterion pruning + fine-tune, from the same trained baseline),
tools/export.py, tools/test.py. Finished runs are skipped, so an
interrupted comparison resumes. Prints one markdown table: method, target,
MACs, params, top-1 mean +- std over seeds, CPU latency of the compact
model (median, batch 1).
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BASE = 'configs/classification/resnet/resnet18-w16_demo.py'
CONFIG = 'configs/classification/resnet/{}_resnet18-w16_demo.py'


def run(*args):
    cmd = [sys.executable] + [str(a) for a in args]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=REPO))
    if proc.returncode != 0:
        sys.exit(f'compare_pruning: failed: {" ".join(cmd)}\n'
                 f'{proc.stderr[-3000:]}')
    return proc


def latency_ms(config, ckpt, repeats=50):
    """Median CPU latency (batch 1) of the compact model built from config."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import MODELS, init_default_scope
    from mmengine.runner import load_checkpoint

    import pas_mm  # noqa: F401
    cfg = Config.fromfile(config)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model = MODELS.build(cfg.model).eval()
    load_checkpoint(model, ckpt, map_location='cpu', logger='silent')
    x = torch.randn(1, 3, 32, 32)
    times = []
    with torch.no_grad():
        for i in range(repeats + 10):
            t = time.perf_counter()
            model(x, mode='tensor')
            if i >= 10:
                times.append(time.perf_counter() - t)
    params = sum(p.numel() for p in model.parameters())
    return statistics.median(times) * 1e3, params


def one_run(work, method, target, seed, baseline_ckpt):
    folder = osp.join(work, f'{method}_t{target}_s{seed}')
    result = osp.join(folder, 'result.json')
    if osp.isfile(result):
        return json.load(open(result))
    config = CONFIG.format(method)
    run('tools/train.py', config, '--work-dir', folder, '--cfg-options',
        f'model.pretrained={baseline_ckpt}',
        f'model.budget.target_ratio={target}', f'randomness.seed={seed}')
    out = osp.join(folder, 'compact')
    run('tools/export.py', config, osp.join(folder, 'epoch_9.pth'), '--out',
        out)
    run('tools/test.py', osp.join(out, 'config.py'),
        osp.join(out, 'compact.pth'), '--work-dir', out)
    top1 = json.load(open(osp.join(out, 'test_metrics.json')))['metrics'][
        'accuracy/top1']
    spec = json.load(open(osp.join(out, 'width_spec.json')))
    lat, params = latency_ms(osp.join(out, 'config.py'),
                             osp.join(out, 'compact.pth'))
    res = dict(method=method, target=target, seed=seed, top1=top1,
               macs=spec['macs']['compact'], ratio=spec['macs']['ratio'],
               params=params, latency_ms=lat)
    json.dump(res, open(result, 'w'))
    return res


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--targets', type=float, nargs='+',
                        default=[0.5, 0.25])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--methods', nargs='+',
                        default=['pas', 'uniform', 'bn-gamma', 'l1'])
    parser.add_argument('--work-dir', default='work_dirs/compare')
    args = parser.parse_args(argv)
    work = osp.abspath(args.work_dir)
    base_dir = osp.join(work, 'baseline')
    ckpt = osp.join(base_dir, 'epoch_12.pth')
    if not osp.isfile(ckpt):
        print('training the plain baseline ...', flush=True)
        run('tools/train.py', BASE, '--work-dir', base_dir)
    if not osp.isfile(osp.join(base_dir, 'test_metrics.json')):
        run('tools/test.py', BASE, ckpt, '--work-dir', base_dir)
    base_top1 = json.load(open(osp.join(base_dir, 'test_metrics.json')))[
        'metrics']['accuracy/top1']
    runs = [(m, t, s) for t in args.targets for m in args.methods
            for s in args.seeds]
    results = []
    for i, (m, t, s) in enumerate(runs, 1):
        print(f'[{i}/{len(runs)}] {m} target {t} seed {s}', flush=True)
        results.append(one_run(work, m, t, s, ckpt))
    print(f'\nplain baseline (ResNet-18-w16, digits demo): top-1 '
          f'{base_top1:.2f}\n')
    print('| method | target | MACs (M) | ratio | params (K) | top-1 | '
          'CPU latency (ms, b1) |')
    print('| --- | --- | --- | --- | --- | --- | --- |')
    for t in args.targets:
        for m in args.methods:
            rs = [r for r in results if r['method'] == m and r['target'] == t]
            top = [r['top1'] for r in rs]
            std = statistics.stdev(top) if len(top) > 1 else 0.0
            print(f'| {m} | {t} | {statistics.mean(r["macs"] for r in rs) / 1e6:.2f} '
                  f'| {statistics.mean(r["ratio"] for r in rs):.3f} '
                  f'| {statistics.mean(r["params"] for r in rs) / 1e3:.0f} '
                  f'| {statistics.mean(top):.2f} ± {std:.2f} '
                  f'| {statistics.median(r["latency_ms"] for r in rs):.2f} |')


if __name__ == '__main__':
    main()
