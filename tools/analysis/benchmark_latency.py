"""Inference latency and throughput of a model over batch sizes.

    python tools/analysis/benchmark_latency.py CONFIG [--checkpoint CKPT]
        [--shape H W] [--batch-sizes 1 4] [--warmup 3] [--iters 10]
        [--device cpu|cuda] [--threads N] [--json OUT]

What runs is what a user runs: a classifier's forward, a detector's full
test_step (pre-processing, backbone, neck, RPN, RoI heads, masks,
post-processing) on a synthetic image, a GAN's generators. Each batch size
gets a warm-up, then the median of --iters timed runs (CUDA synchronised).
Prints a table; nothing is asserted: the machine may be shared and noisy,
so compare ratios from one run.
"""
import argparse
import json
import sys

import torch

from pas_mm.apis import exit_status, one_line_errors
from pas_mm.apis.measure import benchmark
from pas_mm.apis.model_runner import load_for_timing


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint', default=None)
    parser.add_argument('--shape', type=int, nargs=2, default=None,
                        metavar=('H', 'W'))
    parser.add_argument('--batch-sizes', type=int, nargs='+', default=[1])
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--channels-last', action='store_true',
                        help='NHWC weights and inputs')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch CPU threads (default: torch decides)')
    parser.add_argument('--json', default=None)
    return parser.parse_args(argv)


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    model, scope, shape = load_for_timing(args.config, args.checkpoint,
                                          args.shape, args.threads)
    rows = benchmark(model, scope, shape, args.batch_sizes, args.warmup,
                     args.iters, args.device, args.channels_last)
    print(f'{type(model).__name__} at {shape[0]}x{shape[1]} on '
          f'{args.device} ({torch.get_num_threads()} threads), median of '
          f'{args.iters}:')
    print(f'{"batch":>6}{"ms/batch":>12}{"ms/image":>12}{"images/s":>12}')
    for r in rows:
        print(f'{r["batch"]:>6}{r["ms_per_batch"]:>12.2f}'
              f'{r["ms_per_image"]:>12.2f}{r["images_per_s"]:>12.2f}')
    result = dict(config=args.config, checkpoint=args.checkpoint,
                  scope=scope, device=args.device, shape=list(shape),
                  channels_last=args.channels_last,
                  threads=torch.get_num_threads(), rows=rows)
    if args.json:
        from pas_mm.core.io import atomic_write_text
        atomic_write_text(args.json, json.dumps(result, indent=1))
    return result


if __name__ == '__main__':
    sys.exit(exit_status(main()))
