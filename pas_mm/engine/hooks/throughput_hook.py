"""Log images per second next to mmengine's time, ETA and memory."""
from typing import Optional

import torch
from mmengine.dist import get_world_size
from mmengine.hooks import Hook

from pas_mm.registry import HOOKS


def batch_size_of(data_batch) -> Optional[int]:
    """Samples in one data batch (a tensor, a list of images, or a dict of
    them, as mmpretrain, mmdet and mmagic hand them to the model)."""
    inputs = data_batch.get('inputs') if isinstance(data_batch, dict) \
        else None
    if isinstance(inputs, dict):  # mmagic: {'img_a': ..., 'img_b': ...}
        inputs = next(iter(inputs.values()), None)
    if isinstance(inputs, torch.Tensor):
        return int(inputs.shape[0]) if inputs.dim() > 0 else None
    if isinstance(inputs, (list, tuple)):
        return len(inputs)
    return None


@HOOKS.register_module()
class ThroughputHook(Hook):
    """Add ``img_per_s`` (all ranks together) to the training log.

    It reads the iteration time that mmengine's ``IterTimerHook`` has just
    recorded and the batch size of the data batch, so the log line of a
    long run shows images/s with the ETA, the GPU memory, the MACs ratio
    and the budget loss.

    Example:
        >>> custom_hooks = [dict(type='pas_mm.ThroughputHook')]
    """
    priority = 55  # after IterTimerHook (NORMAL), before LoggerHook

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        batch = batch_size_of(data_batch)
        hub = runner.message_hub
        if batch is None or 'train/time' not in hub.log_scalars:
            return
        seconds = hub.get_scalar('train/time').current()
        if seconds > 0:
            hub.update_scalar('train/img_per_s',
                              batch * get_world_size() / seconds)
