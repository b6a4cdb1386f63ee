"""Proxy image translation data: glyph outlines -> filled, patterned
glyphs. Each of 8 letters has its own colour and stripe direction, so the
generator must recognise the letter from its outline to paint it; val and
test draw the letters in fonts that training never sees. Pairs are written
side by side (A | B) for mmagic's PairedImageDataset.
"""
import os
import os.path as osp
from typing import Dict

import cv2
import numpy as np

from .assets import (HELD_OUT_FONTS, TRAIN_FONTS, load_fonts, random_affine,
                     render_glyph)

LETTERS = tuple('ABEGKMRS')
SIZE = 128
COUNTS = dict(train=320, val=40, test=80)  # pairs


def _pattern(index):
    """The class's fill: its hue and stripe angle, as an RGB image."""
    hue = np.uint8(180 * index / len(LETTERS))
    colour = cv2.cvtColor(np.array([[[hue, 200, 230]]], np.uint8),
                          cv2.COLOR_HSV2RGB)[0, 0].astype(np.float32)
    angle = np.pi * index / len(LETTERS)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    stripes = 0.5 + 0.5 * np.sin((xx * np.cos(angle) + yy * np.sin(angle))
                                 * 2 * np.pi / 10)
    return colour * (0.55 + 0.45 * stripes[..., None])


PATTERNS = None


def draw_pair(fonts, rng):
    """(A: outlines, B: painted glyphs), RGB uint8, SIZE x SIZE each."""
    global PATTERNS
    if PATTERNS is None:
        PATTERNS = [_pattern(i) for i in range(len(LETTERS))]
    a = np.full((SIZE, SIZE, 3), 255, np.float32)
    b = np.full((SIZE, SIZE, 3), 235, np.float32)
    for _ in range(int(rng.integers(1, 4))):
        k = int(rng.integers(len(LETTERS)))
        _, font = fonts[rng.integers(len(fonts))]
        side = int(rng.integers(48, 96))
        alpha = random_affine(render_glyph(font, LETTERS[k], 96), rng,
                              scale=(0.8, 1.0), rotate=15, shear=0.15,
                              shift=0.0)
        alpha = cv2.resize(alpha, (side, side), interpolation=cv2.INTER_AREA)
        y = int(rng.integers(0, SIZE - side + 1))
        x = int(rng.integers(0, SIZE - side + 1))
        full = np.zeros((SIZE, SIZE), np.float32)
        full[y:y + side, x:x + side] = alpha
        mask = (full > 0.5).astype(np.uint8)
        edge = cv2.morphologyEx(mask, cv2.MORPH_GRADIENT,
                                np.ones((3, 3), np.uint8)).astype(bool)
        b = b * (1 - full[..., None]) + PATTERNS[k] * full[..., None]
        a[mask.astype(bool)] = 255  # a later glyph hides what is under it
        a[edge] = 0
    return a.astype(np.uint8), np.clip(np.rint(b), 0, 255).astype(np.uint8)


def make_glyph_paired(out: str, photos=None, seed: int = 0,
                      counts: Dict[str, int] = None) -> Dict:
    """Write ``out/{train,val,test}/*.png`` (A | B side by side) and return
    a summary.

    Args:
        out (str): The output folder.
        photos: unused (the same signature as the other parts).
        seed (int): Seed; the same seed writes the same bytes.
            Defaults to 0.
        counts (dict, optional): Pairs per split. Defaults to ``COUNTS``.
    """
    counts = dict(COUNTS, **(counts or {}))
    fonts = dict(train=load_fonts(TRAIN_FONTS, 72),
                 held_out=load_fonts(HELD_OUT_FONTS, 72))
    summary = dict(letters=len(LETTERS), size=SIZE)
    for s, (split, n) in enumerate(counts.items()):
        rng = np.random.default_rng([seed, 200 + s])
        faces = fonts['train' if split == 'train' else 'held_out']
        os.makedirs(osp.join(out, split), exist_ok=True)
        for i in range(n):
            a, b = draw_pair(faces, rng)
            cv2.imwrite(osp.join(out, split, f'{i:05d}.png'),
                        cv2.cvtColor(np.concatenate([a, b], 1),
                                     cv2.COLOR_RGB2BGR))
        summary[split] = n
    return summary
