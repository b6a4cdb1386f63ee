"""Real assets that ship inside PyPI packages, for the proxy benchmark data:
the TrueType fonts of matplotlib and the photographs of scikit-image.

Nothing here downloads; a missing asset is an error that names it.
"""
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np

# Glyph classes: the 26 capitals and 10 lower-case letters whose shapes
# differ from every capital in most fonts (no c/o/s/v/w/x/z look-alikes).
GLYPHS = tuple('ABCDEFGHIJKLMNOPQRSTUVWXYZ') + tuple('abdefghnrt')

# Fonts are split by family and style, so that validation and test glyphs
# are drawn in faces the network never saw in training.
TRAIN_FONTS = (
    'DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf',
    'DejaVuSansMono.ttf', 'DejaVuSansMono-Bold.ttf',
    'DejaVuSansMono-BoldOblique.ttf', 'DejaVuSerif.ttf',
    'DejaVuSerif-Bold.ttf', 'DejaVuSerif-Italic.ttf', 'STIXGeneral.ttf',
    'STIXGeneralBol.ttf', 'STIXGeneralBolIta.ttf', 'cmr10.ttf', 'cmb10.ttf',
    'cmtt10.ttf', 'cmmi10.ttf')
HELD_OUT_FONTS = (
    'DejaVuSans-BoldOblique.ttf', 'DejaVuSansMono-Oblique.ttf',
    'DejaVuSerif-BoldItalic.ttf', 'STIXGeneralItalic.ttf', 'cmss10.ttf',
    'cmti10.ttf')

COLOUR_PHOTOS = ('astronaut', 'cat', 'chelsea', 'coffee', 'colorwheel',
                 'hubble_deep_field', 'immunohistochemistry', 'retina',
                 'rocket')
GRAY_PHOTOS = ('brick', 'camera', 'clock', 'grass', 'gravel', 'moon', 'cell',
               'page', 'text')


class AssetError(RuntimeError):
    """A packaged asset the proxy data needs is missing."""


def font_dir() -> str:
    import matplotlib
    return osp.join(osp.dirname(matplotlib.__file__), 'mpl-data', 'fonts',
                    'ttf')


def load_fonts(names: Sequence[str], size: int) -> List[Tuple[str, object]]:
    """PIL fonts of matplotlib's TrueType files, each checked to carry a
    glyph for every class (a font without one would draw a blank box)."""
    from matplotlib.ft2font import FT2Font
    from PIL import ImageFont
    fonts = []
    for name in names:
        path = osp.join(font_dir(), name)
        if not osp.isfile(path):
            raise AssetError(f'matplotlib font {name} not found in '
                             f'{font_dir()}')
        ft = FT2Font(path)
        missing = [g for g in GLYPHS if ft.get_char_index(ord(g)) == 0]
        if missing:
            raise AssetError(f'font {name} lacks glyphs {missing}')
        fonts.append((name, ImageFont.truetype(path, size)))
    return fonts


def load_photos() -> List[Tuple[str, np.ndarray]]:
    """scikit-image's bundled photographs as RGB uint8; grey ones are kept
    grey here and tinted per crop by :func:`photo_crop`."""
    from skimage import data
    photos = []
    for name in COLOUR_PHOTOS + GRAY_PHOTOS:
        try:
            img = np.asarray(getattr(data, name)())
        except Exception as e:  # a bundled file that is gone
            raise AssetError(f'scikit-image photo {name!r} cannot be '
                             f'loaded: {type(e).__name__}: {e}')
        if img.ndim == 2:
            img = np.stack([img] * 3, -1)
        photos.append((name, np.ascontiguousarray(img[..., :3])))
    return photos


def photo_crop(photos, size: int, rng: np.random.Generator,
               min_side: int = None) -> np.ndarray:
    """A random square crop of a random photo, resized to ``size``, with a
    random colour tint (float32 RGB in [0, 255])."""
    name, photo = photos[rng.integers(len(photos))]
    h, w = photo.shape[:2]
    lo = min(min_side or size, min(h, w))
    side = int(rng.integers(lo, min(h, w) + 1))
    y = int(rng.integers(0, h - side + 1))
    x = int(rng.integers(0, w - side + 1))
    crop = cv2.resize(photo[y:y + side, x:x + side], (size, size),
                      interpolation=cv2.INTER_AREA).astype(np.float32)
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    tint = rng.uniform(0.6, 1.2, size=3).astype(np.float32)
    return np.clip(crop * tint, 0, 255)


def render_glyph(font, glyph: str, canvas: int) -> np.ndarray:
    """The glyph's coverage (float32 in [0, 1]) centred on a square canvas."""
    from PIL import Image, ImageDraw
    img = Image.new('L', (canvas, canvas), 0)
    draw = ImageDraw.Draw(img)
    x0, y0, x1, y1 = draw.textbbox((0, 0), glyph, font=font)
    draw.text(((canvas - (x1 - x0)) / 2 - x0, (canvas - (y1 - y0)) / 2 - y0),
              glyph, fill=255, font=font)
    return np.asarray(img, np.float32) / 255.0


def random_affine(alpha: np.ndarray, rng: np.random.Generator,
                  scale: Tuple[float, float], rotate: float, shear: float,
                  shift: float) -> np.ndarray:
    """Warp a coverage map by a random rotation, scale, shear and shift."""
    size = alpha.shape[0]
    angle = np.deg2rad(rng.uniform(-rotate, rotate))
    s = rng.uniform(*scale)
    sh = rng.uniform(-shear, shear)
    rot = np.array([[np.cos(angle), -np.sin(angle)],
                    [np.sin(angle), np.cos(angle)]]) * s
    mat = rot @ np.array([[1.0, sh], [0.0, 1.0]])
    centre = np.array([size / 2, size / 2])
    offset = centre - mat @ centre + rng.uniform(-shift, shift, 2) * size
    return cv2.warpAffine(alpha, np.hstack([mat, offset[:, None]]),
                          (size, size), flags=cv2.INTER_LINEAR)


def contrasting_colour(background: np.ndarray, rng: np.random.Generator,
                       contrast: Tuple[float, float]) -> np.ndarray:
    """A random RGB colour whose luminance differs from the background's
    mean by a random amount in ``contrast`` (fractions of 255)."""
    lum = np.array([0.299, 0.587, 0.114], np.float32)
    bg = float(background.reshape(-1, 3).mean(0) @ lum)
    gap = rng.uniform(*contrast) * 255
    brighter = bg + gap <= 255 and (bg - gap < 0 or rng.random() < 0.5)
    target = bg + gap if brighter else bg - gap
    colour = rng.uniform(0, 255, 3).astype(np.float32)
    colour += target - float(colour @ lum)  # shift to the target luminance
    return np.clip(colour, 0, 255)


def font_names() -> Dict[str, Tuple[str, ...]]:
    return dict(train=TRAIN_FONTS, held_out=HELD_OUT_FONTS)
