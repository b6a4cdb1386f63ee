"""Train in the channels_last (NHWC) memory format."""
import copy

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from pas_mm.registry import HOOKS
from .pas_search_hook import release_wrapper


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Convert the model's 4-D weights to ``torch.channels_last`` before
    training (``tools/train.py --channels-last`` adds it).

    Convolutions then run in NHWC, which GPU tensor cores prefer under AMP;
    inputs need no change (a conv with channels_last weights returns
    channels_last outputs). An in-place export keeps the format of the
    sliced weights. A distributed model is re-wrapped after the conversion,
    so that DDP's gradient buckets match the new strides.

    Example:
        >>> custom_hooks = [dict(type='pas_mm.ChannelsLastHook')]
    """
    priority = 'VERY_HIGH'  # before PaSSearchHook, which may re-wrap too

    def before_train(self, runner) -> None:
        wrapped = is_model_wrapper(runner.model)
        model = release_wrapper(runner)
        model.to(memory_format=torch.channels_last)
        if wrapped:
            cfg = copy.deepcopy(runner.cfg.get('model_wrapper_cfg'))
            runner.model = runner.wrap_model(cfg, model)
        runner.logger.info('PaS: training in channels_last memory format')
