"""Synthetic datasets in the real layouts, for timing real recipes without
the real data (``tools/benchmark/gpu_check.sh``). Noise images: only the
sizes and the file formats are real.

    python -m pas_mm.datasets.synthetic {imagenet,coco,paired,unpaired}
        --out DIR --num N --size S
"""
import argparse
import json
import os
import os.path as osp

import numpy as np

# CocoDataset keeps the categories named like COCO's
COCO_CLASSES = ('person', 'bicycle')


def _noise(rng, h, w):
    return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)


def _write(path, img):
    import cv2
    os.makedirs(osp.dirname(path), exist_ok=True)
    if not cv2.imwrite(path, img):
        raise OSError(f'cannot write {path}')


def make_imagenet(root: str, num: int, size: int, seed: int = 0) -> None:
    """``train/<class>/*.JPEG``, ``val/...`` and ``meta/{train,val}.txt``
    (mmpretrain's ImageNet layout), ``num`` images per split, 2 classes."""
    rng = np.random.default_rng(seed)
    for split in ('train', 'val'):
        lines = []
        for i in range(num):
            cls = f'n{i % 2:08d}'
            _write(osp.join(root, split, cls, f'{i}.JPEG'),
                   _noise(rng, size, size))
            lines.append(f'{cls}/{i}.JPEG {i % 2}')
        os.makedirs(osp.join(root, 'meta'), exist_ok=True)
        with open(osp.join(root, 'meta', f'{split}.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')


def make_coco(root: str, num: int, size: int, seed: int = 0) -> None:
    """``train2017/``, ``val2017/`` and ``annotations/instances_*.json``
    with one box and polygon per image (``size`` x ``size`` * 4 / 3)."""
    rng = np.random.default_rng(seed)
    h, w = size, size * 4 // 3
    for split in ('train2017', 'val2017'):
        images, anns = [], []
        for i in range(num):
            name = f'{i:012d}.jpg'
            _write(osp.join(root, split, name), _noise(rng, h, w))
            x0, y0 = int(rng.integers(0, w // 2)), int(rng.integers(0, h // 2))
            bw, bh = w // 3, h // 3
            images.append(dict(id=i + 1, file_name=name, height=h, width=w))
            anns.append(dict(
                id=i + 1, image_id=i + 1, category_id=1 + i % 2, iscrowd=0,
                bbox=[x0, y0, bw, bh], area=float(bw * bh),
                segmentation=[[x0, y0, x0 + bw, y0, x0 + bw, y0 + bh, x0,
                               y0 + bh]]))
        os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
        with open(osp.join(root, 'annotations',
                           f'instances_{split}.json'), 'w') as f:
            json.dump(dict(images=images, annotations=anns, categories=[
                dict(id=k + 1, name=n) for k, n in enumerate(COCO_CLASSES)]),
                f)


def make_paired(root: str, num: int, size: int, seed: int = 0) -> None:
    """``train/`` and ``test/`` of A|B pairs side by side (Pix2Pix)."""
    rng = np.random.default_rng(seed)
    for split in ('train', 'test'):
        for i in range(num):
            _write(osp.join(root, split, f'{i}.png'),
                   _noise(rng, size, 2 * size))


def make_unpaired(root: str, num: int, size: int, seed: int = 0) -> None:
    """``trainA/``, ``trainB/``, ``testA/``, ``testB/`` (CycleGAN)."""
    rng = np.random.default_rng(seed)
    for split in ('trainA', 'trainB', 'testA', 'testB'):
        for i in range(num):
            _write(osp.join(root, split, f'{i}.jpg'),
                   _noise(rng, size, size))


MAKERS = dict(imagenet=make_imagenet, coco=make_coco, paired=make_paired,
              unpaired=make_unpaired)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('kind', choices=sorted(MAKERS))
    parser.add_argument('--out', required=True)
    parser.add_argument('--num', type=int, default=8)
    parser.add_argument('--size', type=int, default=224)
    args = parser.parse_args(argv)
    MAKERS[args.kind](args.out, args.num, args.size)


if __name__ == '__main__':
    main()
