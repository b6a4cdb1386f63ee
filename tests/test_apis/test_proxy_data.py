"""Proxy benchmark data: deterministic, from packaged assets, valid
formats, held-out fonts for val / test."""
import json
import os.path as osp

import numpy as np
import pytest

from pas_mm.datasets.proxy import (load_photos, make_glyph_classification,
                                   make_glyph_coco)
from pas_mm.datasets.proxy.assets import (GLYPHS, HELD_OUT_FONTS, TRAIN_FONTS,
                                          load_fonts)


@pytest.fixture(scope='module')
def photos():
    return load_photos()


def test_fonts_are_split_and_carry_every_glyph():
    assert not set(TRAIN_FONTS) & set(HELD_OUT_FONTS)
    assert len(load_fonts(TRAIN_FONTS + HELD_OUT_FONTS, 24)) == 22
    assert len(GLYPHS) == 36 and len(set(GLYPHS)) == 36


def test_classification_is_deterministic_and_complete(photos, tmp_path):
    counts = dict(train=2, val=1, test=1)
    a = make_glyph_classification(str(tmp_path / 'a'), photos, 0, counts)
    make_glyph_classification(str(tmp_path / 'b'), photos, 0, counts)
    make_glyph_classification(str(tmp_path / 'c'), photos, 1, counts)
    assert a == dict(classes=36, size=32, train=72, val=36, test=36)
    files = sorted(p.relative_to(tmp_path / 'a')
                   for p in (tmp_path / 'a').rglob('*.png'))
    assert len(files) == 144 and len({f.parent for f in files}) == 108
    same = [(tmp_path / 'a' / f).read_bytes() ==
            (tmp_path / 'b' / f).read_bytes() for f in files]
    other = [(tmp_path / 'a' / f).read_bytes() ==
             (tmp_path / 'c' / f).read_bytes() for f in files]
    assert all(same) and not any(other)


def test_coco_annotations_match_the_masks(photos, tmp_path):
    from pycocotools.coco import COCO
    summary = make_glyph_coco(str(tmp_path), photos, 0,
                              dict(train=6, val=2, test=2))
    assert summary['categories'] == 8
    coco = COCO(str(tmp_path / 'annotations' / 'instances_train.json'))
    anns = coco.loadAnns(coco.getAnnIds())
    assert len(anns) >= 12 and len(coco.getCatIds()) == 8
    for ann in anns:
        mask = coco.annToMask(ann)
        x, y, w, h = ann['bbox']
        assert 0 <= x and 0 <= y and x + w <= 128 and y + h <= 128
        assert int(mask.sum()) == ann['area']  # as CocoMetric will see it
        ys, xs = np.nonzero(mask)
        assert xs.min() >= x - 1 and xs.max() <= x + w
    with open(tmp_path / 'annotations' / 'instances_test.json') as f:
        test = json.load(f)
    assert len(test['images']) == 2 and all(
        osp.isfile(tmp_path / 'test' / im['file_name'])
        for im in test['images'])


def test_polygons_keep_thin_strokes():
    from pas_mm.datasets.proxy.glyph_coco import _polygon_area, _polygons
    mask = np.zeros((128, 128), bool)
    mask[20:80, 30:32] = True  # a 2-pixel stroke
    mask[50:52, 30:90] = True
    area = _polygon_area(_polygons(mask))
    assert abs(area - mask.sum()) <= 0.15 * mask.sum()


def test_paired_outlines_determine_the_painted_glyphs(tmp_path):
    import cv2

    from pas_mm.datasets.proxy import make_glyph_paired
    counts = dict(train=3, val=1, test=1)
    assert make_glyph_paired(str(tmp_path / 'a'), None, 0, counts) == dict(
        letters=8, size=128, train=3, val=1, test=1)
    make_glyph_paired(str(tmp_path / 'b'), None, 0, counts)
    for path in sorted((tmp_path / 'a').rglob('*.png')):
        pair = cv2.imread(str(path))
        assert pair.shape == (128, 256, 3)
        assert path.read_bytes() == (tmp_path / 'b' / path.relative_to(
            tmp_path / 'a')).read_bytes()
        a, b = pair[:, :128], pair[:, 128:]
        ink = (a < 128).all(2)  # outline pixels of A
        assert ink.any()
        # painted glyphs sit where the outlines are; B is plain elsewhere
        grown = cv2.dilate(ink.astype(np.uint8), np.ones((3, 3))) > 0
        plain = (np.abs(b.astype(int) - 235) <= 1).all(2)
        assert not plain[ink].all() and plain[~grown].mean() > 0.3


def test_coco_part_loads_in_mmdet_with_the_dataset_base(photos, tmp_path):
    from mmdet.registry import DATASETS
    from mmdet.utils import register_all_modules
    from mmengine.config import Config
    register_all_modules()
    make_glyph_coco(str(tmp_path), photos, 0, dict(train=4, val=1, test=1))
    cfg = Config.fromfile(osp.join(
        osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
        'configs/_base_/datasets/proxy_coco_instance.py'))
    for loader in ('train_dataloader', 'test_dataloader'):
        ds_cfg = cfg[loader].dataset
        ds_cfg.data_root = str(tmp_path) + '/'
        dataset = DATASETS.build(ds_cfg)
        item = dataset[0]
        assert item['inputs'].shape[1:] == (128, 128)
        assert len(item['data_samples'].gt_instances) >= 1
        assert dataset.metainfo['classes'][0] == 'glyph_A'
