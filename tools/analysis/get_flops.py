"""MACs and parameters of a model, counted by mmengine.analysis.

    python tools/analysis/get_flops.py CONFIG [--checkpoint CKPT]
        [--shape H W] [--modules backbone neck] [--json OUT]

CONFIG is any config: a plain baseline, a PaS search config (its unpruned
architecture) or the config.py that tools/export.py writes (the compact
model). mmdet models are counted like mmdet's get_flops (forward in
'tensor' mode: backbone, neck, RPN and RoI heads on a synthetic image);
mmagic models count their generators. Prints a table; --json writes the
figures (atomically) for reports.
"""
import argparse
import json
import sys

from pas_mm.apis import exit_status, one_line_errors
from pas_mm.apis.measure import count_macs, human_count
from pas_mm.apis.model_runner import config_input_size, load_model


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint', default=None)
    parser.add_argument('--shape', type=int, nargs=2, default=None,
                        metavar=('H', 'W'), help='input size (default: the '
                        "config's: PaS input_shape, width spec, or pipeline "
                        'crop / resize; else 224x224 / 800x1344 / 256x256 '
                        'by toolkit)')
    parser.add_argument('--modules', nargs='*', default=None,
                        help='sub-modules to report separately (default: '
                        'the top-level children)')
    parser.add_argument('--json', default=None, help='write figures here')
    return parser.parse_args(argv)


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    model, cfg, scope = load_model(args.config, args.checkpoint)
    if args.shape:
        shape, source = tuple(args.shape), '--shape'
    else:
        shape, source = config_input_size(cfg, scope)
    result = count_macs(model, scope, shape, args.modules)
    print(f'{result["model"]} at 1x3x{shape[0]}x{shape[1]} (input size '
          f'from {source}; {args.config}):')
    print(f'{"module":<24}{"MACs":>12}{"params":>12}')
    for name, part in result['modules'].items():
        print(f'{name:<24}{human_count(part["macs"]):>12}'
              f'{human_count(part["params"]):>12}')
    print(f'{"total":<24}{human_count(result["macs"]):>12}'
          f'{human_count(result["params"]):>12}')
    if args.json:
        from pas_mm.core.io import atomic_write_text
        atomic_write_text(args.json, json.dumps(result, indent=1))
    return result


if __name__ == '__main__':
    sys.exit(exit_status(main()))
