from .checkpoint import (check_checkpoint_keys, load_architecture_weights,
                         read_checkpoint)
from .inputs import trace_fn, trace_inputs

__all__ = ['load_architecture_weights', 'trace_fn', 'trace_inputs',
           'read_checkpoint', 'check_checkpoint_keys']
