"""Does the search reach its target by itself? Eight nets, default settings.

For each net: train the demo baseline (once; reused when its checkpoint
exists), then run only the search part of its PaS demo config from that
baseline, and read what the end of the search recorded in the width spec:
the MACs ratio the search itself reached (before the end-of-search
projection), the projection's shift and the groups held at the collapse
floor. Writes ``OUT/convergence.json`` and prints a Markdown table.

    python tools/analysis/search_convergence.py --work-dir work_dirs/conv \
        [--only resnet18 retinanet ...]
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time

from pas_mm.apis import exit_status, one_line_errors

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CLS, DET, GAN = ('configs/classification/', 'configs/instance_segmentation/',
                 'configs/image_translation/')
BOX = 'configs/detection/'
# name: (baseline config, its final checkpoint, PaS config, search length
# override as cfg-options that stop the run when the search ends)
NETS = {
    'resnet18': (
        CLS + 'resnet/resnet18-w16_1xb64_demo-cls.py', 'epoch_12.pth',
        CLS + 'resnet/pas_resnet18-w16_1xb64_demo-cls_flops-0.5x.py',
        ['train_cfg.max_epochs=3']),
    'resnet50': (
        CLS + 'resnet/resnet50_1xb64_demo-cls.py', 'epoch_8.pth',
        CLS + 'resnet/pas_resnet50_1xb64_demo-cls_flops-0.5x.py',
        ['train_cfg.max_epochs=2']),
    'mobilenet-v2': (
        CLS + 'mobilenet_v2/mobilenet-v2_1xb64_demo-cls.py', 'epoch_12.pth',
        CLS + 'mobilenet_v2/pas_mobilenet-v2_1xb64_demo-cls_flops-0.5x.py',
        ['train_cfg.max_epochs=3']),
    'mobilenet-v3-small': (
        CLS + 'mobilenet_v3/mobilenet-v3-small_1xb64_demo-cls.py',
        'epoch_12.pth',
        CLS + 'mobilenet_v3/'
        'pas_mobilenet-v3-small_1xb64_demo-cls_flops-0.5x.py',
        ['train_cfg.max_epochs=3']),
    'repvgg': (
        CLS + 'repvgg/repvgg-tiny_1xb64_demo-cls.py', 'epoch_12.pth',
        CLS + 'repvgg/pas_repvgg-tiny_1xb64_demo-cls_flops-0.5x.py',
        ['train_cfg.max_epochs=3']),
    'retinanet': (
        BOX + 'retinanet/retinanet_r50_fpn_1xb4_demo-coco.py', 'epoch_4.pth',
        BOX + 'retinanet/pas_retinanet_r50_fpn_1xb4_demo-coco_flops-0.5x.py',
        ['train_cfg.max_epochs=1']),
    'mask-rcnn': (
        DET + 'mask_rcnn/mask-rcnn_r50_fpn_1xb4_demo-coco.py', 'epoch_4.pth',
        DET + 'mask_rcnn/pas_mask-rcnn_r50_fpn_1xb4_demo-coco_flops-0.5x.py',
        ['train_cfg.max_epochs=1']),
    'pix2pix': (
        GAN + 'pix2pix/pix2pix_unet-w32_1xb4_demo-edges2photo.py',
        'iter_480.pth',
        GAN + 'pix2pix/'
        'pas_pix2pix_unet-w32_1xb4_demo-edges2photo_flops-0.25x.py',
        ['train_cfg.max_iters=160']),
    'cyclegan': (
        GAN + 'cyclegan/cyclegan_resnet-in_1xb4_demo-edges2photo.py',
        'iter_240.pth',
        GAN + 'cyclegan/'
        'pas_cyclegan_resnet-in_1xb4_demo-edges2photo_flops-0.25x.py',
        ['train_cfg.max_iters=80']),
}


def run(cmd, log):
    with open(log, 'w') as f:
        rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT,
                             cwd=ROOT)
    if rc:
        sys.exit(f'search_convergence: {" ".join(cmd[1:3])} failed '
                 f'(exit {rc}); see {log}')


def converge(name, work_dir):
    base_cfg, base_ckpt, pas_cfg, stop = NETS[name]
    wdir = osp.join(work_dir, name)
    ckpt = osp.join(wdir, 'baseline', base_ckpt)
    py = sys.executable
    if not osp.isfile(ckpt):
        os.makedirs(osp.join(wdir, 'baseline'), exist_ok=True)
        run([py, 'tools/train.py', base_cfg, '--work-dir',
             osp.join(wdir, 'baseline'), '--no-validate'],
            osp.join(wdir, 'baseline.log'))
    start = time.time()
    run([py, 'tools/train.py', pas_cfg, '--work-dir', osp.join(wdir, 'pas'),
         '--no-validate', '--cfg-options', f'model.pretrained={ckpt}',
         'custom_hooks.0.export_after_search=False', *stop],
        osp.join(wdir, 'search.log'))
    with open(osp.join(wdir, 'pas', 'pas_search', 'width_spec.json')) as f:
        spec = json.load(f)
    return dict(net=name, target=spec['target_ratio'],
                search_end_ratio=spec['search_end_ratio'],
                projection_shift=spec['projection_shift'],
                final_ratio=spec['macs']['ratio'],
                groups=len(spec['groups']),
                at_floor=spec['at_floor']['count'],
                search_seconds=round(time.time() - start, 1))


@one_line_errors
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/search_convergence')
    parser.add_argument('--only', nargs='+', choices=sorted(NETS))
    args = parser.parse_args(argv)
    os.environ.setdefault('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    rows = []
    for name in args.only or NETS:
        rows.append(converge(name, args.work_dir))
        print(json.dumps(rows[-1]), flush=True)
    print('| net | gates | target | search end (before projection) | off '
          'target | projection shift | final | groups at floor |')
    print('|---|---|---|---|---|---|---|---|')
    for r in rows:
        off = r['search_end_ratio'] / r['target'] - 1
        print(f"| {r['net']} | {r['groups']} | {r['target']} | "
              f"{r['search_end_ratio']:.4f} | {100 * off:+.1f} % | "
              f"{r['projection_shift']:+.4f} | {r['final_ratio']:.4f} | "
              f"{r['at_floor']} |")
    out = osp.join(args.work_dir, 'convergence.json')
    with open(out + '.tmp', 'w') as f:
        json.dump(rows, f, indent=1)
    os.replace(out + '.tmp', out)


if __name__ == '__main__':
    sys.exit(exit_status(main()))
