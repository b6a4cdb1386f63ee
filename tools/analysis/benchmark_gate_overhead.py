"""P1: training-step time of the gated PaS supernet / the plain network.

    python tools/analysis/benchmark_gate_overhead.py [--batch 8] [--size 224]
        [--steps 7] [--arch resnet50]

Plain and gated steps are interleaved (plain, gated, plain, ...) after a
warm-up so that machine noise hits both alike; the medians are compared.
Prints one table; nothing is asserted (speed is not a test).
"""
import argparse
import statistics
import time

import torch

ARCHS = {
    'resnet50': ('mmpretrain', 'resnet/resnet50_8xb32_in1k.py'),
    'mobilenet-v2': ('mmpretrain', 'mobilenet_v2/mobilenet-v2_8xb32_in1k.py'),
    'repvgg-a0': ('mmpretrain', 'repvgg/repvgg-A0_8xb32_in1k.py'),
}


def build_pair(arch, size):
    from mmengine.registry import MODELS, init_default_scope

    from pas_mm.apis import load_config
    from pas_mm.models import PaSAlgorithm
    package, rel = ARCHS[arch]
    init_default_scope(package)
    cfg = load_config(f'{package}::{rel}', loaders=()).model
    torch.manual_seed(0)
    plain = MODELS.build(cfg)
    gated = PaSAlgorithm(architecture=cfg, input_shape=(1, 3, size, size),
                         budget=dict(target_ratio=0.5, weight=5.0))
    gated.architecture.load_state_dict(plain.state_dict(), strict=False)
    return plain.train(), gated.train()


def make_step(model, batch, size):
    from mmpretrain.structures import DataSample
    x = torch.randn(batch, 3, size, size)
    samples = [DataSample().set_gt_label(i % 1000) for i in range(batch)]
    opt = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)

    def step():
        losses = model(x, samples, mode='loss')
        loss = sum(v for k, v in losses.items() if 'loss' in k)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return step


def timed(step):
    t = time.perf_counter()
    step()
    return time.perf_counter() - t


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch', default='resnet50', choices=sorted(ARCHS))
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--steps', type=int, default=7)
    parser.add_argument('--warmup', type=int, default=2)
    args = parser.parse_args(argv)
    plain, gated = build_pair(args.arch, args.size)
    steps = {'plain': make_step(plain, args.batch, args.size),
             'gated': make_step(gated, args.batch, args.size)}
    for _ in range(args.warmup):
        for step in steps.values():
            step()
    times = {'plain': [], 'gated': []}
    for _ in range(args.steps):
        for name, step in steps.items():
            times[name].append(timed(step))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f'P1 gate overhead: {args.arch}, batch {args.batch}, '
          f'{args.size}x{args.size}, {torch.get_num_threads()} threads, '
          f'median of {args.steps} interleaved steps')
    print('| model | step time (s) |\n| --- | --- |')
    for k in ('plain', 'gated'):
        print(f'| {k} | {med[k]:.3f} |')
    print(f'gated / plain = {med["gated"] / med["plain"]:.3f} '
          f'({len(gated.space.gates)} gates)')
    return med['gated'] / med['plain']


if __name__ == '__main__':
    main()
