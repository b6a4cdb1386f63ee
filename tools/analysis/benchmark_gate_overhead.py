"""Training-step time of two networks, interleaved in one process.

    python tools/analysis/benchmark_gate_overhead.py [--pair gated-plain]
        [--arch resnet50] [--batch 8] [--size 224] [--steps 7]
        [--device cpu|cuda] [--amp] [--channels-last] [--json OUT]

- ``--pair gated-plain`` (P1): the gated PaS supernet during the search /
  the plain network: what the search costs per step.
- ``--pair masked-compact``: the fine-tune of the full-size network with
  frozen masks / the same network exported to its widths (the L1
  criterion at ``--ratio`` of the MACs): what ``export_after_search=True``
  saves per fine-tune step.

Steps alternate (a, b, a, b, ...) after a warm-up so that machine noise hits
both alike; the medians are compared. Prints one table; nothing is asserted
(speed is not a test).
"""
import argparse
import json
import statistics
import sys
import time

import torch

from pas_mm.apis import exit_status, one_line_errors
from pas_mm.apis.errors import ToolInputError

ARCHS = {
    'resnet50': ('mmpretrain', 'resnet/resnet50_8xb32_in1k.py'),
    'mobilenet-v2': ('mmpretrain', 'mobilenet_v2/mobilenet-v2_8xb32_in1k.py'),
    'repvgg-a0': ('mmpretrain', 'repvgg/repvgg-A0_8xb32_in1k.py'),
}


def build_gated(arch, size, seed=0):
    """(plain model, gated PaSAlgorithm with the same weights)."""
    from mmengine.registry import MODELS, init_default_scope

    from pas_mm.apis import load_config
    from pas_mm.models import PaSAlgorithm
    package, rel = ARCHS[arch]
    init_default_scope(package)
    cfg = load_config(f'{package}::{rel}', loaders=()).model
    torch.manual_seed(seed)
    plain = MODELS.build(cfg)
    gated = PaSAlgorithm(architecture=cfg, input_shape=(1, 3, size, size),
                         budget=dict(target_ratio=0.5, weight=5.0))
    gated.architecture.load_state_dict(plain.state_dict(), strict=False)
    return plain, gated


def build_pair(pair, arch, size, ratio):
    """{'a': model, 'b': model} and a line describing them."""
    plain, gated = build_gated(arch, size)
    if pair == 'gated-plain':
        return dict(gated=gated, plain=plain), \
            f'{len(gated.space.gates)} gates'
    from pas_mm.core import prune_by_criterion
    reached = prune_by_criterion(gated.space, 'l1', ratio)
    _, compact = build_gated(arch, size)  # the same weights and widths
    prune_by_criterion(compact.space, 'l1', ratio)
    compact.export_inplace()
    return dict(masked=gated, compact=compact), \
        f'L1 widths at MACs ratio {reached:.3f}'


def make_step(model, batch, size, device, amp, channels_last):
    from mmpretrain.structures import DataSample
    model.to(device).train()
    x = torch.randn(batch, 3, size, size, device=device)
    if channels_last:
        model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    samples = [DataSample().set_gt_label(i % 1000).to(device)
               for i in range(batch)]
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=1e-4, momentum=0.9)
    dtype = torch.float16 if device == 'cuda' else torch.bfloat16
    scaler = torch.amp.GradScaler(device, enabled=amp and device == 'cuda')

    def step():
        with torch.autocast(device, dtype=dtype, enabled=amp):
            losses = model(x, samples, mode='loss')
            loss = sum(v for k, v in losses.items() if 'loss' in k)
        opt.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()

    return step


def timed(step, device):
    if device == 'cuda':
        torch.cuda.synchronize()
    t = time.perf_counter()
    step()
    if device == 'cuda':
        torch.cuda.synchronize()
    return time.perf_counter() - t


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--pair', default='gated-plain',
                        choices=['gated-plain', 'masked-compact'])
    parser.add_argument('--arch', default='resnet50', choices=sorted(ARCHS))
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--steps', type=int, default=7)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--ratio', type=float, default=0.5,
                        help='MACs ratio of the compact net (masked-compact)')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--amp', action='store_true',
                        help='autocast (fp16 on cuda, bf16 on cpu)')
    parser.add_argument('--channels-last', action='store_true')
    parser.add_argument('--json', default=None)
    return parser.parse_args(argv)


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    if args.device == 'cuda' and not torch.cuda.is_available():
        raise ToolInputError('--device cuda but CUDA is not available')
    models, what = build_pair(args.pair, args.arch, args.size, args.ratio)
    steps = {k: make_step(m, args.batch, args.size, args.device, args.amp,
                          args.channels_last) for k, m in models.items()}
    for _ in range(args.warmup):
        for step in steps.values():
            step()
    times = {k: [] for k in steps}
    for _ in range(args.steps):
        for name, step in steps.items():
            times[name].append(timed(step, args.device))
    med = {k: statistics.median(v) for k, v in times.items()}
    (a, b) = list(med)
    ratio = med[a] / med[b]
    print(f'{args.pair}: {args.arch}, batch {args.batch}, '
          f'{args.size}x{args.size}, {args.device}'
          f'{" amp" if args.amp else ""}'
          f'{" channels_last" if args.channels_last else ""}, '
          f'{torch.get_num_threads()} threads, median of {args.steps} '
          f'interleaved steps ({what})')
    print('| model | step time (s) |\n| --- | --- |')
    for k in (a, b):
        print(f'| {k} | {med[k]:.3f} |')
    print(f'{a} / {b} = {ratio:.3f}')
    if args.json:
        from pas_mm.core.io import atomic_write_text
        atomic_write_text(args.json, json.dumps(dict(
            vars(args), medians=med, ratio=ratio, models=what), indent=1))
    return ratio


if __name__ == '__main__':
    sys.exit(exit_status(main()))
