"""Does the task loss shape the searched widths? Runs a PaS search and its
budget-only control from a baseline, then the oracle check, and prints
the tables of docs/search_diagnostics.md.

    python tools/analysis/search_diagnostics.py CONFIG CHECKPOINT \
        --work-dir work_dirs/diag/r18-0.25 [--seed 0] \
        [--cfg-options model.budget.target_ratio=0.25 ...]

Each run is kept in the work dir: a second call reuses it.
"""
import argparse
import sys

from pas_mm.analysis.search_diagnostics import diagnose, markdown_summary
from pas_mm.apis import exit_status, one_line_errors


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='PaS search diagnostics')
    parser.add_argument('config', help='PaS search config')
    parser.add_argument('checkpoint', help='the trained baseline')
    parser.add_argument('--work-dir', required=True)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--oracle-groups', type=int, default=4)
    parser.add_argument('--label', default='')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='key=value overrides of both runs')
    return parser.parse_args(argv)


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    result = diagnose(args.config, args.checkpoint, args.work_dir,
                      seed=args.seed, oracle_groups=args.oracle_groups,
                      cfg_options=args.cfg_options)
    print('\n'.join(markdown_summary(result, args.label or args.config)))


if __name__ == '__main__':
    sys.exit(exit_status(main()))
