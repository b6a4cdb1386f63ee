"""How the channel tracer follows parameter-free ops.

Unary ops pass a layout on; element-wise ops merge layouts; cat joins
segments; view/permute/reductions move the channel dim; splits and slices
pin what they cut, except a split by sizes its module keeps as an
attribute (updated at export). Everything else raises UnsupportedOpError.

With ``prune_residual`` a parameter view that meets a traced tensor (a
class token, a position embedding, a layer scale) is recorded to be
sliced instead of pinning the group. A reshape that merges leading dims
into the channel dim (Swin's patch merging) repeats the layout; one that
splits the channel dim into slots (ResNeSt's radix) ties the slots.
"""
import math
from typing import Optional

import torch
from torch import nn

from ..errors import UnsupportedOpError
from .call_args import arg as _arg
from .call_args import flatten_tensors as _flatten
from .call_args import full_index
from .channel_params import ParamViews
from .graph import FreeCall, Layout, SplitSizes, merge_layouts, slice_layout
from .op_costs import free_op_cost
from .ops import OpClass
from .trace_state import TraceState


class FreeOpRules:
    """Layout rules for parameter-free ops.

    Args:
        state (TraceState): the trace's layouts, nodes and free calls, read
            and written by every rule.
        param_views (ParamViews, optional): the parameter views of the
            trace when residual widths are searched (``prune_residual``);
            None pins what they would record. Default: None.
        model (nn.Module, optional): the traced model, whose modules may
            keep the sizes of a channel split. Default: None.
    """

    def __init__(self, state: TraceState,
                 param_views: Optional[ParamViews] = None,
                 model: Optional[nn.Module] = None):
        self.state = state
        self.param_views = param_views
        self.model = model

    def apply(self, func, name: str, cls: OpClass, args, kwargs, out,
              tracked) -> None:
        """Propagate the layouts of ``tracked`` [(tensor, layout)] inputs of
        ``func`` (of class ``cls``) to its output ``out``."""
        x, lay = tracked[0]
        if name in ('max', 'min') and len(list(_flatten((args, kwargs)))) == 1:
            # x.max(dim) is a reduction, max(a, b) element-wise
            name, cls = 'amax', OpClass.REDUCTION
        if cls is OpClass.UNARY:
            self.unary(name, args, kwargs, tracked, out)
        elif cls is OpClass.BINARY:
            self.elementwise(name, args, kwargs, tracked, out)
        elif cls is OpClass.CONCAT:
            self.concat(name, args, kwargs, out)
        elif cls is OpClass.RESHAPE:
            self.reshape(name, x, lay, args, kwargs, out)
        elif cls is OpClass.REDUCTION:
            self.reduction(name, x, lay, args, kwargs, out)
        elif cls is OpClass.DIM:
            dim = _arg(args, kwargs, 1, 'dim')
            if dim is None or dim % x.dim() == lay.dim:
                self.pin_all([t_lay for _, t_lay in tracked],
                             f'{name} across channels in {self.here()!r}')
            elif isinstance(out, torch.Tensor) and out.shape == x.shape:
                self.set(out, lay)
        elif cls is OpClass.MIXING:
            self.pin_all([t_lay for _, t_lay in tracked],
                         f'{name} mixes channels in {self.here()!r}')
        elif cls is OpClass.SPLIT:
            self.split(name, x, lay, args, kwargs, out)
        elif cls is OpClass.GETITEM:
            self.getitem(x, lay, args[1], out)
        else:
            raise UnsupportedOpError(
                f'the channel tracer does not know op {name!r} (called in '
                f'module {self.here()!r}); pass exclude=[{self.here()!r}] '
                'to leave that module unpruned')

    # the state, under short names
    def here(self) -> str:
        return self.state.here()

    def get(self, t):
        return self.state.get(t)

    def set(self, t, layout: Layout) -> None:
        self.state.set(t, layout)

    def pin_all(self, layouts, reason: str) -> None:
        self.state.pin_all(layouts, reason)

    def unary(self, name, args, kwargs, tracked, out):
        x, lay = tracked[0]
        res = out[0] if isinstance(out, (tuple, list)) else out
        if len(tracked) > 1:  # e.g. pow(x, y): element-wise between tensors
            return self.elementwise(name, args, kwargs, tracked, out)
        if not isinstance(res, torch.Tensor):
            return  # x.shape, x.dtype, ...: no channels flow on
        if name == 'pad':
            pads = _arg(args, kwargs, 1, 'pad')
            padded_dims = [x.dim() - 1 - i // 2 for i, p in enumerate(pads)
                           if p]
            if lay.dim in padded_dims:
                self.pin_all([lay], f'pad of the channel dim in '
                             f'{self.here()!r}')
                return
        if isinstance(res, torch.Tensor) and res.dim() == x.dim() and \
                res.shape[lay.dim] == x.shape[lay.dim]:
            self.set(res, lay)
            cost = free_op_cost(name, args, kwargs, x, res, lay.dim,
                                self.state.batch)
            if cost is not None:
                self.state.free_calls.append(FreeCall(name, lay, cost))
        else:
            self.pin_all([lay], f'{name} changed the channels in '
                         f'{self.here()!r}')

    def elementwise(self, name, args, kwargs, tracked, out):
        if not isinstance(out, torch.Tensor):
            return
        reason = f'{name} in {self.here()!r}'
        merged = None
        for t, lay in tracked:
            from_right = t.dim() - lay.dim
            if t.shape[lay.dim] == 1:
                continue  # broadcast along channels: nothing to couple
            out_dim = out.dim() - from_right
            if out_dim < 0 or out.shape[out_dim] != t.shape[lay.dim]:
                self.pin_all([lay], reason)
                continue
            lay = lay.with_dim(out_dim)
            if merged is None:
                merged = lay
            elif merged.dim != lay.dim:
                self.pin_all([merged, lay], reason)
            else:
                merged = merge_layouts(merged, lay, reason)
        if merged is None:
            return
        # a plain tensor that fills the channel dim (e.g. a learned scale that
        # is not a module parameter) cannot be sliced with the group
        from_right = out.dim() - merged.dim
        for t in _flatten((args, kwargs)):
            if self.get(t) is None and t.dim() >= from_right and \
                    t.shape[t.dim() - from_right] == out.shape[merged.dim] > 1:
                if self.param_views is not None and self.param_views.record(
                        t, t.dim() - from_right, merged):
                    continue  # a layer scale or position embedding
                self.pin_all([merged], f'{name} with an untracked '
                             f'per-channel tensor in {self.here()!r}')
        self.set(out, merged)

    def concat(self, name, args, kwargs, out):
        tensors = list(args[0]) if args else list(kwargs['tensors'])
        dim = _arg(args, kwargs, 1, 'dim') or 0
        ref = next(t for t in tensors if self.get(t) is not None)
        dim = dim % ref.dim()
        layouts = [self.get(t) for t in tensors]
        if name == 'stack':
            lays = [lay for lay in layouts if lay is not None]
            merged = lays[0]
            for lay in lays[1:]:
                merged = merge_layouts(merged, lay,
                                       f'stack in {self.here()!r}')
            if len(lays) != len(tensors):
                self.pin_all(lays, 'stack with untracked tensors')
            cdim = merged.dim + 1 if dim <= merged.dim else merged.dim
            self.set(out, merged.with_dim(cdim))
            return
        cdims = {lay.dim for lay in layouts if lay is not None}
        if cdims == {dim}:
            segments = []
            for t, lay in zip(tensors, layouts):
                if lay is None:  # e.g. a constant map: a pinned segment
                    node = self.state.new_node(
                        t.shape[dim],
                        pinned=f'untracked cat input in {self.here()!r}')
                    segments.append((node, t.shape[dim]))
                else:
                    segments.extend(lay.segments)
            self.set(out, Layout(dim, tuple(segments)))
        elif len(cdims) == 1 and None not in layouts:
            merged = layouts[0]
            for lay in layouts[1:]:
                merged = merge_layouts(merged, lay, f'cat in {self.here()!r}')
            self.set(out, merged)
        elif len(cdims) == 1 and self.param_views is not None and \
                self.cat_with_params(tensors, layouts, out):
            return
        else:
            self.pin_all([t_lay for t_lay in layouts if t_lay is not None],
                         f'cat of mixed layouts in {self.here()!r}')

    def cat_with_params(self, tensors, layouts, out) -> bool:
        """Tokens joined along a non-channel dim with parameter views (a
        class token): record those, and the output keeps the channels."""
        merged = None
        for t, lay in zip(tensors, layouts):
            if lay is not None:
                merged = lay if merged is None else merge_layouts(
                    merged, lay, f'cat in {self.here()!r}')
        offset = tensors[0].dim() - merged.dim
        if not all(lay is not None or self.param_views.record(
                t, t.dim() - offset, merged)
                for t, lay in zip(tensors, layouts)):
            return False
        self.set(out, merged)
        return True

    def merged_into_channels(self, x, lay, out) -> Optional[Layout]:
        """(..., a, b, C) -> (..., a * b * C) with the channels last and
        innermost: each of the a * b slots holds the whole group (Swin's
        patch merging, ResNeSt's radix softmax)."""
        k = out.dim() - 1
        if lay.dim != x.dim() - 1 or \
                k >= x.dim() - 1 or tuple(out.shape[:k]) != \
                tuple(x.shape[:k]) or out.shape[k] != math.prod(x.shape[k:]):
            return None
        return Layout(k, lay.segments * math.prod(x.shape[k:-1]))

    def reshape(self, name, x, lay, args, kwargs, out):
        if not isinstance(out, torch.Tensor):
            return
        if name == 'permute':
            dims = args[1:] if len(args) > 2 or not isinstance(
                args[1], (list, tuple)) else args[1]
            dims = [d % x.dim() for d in dims]
            self.set(out, lay.with_dim(dims.index(lay.dim)))
            return
        if name in ('transpose', 'swapaxes', 'swapdims'):
            a, b = (_arg(args, kwargs, 1, 'dim0') % x.dim(),
                    _arg(args, kwargs, 2, 'dim1') % x.dim())
            new = b if lay.dim == a else a if lay.dim == b else lay.dim
            self.set(out, lay.with_dim(new))
            return
        # view / reshape / flatten / squeeze / unsqueeze / expand ...: the
        # channel dim survives when it keeps its size and everything before
        # it keeps its total size
        lead = math.prod(x.shape[:lay.dim])
        acc = 1
        for d in range(out.dim()):
            if acc == lead and out.shape[d] == x.shape[lay.dim] and \
                    math.prod(out.shape[d:]) * lead == out.numel() and \
                    out.numel() // (lead * out.shape[d]) == \
                    x.numel() // (lead * x.shape[lay.dim]) or (
                        acc == lead and out.shape[d] == x.shape[lay.dim] and
                        name in ('expand', 'expand_as', 'repeat')
                        and out.dim() == x.dim() and d == lay.dim):
                self.set(out, lay.with_dim(d))
                return
            acc *= out.shape[d]
        merged = self.merged_into_channels(x, lay, out)
        if merged is None:
            merged = self.split_from_channels(x, lay, out)
        if merged is not None:
            self.set(out, merged)
            return
        self.pin_all([lay], f'{name} reshapes the channel dim in '
                     f'{self.here()!r}')

    @staticmethod
    def split_from_channels(x, lay, out) -> Optional[Layout]:
        """(B, r * C, ...) -> (B, r, C, ...), singleton dims aside: the
        channels split into r slots that are summed or weighed together
        afterwards (ResNeSt's radix splits). Channel j of every slot is
        tied to channel j of the others; the layout moves to the C dim."""
        d, width = lay.dim, x.shape[lay.dim]
        lead, rest = math.prod(x.shape[:d]), math.prod(x.shape[d + 1:])
        start = next((k for k in range(out.dim() + 1)
                      if math.prod(out.shape[:k]) == lead), None)
        if start is None:
            return None
        for end in range(start + 1, out.dim()):  # the fewest slots
            slots = math.prod(out.shape[start:end])
            if slots >= 2 and out.shape[end] >= 2 and \
                    slots * out.shape[end] == width and \
                    math.prod(out.shape[end + 1:]) == rest:
                size = out.shape[end]
                pieces = [slice_layout(lay, i * size, (i + 1) * size)
                          for i in range(slots)]
                for piece in pieces[1:]:
                    merge_layouts(pieces[0], piece)
                return pieces[0].with_dim(end)
        return None

    def reduction(self, name, x, lay, args, kwargs, out):
        dim = _arg(args, kwargs, 1, 'dim')
        keepdim = bool(_arg(args, kwargs, 2, 'keepdim'))
        res = out[0] if isinstance(out, (tuple, list)) else out
        if dim is None:
            self.pin_all([lay], f'{name} over all dims in {self.here()!r}')
            return
        dims = {d % x.dim() for d in (dim if isinstance(dim, (list, tuple))
                                      else [dim])}
        if lay.dim in dims:
            self.pin_all([lay], f'{name} across channels in {self.here()!r}')
            return
        new = lay.dim if keepdim else lay.dim - sum(d < lay.dim for d in dims)
        if isinstance(res, torch.Tensor):
            self.set(res, lay.with_dim(new))

    def split(self, name, x, lay, args, kwargs, out):
        dim = _arg(args, kwargs, 2, 'dim') or 0  # split and chunk alike
        dim = dim % x.dim()
        if dim != lay.dim:
            for piece in out:
                self.set(piece, lay)
            return
        if name == 'chunk' and x.shape[dim] % len(out) == 0:
            # chunk splits whatever width it gets into equal pieces: tied
            # position by position, the pieces keep equal widths (the two
            # halves of a gated unit, GLU / SwiGLU, keep the same channels)
            size = x.shape[dim] // len(out)
            pieces = [slice_layout(lay, i * size, (i + 1) * size)
                      for i in range(len(out))]
            for piece in pieces[1:]:
                merge_layouts(pieces[0], piece)
            for tensor, piece in zip(out, pieces):
                self.set(tensor, piece)
            return
        pieces, start = [], 0
        for piece in out:
            size = piece.shape[dim]
            pieces.append(slice_layout(lay, start, start + size))
            self.set(piece, pieces[-1])
            start += size
        attr = self.sizes_attribute([p.shape[dim] for p in out])
        if attr is not None:
            # the running module keeps the sizes: each piece is searched
            # on its own, and export sets the attribute to the kept widths
            self.state.split_sizes.append(
                SplitSizes(self.here(), attr, pieces))
            return
        # split sizes are constants in the model's code: pruning any group
        # they cut would break them, so those groups stay whole
        self.pin_all([lay], f'{name} of the channel dim in {self.here()!r}')

    def sizes_attribute(self, sizes) -> Optional[str]:
        """The one attribute of the running module (a list or tuple of
        ints) equal to a split's ``sizes``, or None."""
        if self.model is None or len(sizes) < 2:
            return None
        module = self.model.get_submodule(self.here()) if self.here() \
            else self.model
        found = [attr for attr, value in vars(module).items()
                 if isinstance(value, (list, tuple)) and
                 len(value) == len(sizes) and
                 all(type(v) is int for v in value) and
                 list(value) == list(sizes)]
        return found[0] if len(found) == 1 else None

    def getitem(self, x, lay, index, out):
        if not isinstance(out, torch.Tensor):
            return
        if not isinstance(index, tuple):
            index = (index, )
        if any(i is None or isinstance(i, torch.Tensor) or
               (isinstance(i, (list, bool))) for i in index):
            self.pin_all([lay], f'advanced indexing in {self.here()!r}')
            return
        index = full_index(index, x.dim())  # None was pinned above
        new_dim = sum(1 for i in index[:lay.dim] if not isinstance(i, int))
        sel = index[lay.dim]
        if isinstance(sel, int):
            self.pin_all([lay], f'channel index in {self.here()!r}')
            return
        start, stop, step = sel.indices(x.shape[lay.dim])
        if (start, stop, step) == (0, x.shape[lay.dim], 1):
            # every channel (a Ghost module's out[:, :oup] over its concat,
            # a class token's x[:, 0]): nothing is cut, and on fewer
            # channels the same prefix slice still takes them all
            self.set(out, lay.with_dim(new_dim))
            return
        self.pin_all([lay], f'channel slice in {self.here()!r}')
        if step != 1 or stop <= start:
            return
        self.set(out, slice_layout(lay, start, stop).with_dim(new_dim))
