"""Generate the three pas-mm demo datasets from images shipped inside PyPI
packages (scikit-learn's handwritten digits, scikit-image's photographs).
Nothing is downloaded, and the output is the same on every run.

    python tools/data/prepare_demo.py --out data/demo

Writes (about 5 MB in all):
    cls/{train,val}/<digit>/*.png         ImageNet-style folders (mmpretrain
                                          CustomDataset), 10 classes
    coco/{train,val}/*.jpg + annotations/instances_{train,val}.json
                                          COCO boxes + polygon masks (mmdet
                                          CocoDataset / CocoMetric), 2 classes
    paired/{train,test}/*.png             edges|photo pairs side by side
                                          (mmagic PairedImageDataset)
"""
import argparse
import os
import os.path as osp
import shutil
import sys

import cv2
import numpy as np

from pas_mm.apis import exit_status, one_line_errors
from pas_mm.datasets.coco_writer import instance_record, write_coco

VERSION = 2  # bump when the generated data changes


def log(msg):
    print(f'[prepare_demo] {msg}', flush=True)


# ---------------------------------------------------------------- sources
def load_digits():
    from sklearn.datasets import load_digits as sk_digits
    d = sk_digits()
    return d.images.astype(np.float32) / 16.0, d.target.astype(int)


def load_photos():
    """Colour photographs bundled with scikit-image (no download needed)."""
    from skimage import data
    names = ['astronaut', 'coffee', 'chelsea', 'rocket', 'immunohistochemistry',
             'hubble_deep_field', 'colorwheel', 'retina']
    photos = []
    for name in names:
        try:
            img = getattr(data, name)()
        except Exception:  # an image that would need a download: skip it
            continue
        if img.ndim == 3 and img.shape[2] == 3:
            photos.append((name, np.ascontiguousarray(img[..., :3])))
    if len(photos) < 4:
        sys.exit('prepare_demo: scikit-image ships too few colour images '
                 f'({[n for n, _ in photos]}); is scikit-image installed?')
    return photos


def load_coins():
    """Coin cut-outs (image, mask) segmented from skimage's 'coins' photo."""
    from scipy import ndimage as ndi
    from skimage import data, filters, measure, morphology
    img = data.coins()
    smooth = filters.gaussian(img, 2, preserve_range=True)
    mask = smooth > filters.threshold_otsu(smooth)
    mask = ndi.binary_fill_holes(ndi.binary_closing(
        mask, structure=morphology.disk(3)))
    coins = []
    for region in measure.regionprops(measure.label(mask)):
        h, w = region.image.shape
        # skip specks and touching coins merged into one elongated blob
        if region.area < 400 or not 0.75 < h / w < 1.33 or \
                region.solidity < 0.9:
            continue
        r0, c0, r1, c1 = region.bbox
        patch = img[r0:r1, c0:c1]
        coins.append((np.stack([patch] * 3, -1), region.image.copy()))
    return coins


# ---------------------------------------------------------------- cls
def make_classification(out, digits, labels, rng):
    root = osp.join(out, 'cls')
    order = rng.permutation(len(labels))
    n_val = len(labels) // 5
    for i, idx in enumerate(order):
        split = 'val' if i < n_val else 'train'
        img = cv2.resize(digits[idx], (32, 32), interpolation=cv2.INTER_CUBIC)
        img = (np.clip(img, 0, 1) * 255).astype(np.uint8)
        folder = osp.join(root, split, str(labels[idx]))
        os.makedirs(folder, exist_ok=True)
        cv2.imwrite(osp.join(folder, f'{idx:04d}.png'), img)
    log(f'cls: {len(labels) - n_val} train / {n_val} val images, 10 classes')


# ---------------------------------------------------------------- coco
CATEGORIES = [dict(id=1, name='coin'), dict(id=2, name='digit')]


def _background(photos, size, rng):
    name, photo = photos[rng.integers(len(photos))]
    h, w = photo.shape[:2]
    s = int(rng.integers(size, min(h, w) + 1))
    y, x = int(rng.integers(0, h - s + 1)), int(rng.integers(0, w - s + 1))
    crop = cv2.resize(photo[y:y + s, x:x + s], (size, size),
                      interpolation=cv2.INTER_AREA)
    # low-contrast background: objects stay the salient thing to find
    return (0.45 * crop + 0.55 * 110).astype(np.float32)


def _digit_object(digits, rng, size):
    glyph = cv2.resize(digits[rng.integers(len(digits))], (size, size),
                       interpolation=cv2.INTER_CUBIC)
    mask = cv2.dilate((glyph > 0.35).astype(np.uint8), np.ones((3, 3)))
    color = np.array([255, 220, 40], np.float32) * rng.uniform(0.8, 1.0)
    patch = np.clip(glyph, 0, 1)[..., None] * color
    return patch, mask.astype(bool)


def _coin_object(coins, rng, size):
    patch, mask = coins[rng.integers(len(coins))]
    scale = size / max(patch.shape[:2])
    hw = (max(4, int(patch.shape[1] * scale)), max(4, int(patch.shape[0] * scale)))
    patch = cv2.resize(patch.astype(np.float32), hw,
                       interpolation=cv2.INTER_AREA)
    mask = cv2.resize(mask.astype(np.uint8), hw,
                      interpolation=cv2.INTER_NEAREST).astype(bool)
    return patch, mask


def _polygons(mask):
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_SIMPLE)
    polys = [c.reshape(-1).astype(float).tolist() for c in contours
             if len(c) >= 3]
    return [p for p in polys if len(p) >= 6]


def make_coco(out, digits, coins, photos, rng, n_train=240, n_val=60,
              size=128):
    root = osp.join(out, 'coco')
    os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
    ann_id = 1
    for split, count in (('train', n_train), ('val', n_val)):
        os.makedirs(osp.join(root, split), exist_ok=True)
        images, annotations = [], []
        for i in range(count):
            canvas = _background(photos, size, rng)
            occupied = np.zeros((size, size), bool)
            objects = []
            for _ in range(int(rng.integers(1, 4))):
                obj_size = int(rng.integers(30, 56))
                if rng.random() < 0.5:
                    cat, (patch, mask) = 1, _coin_object(coins, rng, obj_size)
                else:
                    cat, (patch, mask) = 2, _digit_object(digits, rng, obj_size)
                h, w = mask.shape
                for _try in range(20):  # place without overlap
                    y = int(rng.integers(0, size - h + 1))
                    x = int(rng.integers(0, size - w + 1))
                    if not occupied[y:y + h, x:x + w].any():
                        break
                else:
                    continue
                full = np.zeros((size, size), bool)
                full[y:y + h, x:x + w] = mask
                region = canvas[y:y + h, x:x + w]
                region[mask] = patch[mask]
                occupied |= cv2.dilate(full.astype(np.uint8),
                                       np.ones((5, 5))).astype(bool)
                objects.append((cat, full))
            file_name = f'{split}_{i:04d}.jpg'
            cv2.imwrite(osp.join(root, split, file_name),
                        cv2.cvtColor(np.clip(canvas, 0, 255).astype(np.uint8),
                                     cv2.COLOR_RGB2BGR),
                        [cv2.IMWRITE_JPEG_QUALITY, 95])
            images.append(dict(id=i + 1, file_name=file_name, height=size,
                               width=size))
            for cat, full in objects:
                polys = _polygons(full)
                if not polys:
                    continue
                annotations.append(instance_record(
                    ann_id, i + 1, cat, polys, float(full.sum()), full))
                ann_id += 1
        write_coco(osp.join(root, 'annotations', f'instances_{split}.json'),
                   'pas-mm demo instance segmentation', images, annotations,
                   CATEGORIES, version=VERSION)
        log(f'coco {split}: {len(images)} images, {len(annotations)} '
            'instances (coin, digit)')


# ---------------------------------------------------------------- paired
def make_paired(out, photos, rng, n_train=96, n_test=24, size=128):
    """edges -> photo, like edges2shoes: A = Canny edges, B = the crop.
    Test crops come from the rightmost ``size`` columns of each photo and
    train crops from left of them, so the test pairs are unseen."""
    root = osp.join(out, 'paired')
    for split, count in (('train', n_train), ('test', n_test)):
        os.makedirs(osp.join(root, split), exist_ok=True)
        for i in range(count):
            name, photo = photos[i % len(photos)]
            h, w = photo.shape[:2]
            scale = 256 / min(h, w)
            photo = cv2.resize(photo, (int(w * scale), int(h * scale)),
                               interpolation=cv2.INTER_AREA)
            h, w = photo.shape[:2]
            if split == 'train':
                x = int(rng.integers(0, w - 2 * size + 1))
            else:
                x = w - size
            y = int(rng.integers(0, h - size + 1))
            crop = photo[y:y + size, x:x + size]
            gray = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
            edges = cv2.Canny(cv2.GaussianBlur(gray, (3, 3), 0), 60, 150)
            a = np.stack([255 - edges] * 3, -1)
            pair = np.concatenate([a, crop], 1)
            cv2.imwrite(osp.join(root, split, f'{i:04d}_{name}.png'),
                        cv2.cvtColor(pair, cv2.COLOR_RGB2BGR))
        log(f'paired {split}: {count} edge|photo pairs of {size}x{size}')


@one_line_errors
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/demo')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--force', action='store_true',
                        help='regenerate even if the data is up to date')
    args = parser.parse_args(argv)
    stamp = osp.join(args.out, 'VERSION')
    if not args.force and osp.isfile(stamp) and \
            open(stamp).read().strip() == str(VERSION):
        log(f'{args.out} is up to date (version {VERSION})')
        return
    # build next to the target and swap in: never a half-written dataset
    tmp = args.out.rstrip('/') + '.tmp'
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    digits, labels = load_digits()
    photos = load_photos()
    coins = load_coins()
    make_classification(tmp, digits, labels, np.random.default_rng(args.seed))
    make_coco(tmp, digits, coins, photos, np.random.default_rng(args.seed + 1))
    make_paired(tmp, photos, np.random.default_rng(args.seed + 2))
    with open(osp.join(tmp, 'VERSION'), 'w') as f:
        f.write(str(VERSION))
    shutil.rmtree(args.out, ignore_errors=True)
    os.replace(tmp, args.out)
    log(f'wrote {args.out}')


if __name__ == '__main__':
    sys.exit(exit_status(main()))
