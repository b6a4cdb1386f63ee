"""Measure the latency table of a PaS search config.

    python tools/analysis/build_latency_table.py CONFIG --out table.json
        [--backend torch|onnxruntime] [--batch 1] [--device cpu|cuda]
        [--points 5] [--repeats 20]
        [--checkpoint CKPT] [--calibration-ratio 0.5]

Every layer whose width the search can change is timed standalone, at its
traced input size (with the batch size given), over a grid of kept input x
output widths (--points per axis; medians of --repeats interleaved calls
after warm-up). The whole searched network is timed interleaved with a
uniform prune of it (--calibration-ratio of the MACs): how much of the
untabled rest (norms, activations, adds) shrinks with the channels. A
search then budgets latency with ``budget=dict(metric='latency',
table=PATH, target_ratio=...)``: the table is interpolated at the kept
widths, so the budget loss is differentiable as it is with MACs. Time on
the machine and batch size you deploy on, with nothing else running.
"""
import argparse
import sys

from pas_mm.apis import exit_status, one_line_errors
from pas_mm.apis.latency_table import measure_latency_table
from pas_mm.core.cost.latency import save_latency_table


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--out', required=True)
    parser.add_argument('--batch', type=int, default=1)
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--backend', default='torch',
                        choices=['torch', 'onnxruntime'],
                        help='the runtime timed: PyTorch eager, or every '
                        'layer exported to ONNX and run by onnxruntime '
                        '(CPU)')
    parser.add_argument('--points', type=int, default=5)
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument('--checkpoint', default=None)
    parser.add_argument('--calibration-ratio', type=float, default=0.5,
                        help='MACs ratio of the uniform prune timed to '
                        'calibrate the untabled remainder')
    return parser.parse_args(argv)


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    table = measure_latency_table(args.config, args.batch, args.points,
                                  args.repeats, args.device,
                                  args.checkpoint, args.calibration_ratio,
                                  args.backend)
    save_latency_table(table, args.out)
    layers = sum(len(e) for e in table['layers'].values())
    print(f'{args.out}: {layers} layer calls tabled at batch {args.batch} '
          f'on {args.device} ({args.backend}); the whole network '
          f'{table["full_ms"]:.3f} ms, the tabled layers '
          f'{table["tabled_share"]:.1%} of it at full width; beta '
          f'{table["remainder"]["beta"]:.2f} of the rest shrinks with the '
          'channels')
    if table['tabled_share'] > 1.0:
        print(f'pas-mm: warning: {args.out}: the tabled layers, timed one '
              'by one, take longer than the whole network: its remainder is '
              'negative and its predictions are suspect (a per-call cost '
              'the backend pays for every layer?)', file=sys.stderr)


if __name__ == '__main__':
    sys.exit(exit_status(main()))
