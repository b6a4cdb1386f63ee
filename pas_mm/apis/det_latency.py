"""What a detector's latency is timed on: real val images, and the part
PaS prunes.

- ``'backbone+fpn'`` (the primary figure): ``extract_feat`` on the
  pre-processed images: the search scope, nothing else;
- ``'test_step'`` (secondary): the whole test step on the same images,
  with the heads' work fixed (``fix_head_work``): every detector's RPN
  keeps the same number of proposals and its RoI head the same number of
  detections, so the timing does not count how many boxes a model finds.
"""
from typing import Callable, Dict

import torch

from pas_mm.core import PaSError

# the RPN keeps 100 proposals per image; the RoI head the 50 best
# detections, whatever their score (the mask head then sees 50 boxes)
FIXED_HEAD_WORK = dict(rpn=dict(max_per_img=100),
                       rcnn=dict(score_thr=0.0, max_per_img=50))


def real_images(cfg, batch: int, split: str = 'val') -> dict:
    """The first ``batch`` images of the config's ``split`` dataset,
    through its own pipeline, collated as its data loader would."""
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import DATASETS
    loader = cfg.get(f'{split}_dataloader')
    if not loader:
        raise PaSError(f'the config has no {split}_dataloader to take '
                       'real images from')
    dataset = DATASETS.build(loader['dataset'])
    if not len(dataset):
        raise PaSError(f'the {split} split has no images to time on')
    # a split smaller than the batch is cycled through
    return pseudo_collate([dataset[i % len(dataset)] for i in range(batch)])


def fix_head_work(model) -> None:
    """Set a two-stage detector's test-time box counts to
    ``FIXED_HEAD_WORK`` (in place)."""
    for head, key in (('rpn_head', 'rpn'), ('roi_head', 'rcnn')):
        cfg = getattr(getattr(model, head, None), 'test_cfg', None)
        if cfg is None:
            raise PaSError(f'{type(model).__name__} has no {head}.test_cfg '
                           'to fix the head work of')
        cfg.update(FIXED_HEAD_WORK[key])


def detector_runs(model, cfg, batch: int) -> Dict[str, Callable[[], object]]:
    """``{'backbone+fpn': fn, 'test_step': fn}``: no-argument callables
    timing ``model`` on ``batch`` real val images."""
    data = real_images(cfg, batch)
    with torch.no_grad():
        inputs = model.data_preprocessor(data, False)['inputs']
    fix_head_work(model)
    return {'backbone+fpn': lambda: model.extract_feat(inputs),
            'test_step': lambda: model.test_step(data)}
