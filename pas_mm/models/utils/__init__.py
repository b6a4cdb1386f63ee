from .checkpoint import load_architecture_weights
from .inputs import trace_fn, trace_inputs

__all__ = ['load_architecture_weights', 'trace_fn', 'trace_inputs']
