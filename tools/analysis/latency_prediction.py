"""Latency predicted by a table against latency measured, for compact
networks of one search space.

    python tools/analysis/latency_prediction.py CONFIG TABLE SPEC [SPEC ...]
        [--repeats 20] [--json OUT]

CONFIG is the PaS search config the table was built for
(build_latency_table.py); each SPEC is a width spec of that space (a
search's or an export's width_spec.json). Every compact network is built
from the config with the spec's widths and timed with the full one in one
process, interleaved, at the table's batch size; the table's prediction is
printed beside the measurement, as milliseconds and as ratios to the full
network. Run it on the machine the table was measured on, with nothing
else running.
"""
import argparse
import json
import sys

from pas_mm.apis import exit_status, one_line_errors
from pas_mm.apis.errors import ToolInputError
from pas_mm.apis.latency_table import predicted_vs_measured
from pas_mm.core import BudgetError, WidthSpecError
from pas_mm.core.compact.width_spec import load_width_spec
from pas_mm.core.cost.latency import load_latency_table
from pas_mm.core.io import atomic_write_text


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('table')
    parser.add_argument('specs', nargs='+')
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument('--json', default=None, help='write the rows here')
    return parser.parse_args(argv)


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    try:
        table = load_latency_table(args.table)
        specs = {path: load_width_spec(path) for path in args.specs}
    except (BudgetError, WidthSpecError) as e:
        raise ToolInputError(str(e))
    rows = predicted_vs_measured(args.config, table, specs, args.repeats)
    print(f'| network | predicted ms | measured ms | predicted ratio | '
          f'measured ratio |  (batch {table["batch"]})')
    for r in rows:
        print(f'| {r["name"]} | {r["predicted_ms"]:.3f} | '
              f'{r["measured_ms"]:.3f} | {r["predicted_ratio"]:.3f} | '
              f'{r["measured_ratio"]:.3f} |')
    if args.json:
        atomic_write_text(args.json, json.dumps(rows, indent=1))


if __name__ == '__main__':
    sys.exit(exit_status(main()))
