"""P5: is the compact model as much faster as it is cheaper?

    python tools/analysis/benchmark_compact_speed.py PAS_CONFIG PAS_CKPT
        BASELINE_CONFIG BASELINE_CKPT [--round-to 1 8 16] [--shape H W]
        [--batch-sizes 1 8] [--iters 10] [--threads N]

Exports the searched checkpoint once per --round-to value (tools/export.py
--round-to: widths rounded up to multiples of N, which vector units and
GEMM kernels like), then times baseline (RepVGG blocks merged, as
deployed) and compact models (batch sizes as given, in turns, median
after warm-up, same process and threads) and prints per
round_to: MACs ratio (compact / baseline, mmengine.analysis of the whole
model), latency ratio, and P5 = latency ratio / MACs ratio (1.0: the
speed-up is as large as the MACs cut; above 1: less). Nothing is asserted:
the machine is shared and noisy, so compare figures from one run.
"""
import argparse
import os.path as osp
import sys
import tempfile

from pas_mm.apis import exit_status, one_line_errors
from pas_mm.apis.export import export_checkpoint
from pas_mm.apis.measure import count_macs as count
from pas_mm.apis.measure import interleaved_medians
from pas_mm.apis.model_runner import inference_fn, load_for_timing, load_model

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('pas_config')
    parser.add_argument('pas_checkpoint')
    parser.add_argument('baseline_config')
    parser.add_argument('baseline_checkpoint')
    parser.add_argument('--round-to', type=int, nargs='+', default=[1, 8, 16])
    parser.add_argument('--shape', type=int, nargs=2, default=None)
    parser.add_argument('--batch-sizes', type=int, nargs='+', default=[1, 8])
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--threads', type=int, default=None)
    return parser.parse_args(argv)


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    import torch
    base, scope, shape = load_for_timing(args.baseline_config,
                                         args.baseline_checkpoint,
                                         args.shape, args.threads)
    models = {'baseline': base}
    with tempfile.TemporaryDirectory() as tmp:
        for r in args.round_to:
            out = osp.join(tmp, f'round{r}')
            # an export error is one line (one_line_errors)
            export_checkpoint(args.pas_config, args.pas_checkpoint, out,
                              round_to=r)
            models[f'round_to={r}'] = load_model(
                osp.join(out, 'config.py'), osp.join(out, 'compact.pth'))[0]
        macs = {k: count(m, scope, shape)['macs'] for k, m in models.items()}
        print(f'P5 at {shape[0]}x{shape[1]}, {torch.get_num_threads()} '
              f'threads, median of {args.iters} ({args.pas_config}):')
        print(f'{"model":<14}{"batch":>6}{"GMACs":>10}{"ms/img":>10}'
              f'{"MACs ratio":>12}{"lat ratio":>11}{"P5":>7}')
        for batch in args.batch_sizes:
            # the models in turns, per batch size, so noise hits all alike
            sec = interleaved_medians(
                {k: inference_fn(m, scope, shape, batch)
                 for k, m in models.items()}, args.warmup, args.iters)
            sec = {k: v / batch for k, v in sec.items()}
            for k in models:
                mr = macs[k] / macs['baseline']
                lr = sec[k] / sec['baseline']
                print(f'{k:<14}{batch:>6}{macs[k] / 1e9:>10.4f}'
                      f'{sec[k] * 1e3:>10.2f}{mr:>12.3f}{lr:>11.3f}'
                      f'{lr / mr:>7.2f}')


if __name__ == '__main__':
    sys.exit(exit_status(main()))
