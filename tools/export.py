"""Export a searched PaS model as a compact, ordinary OpenMMLab model.

    python tools/export.py CONFIG CHECKPOINT --out DIR [--no-reparam]

Writes to DIR (each file atomically):
    compact.pth       state_dict + meta (torch.load(weights_only=True))
    width_spec.json   the searched widths (pas_mm.core width spec)
    config.py         builds the compact model (tools/test.py, ...)
"""
import argparse
import sys

from mmengine.config import DictAction

from pas_mm.apis import exit_status, one_line_errors, setup_env
from pas_mm.apis.export import export_checkpoint


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Export a PaS model')
    parser.add_argument('config', help='the PaS config used for the search')
    parser.add_argument('checkpoint', help='checkpoint of the search run')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--no-reparam', action='store_true',
                        help='keep RepVGG blocks multi-branch')
    parser.add_argument('--round-to', type=int, default=None,
                        help='round every width up to a multiple of N '
                        '(hardware-friendly; re-opens the best channels, '
                        'so MACs rise a little); default: the config\'s')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={}, help='override config settings')
    return parser.parse_args(argv)


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    setup_env()
    options = dict(args.cfg_options or {})
    # settings that choose widths at training time: export reads them
    # from the checkpoint, so say so rather than drop them silently
    ignored = [k for k in options
               if k.startswith(('model.transfer', 'model.criterion'))]
    if ignored:
        print(f'pas-mm export: warning: --cfg-options {", ".join(ignored)} '
              'ignored: the widths come from the checkpoint', file=sys.stderr)
    done = export_checkpoint(
        args.config, args.checkpoint, args.out,
        {k: v for k, v in options.items() if k not in ignored},
        round_to=args.round_to, reparam=not args.no_reparam)
    spec, m = done['spec'], done['spec']['macs']
    print(f'pas-mm export: {len(spec["groups"])} groups, MACs '
          f'{m["full"] / 1e6:.2f}M -> {m["compact"] / 1e6:.2f}M '
          f'(ratio {m["ratio"]:.4f}), {done["merged"]} blocks '
          f'reparameterised, max rel diff vs {done["reference"]} '
          f'{done["max_rel_diff"]:.2e}; wrote {args.out}')


if __name__ == '__main__':
    sys.exit(exit_status(main()))
