"""How the tracer records a parametric call: conv, linear, norm.

Each call becomes a ``LayerCall`` of its kind, with the layouts of the
channels it reads and writes; a call whose channels cannot be sliced pins
them, with the reason. ``ChannelTracer`` inherits this; the methods use its
``state``, ``model``, ``owner``, ``units``, ``head_layouts``,
``param_views``, ``decouple``, ``here()`` and ``opaque()``.
"""
import fnmatch
import math

import torch.nn.functional as F
from torch import nn

from ..errors import UnsupportedOpError
from .call_args import arg as _arg
from .graph import (FreeCall, LayerCall, LayerKind, Layout, leaves_of,
                    merge_layouts, module_in_prefixes, slice_layout)
from .heads import unit_of
from .layer_rules import rule_of
from .op_costs import conv_positions, linear_positions, norm_cost
from .ops import CONV_OPS


class LayerCalls:
    """The parametric-call half of ``ChannelTracer``."""

    def parametric(self, func, name, args, kwargs, out):
        x = args[0] if args else kwargs.get('input')
        lay = self.state.get(x)
        weight = _arg(args, kwargs, 1, 'weight')
        if func in (F.batch_norm, F.instance_norm):
            weight = _arg(args, kwargs, 3, 'weight')
            if weight is None:
                weight = _arg(args, kwargs, 1, 'running_mean')
        elif func is F.group_norm or func is F.layer_norm:
            weight = _arg(args, kwargs, 2, 'weight')
        owner = self.owner.get(id(weight)) if weight is not None else None
        where = owner if owner is not None else self.here()
        if self.opaque(where):
            if lay is not None:
                self.state.pin_all([lay], f'used by excluded/out-of-scope '
                                   f'{where!r}')
            return
        if lay is None:  # e.g. behind a reshape: fixed channels, still costed
            # linear and layer_norm read the last dim (tokens: B, N, C)
            last = func is F.linear or func is F.layer_norm
            dim = x.dim() - 1 if last else min(1, x.dim() - 1)
            lay = self.state.new_layout(x, dim, pinned=f'untracked input of '
                                        f'{where!r}')
        self._in_shape = tuple(x.shape)  # recorded with the call
        if name in CONV_OPS:
            self.conv(name, args, kwargs, x, lay, weight, out, owner)
        elif func is F.linear:
            self.linear(x, lay, out, owner)
        else:
            self.norm(func, args, kwargs, x, lay, out, owner)
            if self.standardises_own_weight(func, args, kwargs, x):
                self.standardised[out.data_ptr()] = (
                    self.here(), self.state.free_calls[-1])

    def standardises_own_weight(self, func, args, kwargs, x) -> bool:
        """A batch norm in training mode over the running conv module's
        own weight viewed as (1, out, fan-in): weight standardisation
        (timm's ``StdConv2d`` / ``ScaledStdConv2d``)."""
        if func is not F.batch_norm or not _arg(args, kwargs, 5,
                                                'training'):
            return False
        module = self.model.get_submodule(self.here()) if self.here() \
            else self.model
        weight = getattr(module, 'weight', None)
        return isinstance(module, nn.modules.conv._ConvNd) and \
            not module.transposed and isinstance(weight, nn.Parameter) and \
            x.dim() == 3 and tuple(x.shape[:2]) == (1, weight.shape[0]) and \
            x.numel() == weight.numel() and \
            x.data_ptr() == weight.data_ptr()

    def standardised_conv(self, weight):
        """(module name, FreeCall of its standardisation) when ``weight``
        is the running conv module's own weight standardised in forward,
        else None."""
        found = self.standardised.get(weight.data_ptr())
        if found is None or found[0] != self.here():
            return None
        module = self.model.get_submodule(found[0]) if found[0] \
            else self.model
        return found if module.weight.shape == weight.shape else None

    def conv(self, name, args, kwargs, x, lay, weight, out, owner):
        state = self.state
        if lay.dim != 1:
            groups = int(_arg(args, kwargs, 6, 'groups') or 1)
            return self.conv_across_channels(name, x, lay, weight, out,
                                             owner, groups)
        transposed = 'transpose' in name
        groups = int(_arg(args, kwargs, 6, 'groups') or 1)  # same slot in both
        c_in, c_out = x.shape[1], out.shape[1]
        kernel = math.prod(weight.shape[2:])
        positions = conv_positions(x, out, transposed)
        std = None if isinstance(weight, nn.Parameter) else \
            self.standardised_conv(weight)
        if std is not None and (groups == 1 or (
                c_in == c_out and self.tie_conv_groups(lay, c_in // groups))):
            return self.std_conv(std, lay, out, kernel, groups, positions)
        if owner is None or not isinstance(weight, nn.Parameter):
            # a weight standardised in forward (WS-conv) or a fixed filter
            # in a buffer (BlurPool): nothing to slice, so its channels
            # stay whole, but its MACs count
            where = owner or self.here() or type(self.model).__name__
            what = 'a buffer' if owner else 'a weight computed in forward'
            reason = f'{name} of {where!r} reads {what}: costed, not pruned'
            state.pin_all([lay], reason)
            out_lay = state.new_layout(out, 1, pinned=reason)
            kind = LayerKind.CONV_T if transposed else LayerKind.CONV
            self.record(LayerCall(where, kind, lay, out_lay, kernel, groups,
                                  positions, pinned=True))
            return
        if groups == 1:
            out_lay = state.new_layout(out, 1, producer=owner)
            kind = LayerKind.CONV_T if transposed else LayerKind.CONV
            self.record(LayerCall(owner, kind, lay, out_lay, kernel, 1,
                                  positions))
        elif c_in == c_out and not transposed and \
                self.tie_conv_groups(lay, c_in // groups):
            # depth-wise, or grouped with whole groups kept or dropped:
            # input and output channels tied
            state.set(out, lay)
            self.record(LayerCall(owner, LayerKind.DWCONV, lay, lay, kernel,
                                  groups, positions))
        elif not transposed:
            self.grouped_conv(owner, lay, out, kernel, groups, positions,
                              c_in, c_out)
        else:
            reason = f'grouped conv {owner!r} (groups={groups})'
            state.pin_all([lay], reason)
            out_lay = state.new_layout(out, 1, pinned=reason)
            self.record(LayerCall(owner, LayerKind.CONV_T, lay, out_lay,
                                  kernel, groups, positions, pinned=True))

    def grouped_conv(self, owner, lay, out, kernel, groups, positions, c_in,
                     c_out):
        """A grouped conv kept grouped: channel j of every group tied to
        channel j of the others, in (its input's groups merged piece by
        piece) and out (one group of c_out / groups channels, repeated)."""
        width = c_in // groups
        pieces = [slice_layout(lay, i * width, (i + 1) * width)
                  for i in range(groups)]
        for piece in pieces[1:]:
            merge_layouts(pieces[0], piece,
                          f'grouped conv {owner!r} (groups={groups})')
        size = c_out // groups
        node = self.state.new_node(size, producer=owner)
        out_lay = Layout(1, ((node, size), ) * groups)
        self.state.set(out, out_lay)
        self.record(LayerCall(owner, LayerKind.GROUPED_CONV, lay, out_lay,
                              kernel, groups, positions))

    def std_conv(self, std, lay, out, kernel, groups, positions):
        """A weight-standardised conv, dense or with whole groups tied
        (as ``conv`` does): searched, with the cost of making its weight
        moved from the norm's free call onto the layer, where it scales
        with the kept channels."""
        owner, free = std
        self.state.free_calls.remove(free)
        weight = self.model.get_submodule(owner).weight
        weight_cost = free.layout.size * free.cost_per_channel / \
            weight.numel()
        if groups == 1:
            out_lay = self.state.new_layout(out, 1, producer=owner)
            kind = LayerKind.STD_CONV
        else:
            self.state.set(out, lay)
            out_lay, kind = lay, LayerKind.STD_DWCONV
        self.record(LayerCall(owner, kind, lay, out_lay, kernel, groups,
                              positions, weight_cost=weight_cost))

    def conv_across_channels(self, name, x, lay, weight, out, owner,
                             groups):
        """A conv sliding along the channels (ECA's ``conv1d`` over the
        pooled channels, a lambda layer's ``conv3d``): it mixes
        neighbouring channels, so no channel of the group it reads can be
        dropped. The group is pinned, with the reason; the rest of the net
        stays searchable. Its own MACs still count."""
        where = owner or self.here() or type(self.model).__name__
        reason = (f'{name} in {where!r} slides along the channels (dim '
                  f'{lay.dim}): its group stays whole')
        self.state.pin_all([lay], reason)
        # a conv2d / conv3d over the channels (a lambda layer): the module
        # around it shapes its output by its input's width, a number the
        # trace cannot see, so that input stays whole too
        level = -2 if owner is not None and owner == self.here() else -1
        if name != 'conv1d' and len(self.state.stack) > -level:
            self.state.pin_all(self.state.entry_layouts[level],
                               f'input of {self.state.stack[level]!r}, '
                               f'around {reason}')
        self.state.new_layout(out, lay.dim, pinned=reason)
        c_in, c_out = x.shape[1], out.shape[1]
        in_lay = Layout(1, ((self.state.new_node(c_in, pinned=reason),
                             c_in), ))
        out_lay = Layout(1, ((self.state.new_node(c_out, pinned=reason),
                              c_out), ))
        kind = LayerKind.CONV_T if 'transpose' in name else LayerKind.CONV
        self.record(LayerCall(
            where, kind, in_lay, out_lay, math.prod(weight.shape[2:]),
            groups, conv_positions(x, out, 'transpose' in name),
            pinned=True))

    @staticmethod
    def tie_conv_groups(lay: Layout, width: int) -> bool:
        """Make the groups of ``lay`` keep or drop whole conv (or norm)
        groups of ``width`` channels; False (nothing changed) when a group
        of the layout does not start and end on a group's border."""
        units, pos = {}, 0
        for leaf, size in leaves_of(lay.segments):
            if pos % width or size % width:
                return False
            unit = math.lcm(units.get(leaf.uid, leaf.unit), width)
            if leaf.size % unit:
                return False
            units[leaf.uid] = unit
            pos += size
        for leaf, _ in leaves_of(lay.segments):
            leaf.unit = units[leaf.uid]
        return True

    def heads_here(self):
        """The head layout of the attention unit running now, if any."""
        for name, lay in self.head_layouts.items():
            if module_in_prefixes(self.here(), [name]):
                return lay
        return None

    def head_linear(self, unit, owner, x, lay, out):
        """qkv or proj of an attention unit: its heads are one group of
        H * d channels in units of d. qkv's output ([q | k | v], three
        copies of the group) stays untracked: splitting it into heads is
        the unit's own business, and its adapter resizes what it keeps per
        head at export."""
        state = self.state
        head = self.head_layouts.get(unit)
        if head is None:
            size = self.units[unit].channels
            node = state.new_node(size, producer=unit)
            node.unit = self.units[unit].head_dim
            head = self.head_layouts[unit] = Layout(
                out.dim() - 1, ((node, size), ))
        positions = linear_positions(out, state.batch)
        if self.units[unit].is_qkv(owner):
            out_lay = Layout(out.dim() - 1, head.segments * 3)
            self.record(LayerCall(owner, LayerKind.LINEAR, lay, out_lay, 1,
                                  1, positions))
            return
        if lay is not None and state.get(x) is lay:
            state.pin_all([lay], f'{owner!r} reads a traced tensor')
        out_lay = state.new_layout(out, out.dim() - 1, producer=owner)
        self.record(LayerCall(owner, LayerKind.LINEAR,
                              head.with_dim(x.dim() - 1), out_lay, 1, 1,
                              positions))

    def linear(self, x, lay, out, owner):
        state = self.state
        unit = unit_of(self.units, owner) if owner is not None else None
        if unit is not None and lay.dim == x.dim() - 1 and (
                self.units[unit].is_qkv(owner) or
                unit in self.head_layouts):
            return self.head_linear(unit, owner, x, lay, out)
        if lay.dim != x.dim() - 1:
            reason = f'linear {owner!r} on a non-channel dim'
            state.pin_all([lay], reason)
            out_lay = state.new_layout(out, out.dim() - 1,
                                       pinned=f'linear {owner!r}')
            if owner is not None:
                # never sliced, but costed: it reads the last dim's features
                # whatever the traced layout says
                size = x.shape[-1]
                in_lay = Layout(x.dim() - 1, (
                    (state.new_node(size, pinned=reason), size), ))
                self.record(LayerCall(owner, LayerKind.LINEAR, in_lay,
                                      out_lay, 1, 1,
                                      linear_positions(out, state.batch),
                                      pinned=True))
            return
        if owner is None:
            state.pin_all([lay], f'linear with a computed weight in '
                          f'{self.here()!r}')
            state.new_layout(out, out.dim() - 1, pinned='computed linear')
            return
        out_lay = state.new_layout(out, out.dim() - 1, producer=owner)
        self.record(LayerCall(owner, LayerKind.LINEAR, lay, out_lay, 1, 1,
                              linear_positions(out, state.batch)))

    def norm(self, func, args, kwargs, x, lay, out, owner):
        state = self.state
        op = func.__name__
        cost = norm_cost(func, args, kwargs, x, out, lay.dim, state.batch)
        if func is F.layer_norm:
            shape = _arg(args, kwargs, 1, 'normalized_shape')
            if lay.dim >= x.dim() - len(shape):
                self.layer_norm(shape, x, lay, owner)
            state.set(out, lay)
            state.free_calls.append(FreeCall(op, lay, cost, owner))
            return
        if lay.dim != 1:
            raise UnsupportedOpError(
                f'{op} in {owner or self.here()!r} reads channels from dim '
                f'{lay.dim}; add it to exclude=')
        if owner is not None and func is F.batch_norm and any(
                fnmatch.fnmatchcase(owner, p) for p in self.decouple):
            # identity branch (RepVGG): channel c in -> channel c out, but the
            # kept sets may differ; export makes it a partial identity
            out_lay = state.new_layout(out, 1, producer=owner)
            state.free_calls.append(FreeCall(op, out_lay, cost, owner))
            self.record(LayerCall(owner, LayerKind.DIAG, lay, out_lay))
            return
        groups = int(_arg(args, kwargs, 1, 'num_groups') or 1) \
            if func is F.group_norm else x.shape[1]
        # whole norm groups kept or dropped: the kept ones' statistics do
        # not change, and the compact GroupNorm has fewer groups
        grouped = groups != x.shape[1] and (
            groups == 1 or owner is None or
            not self.tie_conv_groups(lay, x.shape[1] // groups))
        if grouped:
            why = ' (over all channels)' if groups == 1 else (
                ' (functional)' if owner is None else '')
            state.pin_all([lay], f'group_norm {owner or self.here()!r} with '
                          f'{groups} groups{why}')
        state.set(out, lay)
        state.free_calls.append(FreeCall(op, lay, cost, owner))
        if owner is not None:
            self.record(LayerCall(owner, LayerKind.NORM, lay, lay,
                                  pinned=grouped))

    def layer_norm(self, shape, x, lay, owner):
        """A LayerNorm over the channels: a searched layer with
        ``prune_residual`` when it normalises the channel dim alone and its
        module says how wide it is; else its channels are pinned."""
        where = owner or self.here()
        reason = f'layer_norm over channels in {where!r}'
        if self.param_views is not None:
            module = self.model.get_submodule(where) if where else self.model
            if len(shape) != 1 or lay.dim != x.dim() - 1:
                reason += ' (over more than the channel dim)'
            elif not hasattr(module, 'normalized_shape'):
                reason += ' (not called by a LayerNorm module)'
            else:
                self.record(LayerCall(where, LayerKind.LAYER_NORM, lay, lay))
                return
        self.state.pin_all([lay], reason)

    def record(self, call: LayerCall):
        """Calls of one module share weights: their channels are coupled."""
        if call.in_shape is None:
            call.in_shape = getattr(self, '_in_shape', None)
        if self.held(call.name):  # costed, never sliced
            self.state.pin_all([call.in_layout, call.out_layout],
                               f'kept whole: {call.name!r}')
            call.pinned = True
        previous = self.state.calls.setdefault(call.name, [])
        if previous:
            first = previous[0]
            reason = f'{call.name!r} called on differently split inputs'
            merge_layouts(first.in_layout, call.in_layout, reason)
            if not rule_of(call.kind).same_channels:
                merge_layouts(first.out_layout, call.out_layout, reason)
        previous.append(call)
