"""Export a (compact) model to ONNX and check it against PyTorch.

    python tools/deploy/export_onnx.py CONFIG CHECKPOINT --out model.onnx
        [--shape H W] [--opset 17] [--tol 1e-4]

Usually CONFIG/CHECKPOINT are the config.py / compact.pth that
tools/export.py wrote. What is exported is the network PaS pruned:
- mmpretrain: the classifier (image -> logits);
- mmagic: the default domain's generator (image -> translated image);
- mmdet: backbone + neck (image -> FPN levels). The RPN / RoI heads need
  custom ONNX ops for NMS and RoIAlign (mmdeploy's job) and are not pruned.
onnxruntime (CPU) then runs the file on a random input; the max difference
relative to the output scale must be within --tol, else exit code 1. The
.onnx file is written atomically.
"""
import argparse
import os.path as osp
import sys

import torch

from pas_mm.apis import exit_status, one_line_errors
from pas_mm.apis.errors import ToolInputError
from pas_mm.apis.model_runner import (DEFAULT_SHAPES, DeployForward,
                                      deploy_output_names, load_model)
from pas_mm.apis.onnx_export import OPSET, cpu_session, export_onnx
from pas_mm.core.io import atomic_write


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out', required=True)
    parser.add_argument('--shape', type=int, nargs=2, default=None,
                        metavar=('H', 'W'))
    parser.add_argument('--opset', type=int, default=OPSET)
    parser.add_argument('--tol', type=float, default=1e-4)
    return parser.parse_args(argv)


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    import numpy as np
    model, _, scope = load_model(args.config, args.checkpoint)
    shape = tuple(args.shape or DEFAULT_SHAPES[scope])
    net = DeployForward(model, scope).eval()
    x = torch.randn(1, 3, *shape, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ref = net(x)
    refs = list(ref) if isinstance(ref, (tuple, list)) else [ref]
    names = deploy_output_names(scope, len(refs))
    result = {}

    def write(tmp):
        export_onnx(net, x, tmp, args.opset, output_names=names)
        outs = cpu_session(tmp).run(None, {'input': x.numpy()})
        if len(outs) != len(refs):
            raise ToolInputError(
                f'ONNX model gives {len(outs)} outputs, PyTorch '
                f'{len(refs)}')
        result['diff'] = max(
            float(np.abs(o - r.numpy()).max()) /
            max(float(r.abs().max()), 1e-6) for o, r in zip(outs, refs))

    atomic_write(args.out, write)
    diff = result['diff']
    size = osp.getsize(args.out) / 2**20
    what = {'mmdet': 'backbone + neck only (image -> FPN levels; the '
                     'detection heads and NMS are not in the file)',
            'mmagic': 'the default-domain generator',
            }.get(scope, 'the classifier (image -> logits)')
    print(f'pas-mm export_onnx: {args.out} ({size:.2f} MiB, opset '
          f'{args.opset}, input 1x3x{shape[0]}x{shape[1]}): {what}; outputs '
          f'{", ".join(names)}; onnxruntime vs PyTorch max rel diff '
          f'{diff:.2e} (tol {args.tol:g})')
    if diff > args.tol:
        print('pas-mm: error: ONNX outputs differ from PyTorch beyond the '
              'tolerance', file=sys.stderr)
        sys.exit(1)
    return diff


if __name__ == '__main__':
    sys.exit(exit_status(main()))
