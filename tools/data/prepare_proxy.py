"""Generate the pas-mm proxy benchmark data from assets that ship inside
PyPI packages (matplotlib's fonts, scikit-image's photographs). Nothing is
downloaded, and the same seed writes the same bytes on every run.

    python tools/data/prepare_proxy.py --out data/proxy [--force]

Writes:
    cls/{train,val,test}/<class>/*.png   36 glyph classes at 32x32
                                         (mmpretrain CustomDataset); val and
                                         test fonts are never seen in train
    coco/{train,val,test}/*.jpg + annotations/instances_{split}.json
                                         8 glyph categories as instances on
                                         photos, 128x128, COCO polygons
                                         (mmdet CocoDataset / CocoMetric)
    paired/{train,val,test}/*.png        glyph outlines | filled, patterned
                                         glyphs, 128x128 each (mmagic
                                         PairedImageDataset)

Each part is built next to its target and swapped in, and carries a VERSION
stamp: an up-to-date part is left alone.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import sys
import time

from pas_mm.apis import exit_status, one_line_errors
from pas_mm.apis.errors import ToolInputError
from pas_mm.datasets.proxy import (AssetError, load_photos,
                                   make_glyph_classification,
                                   make_glyph_coco, make_glyph_paired)

# bump a part's version when its generated data changes
PARTS = dict(cls=(1, make_glyph_classification), coco=(1, make_glyph_coco),
             paired=(1, make_glyph_paired))


def log(msg):
    print(f'[prepare_proxy] {msg}', flush=True)


@one_line_errors
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/proxy')
    parser.add_argument('--parts', nargs='+', default=list(PARTS),
                        choices=list(PARTS))
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--force', action='store_true',
                        help='regenerate even if the data is up to date')
    args = parser.parse_args(argv)
    photos = None
    for part in args.parts:
        version, make = PARTS[part]
        target = osp.join(args.out, part)
        stamp = osp.join(target, 'VERSION')
        if not args.force and osp.isfile(stamp) and \
                open(stamp).read().strip() == str(version):
            log(f'{target} is up to date (version {version})')
            continue
        start = time.time()
        try:
            photos = photos or load_photos()
            tmp = target.rstrip('/') + '.tmp'
            shutil.rmtree(tmp, ignore_errors=True)
            os.makedirs(tmp)
            summary = make(tmp, photos, seed=args.seed)
        except AssetError as e:
            raise ToolInputError(f'prepare_proxy {part}: {e}')
        with open(osp.join(tmp, 'summary.json'), 'w') as f:
            json.dump(dict(summary, version=version, seed=args.seed), f,
                      indent=1)
        with open(osp.join(tmp, 'VERSION'), 'w') as f:
            f.write(str(version))
        shutil.rmtree(target, ignore_errors=True)
        os.replace(tmp, target)
        log(f'{part}: wrote {target} in {time.time() - start:.0f} s: '
            f'{summary}')


if __name__ == '__main__':
    sys.exit(exit_status(main()))
