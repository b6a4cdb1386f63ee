from .checkpoint import (check_checkpoint_keys, check_checkpoint_shapes,
                         load_architecture_weights, read_checkpoint)
from .extra_state import decode_extra_state, encode_extra_state
from .head_adapters import MMPRETRAIN_MHA
from .inputs import trace_fn, trace_inputs
from .width_adapters import SWIN_BACKBONES

__all__ = ['load_architecture_weights', 'trace_fn', 'trace_inputs',
           'read_checkpoint', 'check_checkpoint_keys',
           'check_checkpoint_shapes', 'encode_extra_state',
           'decode_extra_state', 'MMPRETRAIN_MHA', 'SWIN_BACKBONES']
