"""The demo datasets: deterministic, small, and readable by the toolkits."""
import hashlib
import os
import os.path as osp

import pytest
from conftest import run_tool

pytestmark = pytest.mark.slow  # runs the tools in subprocesses


def tree_digest(root):
    h = hashlib.sha256()
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            path = osp.join(folder, name)
            h.update(osp.relpath(path, root).encode())
            with open(path, 'rb') as f:
                h.update(f.read())
    return h.hexdigest()


def tree_bytes(root):
    return sum(osp.getsize(osp.join(d, f)) for d, _, fs in os.walk(root)
               for f in fs)


def test_generation_is_deterministic_and_small(tmp_path, demo_data):
    out = tmp_path / 'again'
    run_tool('tools/data/prepare_demo.py', '--out', out)
    assert tree_digest(out) == tree_digest(demo_data)
    assert tree_bytes(demo_data) < 30e6


def test_classification_folders(demo_data):
    from mmpretrain.datasets import CustomDataset
    train = CustomDataset(data_root=osp.join(demo_data, 'cls'),
                          data_prefix='train', pipeline=[])
    val = CustomDataset(data_root=osp.join(demo_data, 'cls'),
                        data_prefix='val', pipeline=[])
    assert len(train.CLASSES) == 10 and len(train) > 1000 and len(val) > 300


def test_coco_instances_have_boxes_and_masks(demo_data):
    from pycocotools.coco import COCO
    ann = osp.join(demo_data, 'coco', 'annotations', 'instances_val.json')
    coco = COCO(ann)
    assert [c['name'] for c in coco.loadCats(coco.getCatIds())] == \
        ['coin', 'digit']
    anns = coco.loadAnns(coco.getAnnIds())
    assert len(anns) >= 60
    for a in anns[:20]:
        mask = coco.annToMask(a)
        assert mask.sum() == a['area'] or abs(mask.sum() - a['area']) < \
            0.2 * a['area']
        x, y, w, h = a['bbox']
        ys, xs = mask.nonzero()
        assert x - 2 <= xs.min() and xs.max() <= x + w + 2
        assert y - 2 <= ys.min() and ys.max() <= y + h + 2


def test_paired_images_side_by_side(demo_data):
    import cv2
    for split, n in (('train', 96), ('test', 24)):
        files = sorted(os.listdir(osp.join(demo_data, 'paired', split)))
        assert len(files) == n
        img = cv2.imread(osp.join(demo_data, 'paired', split, files[0]))
        assert img.shape == (128, 256, 3)
        edges = img[:, :128]
        assert set(edges.reshape(-1).tolist()) <= {0, 255}  # binary edges
