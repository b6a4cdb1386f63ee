"""pas-mm's search space and export over the model zoos (torchvision,
timm), with Torch-Pruning's outcome on the same models (pas_mm.analysis.zoo).

    python tools/analysis/zoo_check.py [--source torchvision timm]
        [--only NAME ...] [--tp] [--tp-from docs/zoo.md] [--out docs/zoo.md]

Prints one line per model; --out writes docs/zoo.md's text (atomically),
--tp adds Torch-Pruning 1.6.1's outcome (requirements/benchmark.txt);
--tp-from takes it from an earlier zoo page for the models that page has
(Torch-Pruning's outcome does not depend on pas-mm) and runs it for the
rest. The page says which.
"""
import argparse
import sys

from pas_mm.analysis.zoo import (check_model, timm_models, torchvision_models,
                                 tp_outcome)
from pas_mm.analysis.zoo_report import tp_outcomes_of, zoo_markdown
from pas_mm.apis import exit_status, one_line_errors
from pas_mm.core.io import atomic_write_text

SOURCES = {'torchvision': torchvision_models, 'timm': timm_models}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--source', nargs='+', default=list(SOURCES),
                        choices=list(SOURCES))
    parser.add_argument('--only', nargs='+', default=None, metavar='NAME',
                        help='check only these model names')
    parser.add_argument('--tp', action='store_true',
                        help="add Torch-Pruning's outcome on each model")
    parser.add_argument('--tp-limit', type=int, default=30,
                        help="seconds before Torch-Pruning's try on one model "
                        'counts as a hang')
    parser.add_argument('--tp-from', default=None, metavar='ZOO_MD',
                        help="with --tp: Torch-Pruning's outcomes of an "
                        'earlier zoo page, for the models it has')
    parser.add_argument('--out', default=None,
                        help='write the markdown table here')
    return parser.parse_args(argv)


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    entries = [m for source in args.source for m in SOURCES[source]()
               if args.only is None or m.name in args.only]
    results, tp = [], {} if args.tp else None
    earlier = tp_outcomes_of(args.tp_from, entries) if args.tp_from else {}
    for entry in entries:
        result = check_model(entry)
        results.append(result)
        line = (f'{entry.source}/{entry.name}: {result.status} '
                f'{result.message} ({result.seconds:.1f} s)')
        if tp is not None:
            key = f'{entry.source}/{entry.name}'
            tp[key] = earlier.get(key) or tp_outcome(entry, args.tp_limit)
            line += f' | Torch-Pruning: {tp[key]}'
        print(line, flush=True)
    if args.out:
        command = 'python tools/analysis/zoo_check.py ' + ' '.join(
            argv if argv is not None else sys.argv[1:])
        atomic_write_text(args.out, zoo_markdown(
            results, tp, command,
            tp_carried=(args.tp_from, len(earlier), args.tp_limit)
            if args.tp_from else None))
    counts = {s: sum(r.status == s for r in results)
              for s in ('exact', 'refused', 'failed')}
    print(f'{len(results)} models: {counts}')
    return counts


if __name__ == '__main__':
    sys.exit(exit_status(main()))
