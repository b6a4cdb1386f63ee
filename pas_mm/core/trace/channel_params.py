"""Channel parameters: module parameters that act on a traced channel dim
outside any layer, sliced with their group at export.

A ViT concatenates a class token to its tokens and adds a position
embedding; a ConvNeXt or CaiT block multiplies its branch by a layer
scale. Each is a parameter that fills the channel dim of the residual
stream. Without ``prune_residual`` the tracer pins such a group; with it,
:class:`ParamViews` follows every view of a parameter (expand, reshape,
index, permute, dtype casts) so that, where the view meets a traced
tensor, it knows which dim of the parameter holds the channels, and
records a :class:`ChannelParam` instead.
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import torch
from torch import nn

from .call_args import full_index
from .graph import Layout, merge_layouts
from .ops import OpClass

# casts and copies: the same dims
_SAME_DIMS = {'to', 'type', 'type_as', 'contiguous', 'clone', 'float',
              'half', 'double', 'bfloat16', 'detach', 'cpu', 'cuda'}
_FLAT = {'view', 'reshape', 'flatten', 'squeeze', 'unsqueeze', 'view_as',
         'reshape_as', 'unflatten'}


@dataclass
class ChannelParam:
    """A parameter whose dim ``dim`` holds the channels of ``layout``.

    Args:
        module (str): the name of the module that holds it.
        attr (str): its attribute name there.
        dim (int): the parameter's channel dim.
        layout (Layout): the channels it acts on.
    """
    module: str
    attr: str
    dim: int
    layout: Layout


Dims = Tuple[Optional[int], ...]  # per tensor dim: the parameter's dim


class ParamViews:
    """Views of a model's parameters during one trace.

    Args:
        model (nn.Module): the traced model.
    """

    def __init__(self, model: nn.Module):
        self.source: Dict[int, Tuple[str, str]] = {}
        for name, module in model.named_modules():
            for attr, p in module.named_parameters(recurse=False):
                self.source.setdefault(id(p), (name, attr))
        self._views = {}  # id(view) -> (view, (module, attr), dims)
        self.params: List[ChannelParam] = []

    def lookup(self, t) -> Optional[Tuple[Tuple[str, str], Dims]]:
        """(source, dims) of a parameter or a view of one, else None."""
        if not isinstance(t, torch.Tensor):
            return None
        if isinstance(t, nn.Parameter) and id(t) in self.source:
            return self.source[id(t)], tuple(range(t.dim()))
        entry = self._views.get(id(t))
        if entry is None or entry[0] is not t:
            return None
        return entry[1], entry[2]

    def follow(self, name: str, cls: OpClass, args, kwargs, out) -> None:
        """Record ``out`` as a view when the op is a view-like op of a
        parameter (or of a view of one)."""
        if not args or not isinstance(out, torch.Tensor):
            return
        found = self.lookup(args[0])
        if found is None:
            return
        x = args[0]
        dims = _view_dims(name, cls, args, kwargs, x, out, found[1])
        if dims is not None:
            self._views[id(out)] = (out, found[0], dims)

    def record(self, t: torch.Tensor, tensor_dim: int,
               layout: Layout) -> bool:
        """``t``'s dim ``tensor_dim`` meets the channels of ``layout``:
        record the parameter under it. False when ``t`` is no parameter
        view, or its parameter already acts on another dim."""
        found = self.lookup(t)
        if found is None or tensor_dim < 0:
            return False
        (module, attr), dims = found
        pdim = dims[tensor_dim]
        if pdim is None:
            return False
        for known in self.params:
            if (known.module, known.attr) == (module, attr):
                if known.dim != pdim:
                    return False
                merge_layouts(known.layout, layout.with_dim(known.layout.dim),
                              f'channel parameter {module}.{attr}')
                return True
        self.params.append(ChannelParam(module, attr, pdim, layout))
        return True

    def release(self) -> None:
        """Forget the views (the trace is over)."""
        self._views.clear()


def _view_dims(name, cls, args, kwargs, x, out, dims) -> Optional[Dims]:
    """The parameter dims under ``out``'s dims, or None when ``out`` is
    not a plain view of ``x``."""
    if cls is OpClass.UNARY and name in _SAME_DIMS and out.shape == x.shape:
        return dims
    if name == 'permute':
        order = args[1:] if len(args) > 2 or not isinstance(
            args[1], (list, tuple)) else args[1]
        return tuple(dims[d % x.dim()] for d in order)
    if name in ('transpose', 'swapaxes', 'swapdims'):
        a, b = (int(args[1]) % x.dim(), int(args[2]) % x.dim())
        new = list(dims)
        new[a], new[b] = new[b], new[a]
        return tuple(new)
    if name in ('expand', 'expand_as'):
        lead = out.dim() - x.dim()
        return tuple(
            dims[i - lead] if i >= lead and
            x.shape[i - lead] == out.shape[i] else None
            for i in range(out.dim()))
    if name in _FLAT:
        return _flat_dims(x, out, dims)
    if cls is OpClass.GETITEM and len(args) > 1:
        return _index_dims(x, args[1], dims)
    return None


def _flat_dims(x, out, dims) -> Optional[Dims]:
    """A reshape that only adds or drops dims of size 1 keeps the others
    in order; anything else is not followed."""
    kept = [(n, d) for n, d in zip(x.shape, dims) if n != 1]
    if [n for n in out.shape if n != 1] != [n for n, _ in kept]:
        return None
    it = iter(kept)
    return tuple(None if n == 1 else next(it)[1] for n in out.shape)


def _index_dims(x, index, dims) -> Optional[Dims]:
    """Basic indexing: an int drops a dim, None adds one, a slice keeps a
    dim (its channels only when it keeps them all)."""
    if not isinstance(index, tuple):
        index = (index, )
    if any(isinstance(i, (torch.Tensor, list, bool)) for i in index):
        return None
    index = full_index(index, x.dim())
    out, d = [], 0
    for i in index:
        if i is None:
            out.append(None)
        elif isinstance(i, int):
            d += 1
        elif isinstance(i, slice):
            whole = i.indices(x.shape[d]) == (0, x.shape[d], 1)
            out.append(dims[d] if whole else None)
            d += 1
        else:
            return None
    return tuple(out) + tuple(dims[d:])
