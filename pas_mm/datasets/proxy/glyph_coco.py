"""Proxy instance segmentation data: 8 glyph categories as instances on
photographs, COCO json with boxes and polygon masks from the rendered
coverage. 2-6 instances per image at 16-64 px, later ones occluding earlier
ones (each mask is what stays visible), plus unannotated clutter glyphs of
other letters; val and test use fonts that training never sees.
"""
import os
import os.path as osp
from typing import Dict

import cv2
import numpy as np

from ..coco_writer import instance_record, write_coco
from .assets import (HELD_OUT_FONTS, TRAIN_FONTS, contrasting_colour,
                     load_fonts, photo_crop, random_affine, render_glyph)

CATEGORIES = tuple('ABEGKMRS')
CLUTTER = tuple('CDFHLNPTUXY')  # drawn, never annotated
SIZE = 128
COUNTS = dict(train=400, val=100, test=100)  # images
MIN_VISIBLE = 0.4  # an instance less visible than this is dropped
MIN_PIXELS = 40  # and one with fewer visible pixels (its polygon degenerates)


def _instance(font, glyph, rng, side):
    """(coverage, top-left) of a glyph ``side`` pixels tall, randomly
    warped, placed anywhere it fits in the image."""
    canvas = 96
    alpha = render_glyph(font, glyph, canvas)
    alpha = random_affine(alpha, rng, scale=(0.8, 1.0), rotate=20,
                          shear=0.2, shift=0.0)
    alpha = cv2.resize(alpha, (side, side), interpolation=cv2.INTER_AREA)
    y = int(rng.integers(0, SIZE - side + 1))
    x = int(rng.integers(0, SIZE - side + 1))
    return alpha, (y, x)


def _paste(img, alpha, pos, colour):
    y, x = pos
    h, w = alpha.shape
    region = img[y:y + h, x:x + w]
    a = alpha[..., None]
    img[y:y + h, x:x + w] = region * (1 - a) + colour * a


def _polygons(mask, up=4):
    """Outer contours of ``mask`` as COCO polygons. Traced on a copy
    upsampled ``up`` times, so that a contour through pixel centres lies
    within 1 / (2 up) of the pixel edges: traced on the mask itself, a
    2-pixel stroke would lose half its area. (COCO polygons cannot hold
    holes: a letter's counters are filled.)"""
    big = cv2.resize(mask.astype(np.uint8), None, fx=up, fy=up,
                     interpolation=cv2.INTER_NEAREST)
    contours, _ = cv2.findContours(big, cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_SIMPLE)
    return [((c.reshape(-1).astype(float) + 0.5) / up).round(3).tolist()
            for c in contours if len(c) >= 3]


def _polygon_area(polys):
    """The area pycocotools (CocoMetric) gives the polygons."""
    from pycocotools import mask as mask_utils
    rles = mask_utils.frPyObjects(polys, SIZE, SIZE)
    return float(mask_utils.area(mask_utils.merge(rles)))


def draw_image(fonts, photos, rng):
    """(RGB uint8 image, [(category index, visible mask)])."""
    img = photo_crop(photos, SIZE, rng, min_side=96)
    for _ in range(int(rng.integers(0, 4))):  # clutter, behind everything
        _, font = fonts[rng.integers(len(fonts))]
        alpha, pos = _instance(font, CLUTTER[rng.integers(len(CLUTTER))],
                               rng, int(rng.integers(16, 48)))
        _paste(img, alpha, pos, contrasting_colour(img, rng, (0.1, 0.4)))
    objects = []
    for _ in range(int(rng.integers(2, 7))):
        cat = int(rng.integers(len(CATEGORIES)))
        _, font = fonts[rng.integers(len(fonts))]
        side = int(np.exp(rng.uniform(np.log(16), np.log(64))))
        alpha, (y, x) = _instance(font, CATEGORIES[cat], rng, side)
        full = np.zeros((SIZE, SIZE), np.float32)
        full[y:y + side, x:x + side] = alpha
        mask = full > 0.5
        if mask.sum() < 12:
            continue
        _paste(img, alpha, (y, x), contrasting_colour(img, rng, (0.25, 0.6)))
        objects = [(c, m & ~mask, area) for c, m, area in objects]
        objects.append((cat, mask, int(mask.sum())))
    kept = [(c, m) for c, m, area in objects
            if m.sum() >= max(MIN_PIXELS, MIN_VISIBLE * area)]
    img = img + rng.normal(0, rng.uniform(0, 6), img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8), kept


def make_glyph_coco(out: str, photos, seed: int = 0,
                    counts: Dict[str, int] = None) -> Dict:
    """Write ``out/{train,val,test}/*.jpg`` and
    ``out/annotations/instances_{split}.json`` (COCO, polygons) and return
    a summary.

    Args:
        out (str): The output folder.
        photos (list): ``(name, RGB uint8 array)`` backgrounds.
        seed (int): Seed; the same seed writes the same bytes.
            Defaults to 0.
        counts (dict, optional): Images per split. Defaults to ``COUNTS``.
    """
    counts = dict(COUNTS, **(counts or {}))
    fonts = dict(train=load_fonts(TRAIN_FONTS, 72),
                 held_out=load_fonts(HELD_OUT_FONTS, 72))
    categories = [dict(id=i + 1, name=f'glyph_{g}')
                  for i, g in enumerate(CATEGORIES)]
    os.makedirs(osp.join(out, 'annotations'), exist_ok=True)
    summary = dict(categories=len(CATEGORIES), size=SIZE)
    for s, (split, n) in enumerate(counts.items()):
        rng = np.random.default_rng([seed, 100 + s])
        faces = fonts['train' if split == 'train' else 'held_out']
        os.makedirs(osp.join(out, split), exist_ok=True)
        images, annotations = [], []
        for i in range(n):
            img, objects = draw_image(faces, photos, rng)
            name = f'{split}_{i:05d}.jpg'
            cv2.imwrite(osp.join(out, split, name),
                        cv2.cvtColor(img, cv2.COLOR_RGB2BGR),
                        [cv2.IMWRITE_JPEG_QUALITY, 95])
            images.append(dict(id=i + 1, file_name=name, height=SIZE,
                               width=SIZE))
            for cat, mask in objects:
                polys = _polygons(mask)
                if not polys:
                    continue
                annotations.append(instance_record(
                    len(annotations) + 1, i + 1, cat + 1, polys,
                    _polygon_area(polys), mask))
        write_coco(osp.join(out, 'annotations', f'instances_{split}.json'),
                   'pas-mm proxy instance segmentation', images,
                   annotations, categories)
        summary[split] = dict(images=n, instances=len(annotations))
    return summary
