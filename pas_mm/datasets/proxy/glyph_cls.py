"""Proxy classification data: 36 glyph classes at 32x32, drawn in
matplotlib's fonts over crops of scikit-image's photographs, with random
affine, colour, clutter, occlusion, blur and noise. Validation and test use
fonts that training never sees, so the task measures generalisation.
"""
import os
import os.path as osp
from typing import Dict

import cv2
import numpy as np

from .assets import (GLYPHS, HELD_OUT_FONTS, TRAIN_FONTS, contrasting_colour,
                     load_fonts, photo_crop, random_affine, render_glyph)

SIZE = 32
RENDER = 64  # drawn at twice the size, then area-downsampled
COUNTS = dict(train=200, val=40, test=60)  # images per class
# How hard the images are (calibrated in docs/benchmark.md).
STYLE = dict(
    background_contrast=0.5,  # photo crops blended towards their mean
    clutter=0.3,  # chance of a partial second glyph behind
    scale=(0.75, 1.0),  # glyph size as a share of the font's
    rotate=12,  # degrees
    shear=0.2,
    contrast=(0.2, 0.6),  # glyph vs. background luminance
    occlusion=0.25,  # chance of a bar or block over the glyph
    noise=8.0,  # largest std of the pixel noise
)


def class_folder(glyph: str) -> str:
    """Folder (= class) name; explicit case, so no two differ only in case."""
    return ('upper_' if glyph.isupper() else 'lower_') + glyph


def _occlude(img, alpha, rng):
    """Paint a random bar or block in a random colour over part of the
    glyph."""
    colour = tuple(float(c) for c in rng.uniform(0, 255, 3))
    ys, xs = np.nonzero(alpha > 0.5)
    if len(ys) == 0:
        return img
    k = int(rng.integers(len(ys)))
    cy, cx = int(ys[k]), int(xs[k])
    if rng.random() < 0.5:
        half = int(rng.integers(4, 10))
        cv2.rectangle(img, (cx - half, cy - half), (cx + half, cy + half),
                      colour, -1)
    else:
        angle = rng.uniform(0, np.pi)
        d = np.array([np.cos(angle), np.sin(angle)]) * RENDER
        p0 = (int(cx - d[0]), int(cy - d[1]))
        p1 = (int(cx + d[0]), int(cy + d[1]))
        cv2.line(img, p0, p1, colour, int(rng.integers(3, 7)))
    return img


def draw_sample(fonts, photos, glyph_idx: int, rng: np.random.Generator,
                style: Dict = None) -> np.ndarray:
    """One RGB uint8 image of class ``glyph_idx`` at SIZE x SIZE."""
    st = dict(STYLE, **(style or {}))
    img = photo_crop(photos, RENDER, rng, min_side=48)
    mean = img.reshape(-1, 3).mean(0)
    img = mean + st['background_contrast'] * (img - mean)
    # clutter: part of another glyph, pushed towards an edge, behind
    if rng.random() < st['clutter']:
        other = int(rng.integers(len(GLYPHS) - 1))
        other += other >= glyph_idx
        _, font = fonts[rng.integers(len(fonts))]
        a = random_affine(render_glyph(font, GLYPHS[other], RENDER), rng,
                          scale=(0.5, 0.8), rotate=30, shear=0.3, shift=0.45)
        c = contrasting_colour(img, rng, (0.1, 0.4))
        img = img * (1 - a[..., None]) + c * a[..., None]
    _, font = fonts[rng.integers(len(fonts))]
    alpha = render_glyph(font, GLYPHS[glyph_idx], RENDER)
    if rng.random() < 0.3:  # stroke weight
        k = np.ones((3, 3), np.uint8)
        alpha = (cv2.dilate if rng.random() < 0.5 else cv2.erode)(alpha, k)
    alpha = random_affine(alpha, rng, scale=st['scale'],
                          rotate=st['rotate'], shear=st['shear'], shift=0.08)
    colour = contrasting_colour(img, rng, st['contrast'])
    shade = rng.uniform(0.85, 1.15, (RENDER, RENDER, 1)).astype(np.float32)
    img = img * (1 - alpha[..., None]) + \
        np.clip(colour * shade, 0, 255) * alpha[..., None]
    if rng.random() < st['occlusion']:
        img = _occlude(np.ascontiguousarray(img), alpha, rng)
    img = cv2.resize(img, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
    if rng.random() < 0.5:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 0.9))
    img = img + rng.normal(0, rng.uniform(0, st['noise']), img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def make_glyph_classification(out: str, photos, seed: int = 0,
                              counts: Dict[str, int] = None,
                              style: Dict = None) -> Dict:
    """Write ``out/{train,val,test}/<class>/*.png`` (mmpretrain
    CustomDataset folders) and return a summary of what was written.

    Args:
        out (str): The output folder.
        photos (list): ``(name, RGB uint8 array)`` backgrounds.
        seed (int): Seed of the generator; the same seed writes the same
            bytes. Defaults to 0.
        counts (dict, optional): Images per class per split. Defaults to
            ``COUNTS``.
        style (dict, optional): Overrides of ``STYLE``. Defaults to None.
    """
    counts = dict(COUNTS, **(counts or {}))
    fonts = dict(train=load_fonts(TRAIN_FONTS, 48),
                 held_out=load_fonts(HELD_OUT_FONTS, 48))
    summary = dict(classes=len(GLYPHS), size=SIZE)
    for s, (split, n) in enumerate(counts.items()):
        rng = np.random.default_rng([seed, s])
        faces = fonts['train' if split == 'train' else 'held_out']
        for c, glyph in enumerate(GLYPHS):
            folder = osp.join(out, split, class_folder(glyph))
            os.makedirs(folder, exist_ok=True)
            for i in range(n):
                img = draw_sample(faces, photos, c, rng, style)
                cv2.imwrite(osp.join(folder, f'{i:04d}.png'),
                            cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
        summary[split] = n * len(GLYPHS)
    return summary
