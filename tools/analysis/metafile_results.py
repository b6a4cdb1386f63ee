"""Write the ``Results`` of every configs/**/metafile.yml from the
committed benchmark results (pas_mm.benchmark.metafile_results).

    python tools/analysis/metafile_results.py [--check]

--check writes nothing and fails (one error line, exit status 2) when a
metafile differs from what the committed results give.
"""
import argparse
import glob
import os.path as osp
import sys

from pas_mm.apis import exit_status, one_line_errors
from pas_mm.apis.errors import SuiteError
from pas_mm.benchmark.metafile_results import metafile_text, results_for
from pas_mm.core.io import atomic_write_text

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true',
                        help='compare only; an error when one differs')
    return parser.parse_args(argv)


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    results = results_for(REPO)
    stale = []
    for path in sorted(glob.glob(osp.join(REPO, 'configs', '**',
                                          'metafile.yml'), recursive=True)):
        text, measured, total = metafile_text(path, results)
        with open(path) as f:
            same = f.read() == text
        name = osp.relpath(path, REPO)
        print(f'{name}: {measured} of {total} configs with results'
              + ('' if same else (' (stale)' if args.check else
                                  ' (rewritten)')))
        if not same:
            stale.append(name)
            if not args.check:
                atomic_write_text(path, text)
    if args.check and stale:
        raise SuiteError(f'{len(stale)} metafile(s) differ from the '
                         f'committed results ({", ".join(stale)}): run '
                         'tools/analysis/metafile_results.py')
    return stale


if __name__ == '__main__':
    sys.exit(exit_status(main()))
