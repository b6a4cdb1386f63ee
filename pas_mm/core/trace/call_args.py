"""Reading the arguments of an intercepted torch call."""
import torch
from torch import nn


def arg(args, kwargs, pos, key):
    """Argument ``key`` of a call, given by keyword or at position ``pos``."""
    if key in kwargs:
        return kwargs[key]
    return args[pos] if len(args) > pos else None


def flatten_tensors(obj):
    """Every tensor inside nested lists, tuples, dicts and mm data samples."""
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from flatten_tensors(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from flatten_tensors(v)
    elif hasattr(obj, '__dict__') and not isinstance(obj, nn.Module) and \
            type(obj).__module__.startswith('mm'):
        yield from flatten_tensors(vars(obj))  # mm data samples


def full_index(index, ndim: int) -> tuple:
    """A basic ``x[index]`` spelt out for an ``ndim``-dim tensor: a tuple
    with the Ellipsis expanded (``None`` takes no dim) and the trailing
    dims filled with ``slice(None)``."""
    if not isinstance(index, tuple):
        index = (index, )
    if Ellipsis in index:
        k = index.index(Ellipsis)
        fill = ndim - (len(index) - 1 - index.count(None))
        index = index[:k] + (slice(None), ) * fill + index[k + 1:]
    used = len(index) - index.count(None)
    return index + (slice(None), ) * (ndim - used)
