"""One-shot GPU check of the real recipes (run it via gpu_check.sh).

    python tools/benchmark/gpu_check.py [--device cuda|cpu] [--tiny]
        [--out work_dirs/gpu_check]

See gpu_check.sh for what it measures. Every figure is a ratio or a
median measured in this run; nothing is asserted (speed is not a test),
but a step that fails stops the check with its log named.
"""
import argparse
import glob
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time

import torch

from pas_mm.apis import exit_status, one_line_errors
from pas_mm.apis.errors import ToolInputError
from pas_mm.core.io import atomic_write_text
from pas_mm.datasets.synthetic import MAKERS

CLS, DET, GAN = ('configs/classification/', 'configs/instance_segmentation/',
                 'configs/image_translation/')
# name: (config, synthetic data kind, image size, iteration-based)
RECIPES = {
    'ResNet-50 in1k': (CLS + 'resnet/pas_resnet50_8xb64_in1k_flops-2.0G.py',
                       'imagenet', 256, False),
    'RepVGG-B1 in1k': (CLS + 'repvgg/pas_repvgg-B1_8xb64_in1k_flops-0.5x.py',
                       'imagenet', 256, False),
    'MobileNetV2 in1k': (CLS + 'mobilenet_v2/'
                         'pas_mobilenet-v2_8xb64_in1k_flops-200M.py',
                         'imagenet', 256, False),
    'Mask R-CNN 1x COCO': (DET + 'mask_rcnn/'
                           'pas_mask-rcnn_r50_fpn_8xb2-1x_coco_flops-0.5x.py',
                           'coco', 480, False),
    'Pix2Pix facades': (GAN + 'pix2pix/pas_pix2pix_vanilla-unet-bn_1xb4-'
                        '80kiters_facades_flops-0.25x.py', 'paired', 256,
                        True),
    'CycleGAN horse2zebra': (GAN + 'cyclegan/pas_cyclegan_lsgan-resnet-in_'
                             '1xb4-270kiters_horse2zebra_flops-0.25x.py',
                             'unpaired', 256, True),
}
# P5: PaS demo configs (widths from the L1 criterion at their budget:
# speed depends on the widths, not on the training) and ResNet-50 at 50 %
P5_MODELS = {
    'ResNet-18-w16 demo': (CLS + 'resnet/pas_resnet18-w16_1xb64_demo-cls_'
                           'flops-0.5x.py', 32),
    'RepVGG-tiny demo': (CLS + 'repvgg/pas_repvgg-tiny_1xb64_demo-cls_'
                         'flops-0.5x.py', 32),
    'MobileNetV2 demo': (CLS + 'mobilenet_v2/pas_mobilenet-v2_1xb64_demo-'
                         'cls_flops-0.5x.py', 32),
    'ResNet-50 in1k @0.5': (CLS + 'resnet/pas_resnet50_8xb64_in1k_flops-'
                            '2.0G.py', 224),
}
NO_VAL = ['val_cfg=None', 'val_dataloader=None', 'val_evaluator=None',
          'test_cfg=None', 'test_dataloader=None', 'test_evaluator=None',
          'model.pretrained=None', 'default_hooks.logger.interval=1']


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--device', default='cuda', choices=['cuda', 'cpu'])
    parser.add_argument('--tiny', action='store_true',
                        help='toy sizes and 2 iterations (about a minute '
                        'on CPU); the recipes: ResNet-50 only')
    parser.add_argument('--iters', type=int, default=30)
    parser.add_argument('--out', default='work_dirs/gpu_check')
    return parser.parse_args(argv)


def run(cmd, log, env=None):
    """Run a step, its output to ``log``; die naming it on failure."""
    with open(log, 'w') as f:
        proc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT,
                              env=env)
    if proc.returncode != 0:
        tail = open(log).read().strip().splitlines()[-3:]
        raise ToolInputError(
            f'gpu_check: {" ".join(map(str, cmd[:4]))} ... failed; see '
            f'{log}: ' + ' | '.join(tail))


def step_ratios(args, out):
    """P1/P8 (gated / plain) and P6 (masked / compact) step times."""
    size, batch, steps = (64, 2, 2) if args.tiny else (224, 64, 10)
    rows = {}
    for pair in ('gated-plain', 'masked-compact'):
        path = osp.join(out, f'{pair}.json')
        run([sys.executable, 'tools/analysis/benchmark_gate_overhead.py',
             '--pair', pair, '--arch', 'resnet50', '--size', str(size),
             '--batch', str(batch), '--steps', str(steps), '--warmup', '1',
             '--device', args.device, '--amp', '--json', path],
            osp.join(out, f'{pair}.log'))
        rows[pair] = json.load(open(path))
    return rows


def latency_ratios(args):
    """P5: compact / plain latency, interleaved, and the MACs ratio."""
    from mmengine.config import Config
    from mmengine.registry import MODELS, init_default_scope

    from pas_mm.core import prune_by_criterion, reparameterize
    init_default_scope('mmpretrain')
    batch, iters = (2, 3) if args.tiny else (64, 20)
    rows = {}
    for name, (config, size) in P5_MODELS.items():
        if args.tiny:
            size = min(size, 64)
        cfg = Config.fromfile(config).model
        cfg.update(pretrained=None, input_shape=(1, 3, size, size))
        nets = {}
        for kind in ('plain', 'compact'):
            torch.manual_seed(0)
            model = MODELS.build(cfg)
            ratio = prune_by_criterion(model.space, 'l1',
                                       cfg.budget.target_ratio)
            if kind == 'plain':
                model.space.remove()
            else:
                model.export_inplace()
            reparameterize(model.architecture)  # RepVGG: deployed form
            nets[kind] = model.architecture.to(args.device).eval()
        x = torch.randn(batch, 3, size, size, device=args.device)
        times = {k: [] for k in nets}
        with torch.no_grad():
            for i in range(iters + 2):
                for k, net in nets.items():
                    if args.device == 'cuda':
                        torch.cuda.synchronize()
                    t = time.perf_counter()
                    net(x, mode='tensor')
                    if args.device == 'cuda':
                        torch.cuda.synchronize()
                    if i >= 2:  # warm-up
                        times[k].append(time.perf_counter() - t)
        med = {k: statistics.median(v) for k, v in times.items()}
        rows[name] = dict(macs_ratio=ratio, batch=batch, size=size,
                          ms=med, latency_ratio=med['compact'] / med['plain'])
    return rows


def recipe_runs(args, out):
    """30 iterations of each real recipe through tools/dist_train.sh."""
    rows = {}
    names = ['ResNet-50 in1k'] if args.tiny else list(RECIPES)
    for name in names:
        config, kind, size, by_iter = RECIPES[name]
        from mmengine.config import Config
        cfg = Config.fromfile(config)
        batch = 2 if args.tiny else cfg.train_dataloader.batch_size
        if kind in ('paired', 'unpaired') and args.tiny:
            batch = 1
        iters = 2 if args.tiny else args.iters
        if args.tiny:
            size = 64
        tag = name.replace(' ', '_')
        data = osp.join(out, 'data', kind)
        if not osp.isdir(data):
            MAKERS[kind](data, max(iters * batch, 2), size)
        work = osp.join(out, 'runs', tag)
        opts = [f'train_dataloader.batch_size={batch}',
                f'train_dataloader.dataset.data_root={data}' +
                ('/' if kind == 'coco' else ''), *NO_VAL]
        opts.append(f'train_cfg.max_iters={iters}' if by_iter else
                    'train_cfg.max_epochs=1')
        if args.tiny:
            opts += ['train_dataloader.num_workers=0',
                     'train_dataloader.persistent_workers=False']
        if kind in ('paired', 'unpaired'):
            opts.append('custom_hooks.1.interval=100000')  # no image dumps
        env = dict(os.environ, PYTHON=sys.executable, PORT='29561')
        start = time.time()
        run(['bash', 'tools/dist_train.sh', config, '1', '--work-dir', work,
             '--cfg-options', *opts], osp.join(out, f'{tag}.log'), env=env)
        rows[name] = dict(read_scalars(work), wall_s=time.time() - start,
                          batch=batch, iters=iters, size=size)
    return rows


def read_scalars(work):
    """Median step time and images/s after the first iterations (warm-up),
    peak memory, from the run's vis_data/scalars.json."""
    files = sorted(glob.glob(osp.join(work, '*', 'vis_data',
                                      'scalars.json')))
    if not files:
        raise ToolInputError(f'gpu_check: no scalars.json under {work}')
    lines = [json.loads(ln) for ln in open(files[-1]) if ln.strip()]
    lines = [ln for ln in lines if 'time' in ln]
    steady = lines[5:] or lines[-1:]
    out = dict(step_s=statistics.median(ln['time'] for ln in steady))
    ips = [ln['img_per_s'] for ln in steady if 'img_per_s' in ln]
    out['img_per_s'] = statistics.median(ips) if ips else None
    mem = [ln['memory'] for ln in lines if 'memory' in ln]
    out['peak_memory_mb'] = max(mem) if mem else None
    return out


def fmt(v, spec='.3f'):
    return '-' if v is None else format(v, spec)


def print_table(res):
    mode = 'tiny' if res['tiny'] else 'full'
    print(f"\ngpu_check on {res['device']} ({mode}), {res['gpu']}")
    print('| check | figure |\n| --- | --- |')
    for pair, r in res['steps'].items():
        a, b = list(r['medians'])
        print(f"| {a} / {b} step time, ResNet-50 {r['size']}^2 batch "
              f"{r['batch']} AMP | {r['ratio']:.3f} ({r['medians'][a]:.3f}"
              f" / {r['medians'][b]:.3f} s) |")
    for name, r in res['latency'].items():
        print(f"| P5 {name}: compact / plain latency (batch {r['batch']}, "
              f"{r['size']}^2) at MACs ratio {r['macs_ratio']:.3f} | "
              f"{r['latency_ratio']:.3f} |")
    print('\n| recipe (1 GPU) | step (s) | images/s | peak memory '
          '(MB) |\n| --- | --- | --- | --- |')
    for name, r in res['recipes'].items():
        print(f"| {name} (batch {r['batch']}, {r['iters']} it) | "
              f"{fmt(r['step_s'])} | {fmt(r['img_per_s'], '.1f')} | "
              f"{fmt(r['peak_memory_mb'], '.0f')} |")


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    if args.device == 'cuda' and not torch.cuda.is_available():
        raise ToolInputError(
            'gpu_check: --device cuda but CUDA is not available (use '
            '--device cpu --tiny for the CPU smoke run)')
    out = osp.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    t0 = time.time()
    res = dict(device=args.device, tiny=args.tiny,
               gpu=torch.cuda.get_device_name(0)
               if args.device == 'cuda' else 'no GPU')
    res['steps'] = step_ratios(args, out)
    res['latency'] = latency_ratios(args)
    res['recipes'] = recipe_runs(args, out)
    res['seconds'] = time.time() - t0
    atomic_write_text(osp.join(out, 'gpu_check.json'),
                      json.dumps(res, indent=1))
    print_table(res)
    print(f"\n{res['seconds']:.0f} s; figures in "
          f"{osp.join(out, 'gpu_check.json')}")
    return res


if __name__ == '__main__':
    sys.exit(exit_status(main()))
