"""The COCO instance annotations both generated datasets write (the demo's
``coco`` and the proxy benchmark's): one record per instance, one file
per split."""
import json

import numpy as np


def instance_record(ann_id: int, image_id: int, category_id: int, polys,
                    area: float, mask: np.ndarray) -> dict:
    """A COCO annotation: its polygons, area and the mask's bounding box
    ``[x, y, w, h]`` (inclusive pixel extent)."""
    ys, xs = np.nonzero(mask)
    x0, y0 = float(xs.min()), float(ys.min())
    return dict(id=ann_id, image_id=image_id, category_id=category_id,
                segmentation=polys, area=area,
                bbox=[x0, y0, float(xs.max() - x0 + 1),
                      float(ys.max() - y0 + 1)], iscrowd=0)


def write_coco(path: str, description: str, images, annotations,
               categories, **info) -> None:
    """One split's ``instances_<split>.json``."""
    with open(path, 'w') as f:
        json.dump(dict(info=dict(description=description, **info),
                       images=images, annotations=annotations,
                       categories=categories), f)
