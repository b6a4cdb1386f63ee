"""The search space: one DBC gate per prunable channel group.

A gate acts where its group is *consumed* by a channel-mixing layer (conv,
transposed conv, linear), i.e. after the residual add, branch sum and
activation of the block that produced it. That is the post-block placement of
PaS: the output of a conv and its identity path are pruned together, and a
pruned channel can influence nothing downstream, so export can drop it
exactly.
"""
import contextlib
import math
import warnings
from typing import Dict, List, Optional

import torch
from torch import nn

from ..cost.explain import describe_space
from ..cost.macs_check import macs_disagreements
from ..errors import BudgetError, ScopeError
from ..trace.graph import ChannelGraph, ChannelNode, Layout
from ..trace.layer_rules import rule_of
from ..trace.tracer import trace_channels
from .budget import DEFAULT_ATTRIBUTION
from .gate import DBCGate
from .input_mask import InputMask
from .masked_norm import MaskedLayerNorm, MaskedWeightStandardisation
from .space_cost import SpaceCost

GATES_ATTR = 'pas_gates'


class SearchSpace(SpaceCost):
    """Gates, channel groups and the differentiable cost of a model.

    Built by :func:`build_search_space`.

    Args:
        model (nn.Module): the traced model; gets ``pas_gates`` and hooks.
        graph (ChannelGraph): its trace.
        min_channels (int): floor of kept channels per group. Default: 1.
        round_to (int): kept channels are a multiple of this at export.
            Default: 1.
        fold (Sequence[str]): fnmatch patterns of layers not costed.
            Default: ().
        min_ratio (float): floor of the kept fraction per group.
            Default: 0.0.

    Attributes:
        gates: group name -> DBCGate (also registered as ``model.pas_gates``).
        full_macs: per-sample MACs of the traced scope with every gate open.
    """

    def __init__(self, model: nn.Module, graph: ChannelGraph,
                 min_channels: int = 1, round_to: int = 1, fold=(),
                 min_ratio: float = 0.0):
        self.model = model
        self.graph = graph
        self.fold = tuple(fold)
        self.min_channels = int(min_channels)
        self.min_ratio = float(min_ratio)
        self.round_to = int(round_to)
        self._segments = {}
        self.group_names: Dict[int, str] = {}  # root uid -> name
        self.groups: Dict[str, ChannelNode] = {}
        gates = {}
        for root in graph.roots():
            if root.pinned or not root.producers:
                continue
            name = self._unique(root.producers[0])
            self.group_names[root.uid] = name
            self.groups[name] = root
            gates[name] = DBCGate(root.size, unit=root.unit)
        self.gates = gates
        container = nn.ModuleDict({_key(n): g for n, g in gates.items()})
        if hasattr(model, GATES_ATTR):
            raise ValueError(f'model already has a search space '
                             f'({GATES_ATTR!r}); export or remove it first')
        model.add_module(GATES_ATTR, container)
        self._hooks = []
        self._install_hooks()
        # which cost a gate is charged for (pas_mm.core.search.budget);
        # the search's Budget sets it (set_attribution)
        self.attribution = DEFAULT_ATTRIBUTION
        self.tie_cuts = 0  # channels the last projection cut one by one
        self.full_macs = float(self.macs(open_all=True).detach())
        # what the budget constrains: MACs, or latency (use_latency)
        self.metric = 'macs'
        self.latency_table = None
        self.full_cost = self.full_macs

    # ------------------------------------------------------------ groups
    def _unique(self, name: str) -> str:
        base, i = name, 1
        while name in self.groups:
            i += 1
            name = f'{base}#{i}'
        return name

    def gate_of(self, node: ChannelNode) -> Optional[DBCGate]:
        name = self.group_names.get(node.find().uid)
        return self.gates[name] if name is not None else None

    def segments(self, layout: Layout):
        """[(gate or None, length)] for the channels of a layout (cached:
        the groups are fixed once the trace is done)."""
        key = id(layout)
        if key not in self._segments:
            self._segments[key] = (layout, [(self.gate_of(node), n)
                                            for node, n in layout.leaves()])
        return self._segments[key][1]

    def layout_mask(self, layout: Layout, ref: torch.Tensor) -> torch.Tensor:
        parts = []
        for gate, n in self.segments(layout):
            if gate is None:
                parts.append(torch.ones(n, device=ref.device, dtype=ref.dtype))
            else:
                parts.append(gate.mask().to(ref.dtype))
        return parts[0] if len(parts) == 1 else torch.cat(parts)

    def kept(self, layout: Layout, open_all: bool = False):
        total = 0.
        for gate, n in self.segments(layout):
            total = total + (n if gate is None or open_all else gate.kept())
        return total

    # ------------------------------------------------------------ hooks
    def _install_hooks(self):
        modules = dict(self.model.named_modules())
        for name, calls in self.graph.calls.items():
            call = calls[0]
            rule = rule_of(call.kind)
            if call.pinned or all(g is None for g, _ in
                                  self.segments(call.in_layout)):
                continue
            if rule.normalises_channels or rule.standardises_weight:
                masked = MaskedLayerNorm if rule.normalises_channels else \
                    MaskedWeightStandardisation
                hook = masked(self.layout_mask, call.in_layout, modules[name])
                self._hooks.append((hook, hook.handles))
            if rule.mixes_channels:
                hook = InputMask(self.layout_mask, call.in_layout,
                                 modules[name], rule.weight_side_mask)
                self._hooks.append(
                    (hook, [modules[name].register_forward_pre_hook(hook)]))

    @contextlib.contextmanager
    def unmasked(self):
        """The model as it was before the search space, for the duration:
        no input masks and no gates attribute (for tools that trace the
        plain model, e.g. Torch-Pruning's dependency graph)."""
        gates = getattr(self.model, GATES_ATTR)
        self.remove()
        try:
            yield self.model
        finally:
            self.model.add_module(GATES_ATTR, gates)
            self._install_hooks()

    def remove(self):
        """Detach hooks and gates from the model (export calls this)."""
        for hook, handles in self._hooks:
            for handle in handles:
                handle.remove()
            hook.remove()
        self._hooks = []
        if hasattr(self.model, GATES_ATTR):
            delattr(self.model, GATES_ATTR)

    # ------------------------------------------------------------ state
    def widths(self) -> Dict[str, int]:
        return {n: int(g.kept_indices().numel())
                for n, g in self.gates.items()}

    def freeze(self):
        for gate in self.gates.values():
            gate.freeze()

    @property
    def frozen(self) -> bool:
        return all(g.frozen for g in self.gates.values())

    def floor(self, num_channels: int) -> int:
        """The fewest channels a group of ``num_channels`` may keep:
        ``max(min_channels, ceil(min_ratio * num_channels))``."""
        want = max(self.min_channels,
                   math.ceil(self.min_ratio * num_channels - 1e-9))
        return min(want, num_channels)

    def apply_floor(self):
        """Re-open channels so that no group is below its floor (the
        search calls this after every gate step)."""
        self.apply_constraints(rounding=False)

    def apply_constraints(self, rounding: bool = True):
        """Re-open the highest-latent channels until every group keeps at
        least its floor and (``rounding``) a multiple of ``round_to``."""
        with torch.no_grad():
            for gate in self.gates.values():
                c = gate.num_channels
                k = int(gate.kept_indices().numel())
                want = max(k, self.floor(c))
                if rounding and self.round_to > 1 and gate.unit == 1:
                    want = min(c, math.ceil(want / self.round_to) *
                               self.round_to)
                # in latents: whole heads for a head gate
                k, want = k // gate.unit, math.ceil(want / gate.unit)
                if want > k:
                    order = torch.argsort(gate.latent, descending=True)
                    top = order[:want]
                    # just above the threshold: re-opened, not pinned open
                    gate.latent[top] = torch.clamp(
                        gate.latent[top], min=gate.threshold + 0.05)


def _key(name: str) -> str:
    return name.replace('.', '__').replace('#', '_v') or 'root'


def check_floors(min_channels: int, round_to: int, min_ratio: float) -> None:
    """The one check of a space's floors (``PaSSettings`` calls it too)."""
    if min_channels < 1 or round_to < 1:
        raise BudgetError(f'min_channels and round_to must be >= 1, got '
                          f'{min_channels} and {round_to}')
    if not 0 <= min_ratio < 1:
        raise BudgetError(f'min_ratio must be in [0, 1), got {min_ratio!r}')


def _check_can_hold_gates(model: nn.Module) -> None:
    if hasattr(model, GATES_ATTR):
        raise ValueError(f'model already has a search space '
                         f'({GATES_ATTR!r}); export or remove it first')
    if isinstance(model, nn.Sequential):
        # nn.Sequential runs every child: the gates would run as a layer
        raise ScopeError(f'a bare {type(model).__name__} cannot hold the '
                         'gates (they are a child module): wrap it in a '
                         'module whose forward calls it')


def build_search_space(model: nn.Module, example_inputs, *, exclude=(),
                       min_channels: int = 1, round_to: int = 1,
                       scope: Optional[List[str]] = None,
                       forward_fn=None, decouple=(),
                       fold=(), min_ratio: float = 0.0,
                       prune_residual: bool = False,
                       keep_whole=()) -> SearchSpace:
    """Trace ``model`` by running it and insert one gate per channel group.

    Args:
        model (nn.Module): any module; modified in place (gates and
            forward pre-hooks).
        example_inputs (Tensor | tuple): positional inputs for the trace.
        exclude (Sequence[str]): module-name prefixes never pruned and
            not costed: MACs ratios are of the rest (``keep_whole``
            counts them). Default: ().
        min_channels (int): every group keeps at least this many channels.
            Default: 1.
        round_to (int): export keeps a multiple of this many channels per
            group. Default: 1.
        scope (Sequence[str], optional): module-name prefixes to search
            (None: the whole model). Default: None.
        forward_fn (callable, optional): ``forward_fn(model, *inputs)``
            instead of ``model(*inputs)``. Default: None.
        decouple (Sequence[str]): fnmatch patterns of identity-branch
            BatchNorms that map channel c to channel c without tying the
            kept sets (RepVGG). Default: ().
        fold (Sequence[str]): fnmatch patterns of layers that
            reparameterisation folds into others; they are not costed, so
            MACs are those of the deployed model
            (``pas_mm.core.compact.reparam.REP_BLOCK_SPACE`` for RepVGG).
            Default: ().
        min_ratio (float): every group keeps at least this fraction of its
            channels (a floor against collapse; 0 disables it).
            Default: 0.0.
        prune_residual (bool): also search the widths that LayerNorms over
            the channels hold (transformer and ConvNeXt residual streams):
            their statistics are taken over the kept channels, and class
            / position tokens and layer scales are sliced with them.
            Default: False.
        keep_whole (Sequence[str]): module-name prefixes whose channels
            stay whole while their MACs still count (``exclude`` leaves
            them out of the cost too; ``probe_export`` finds these).
            Default: ().

    Returns:
        SearchSpace: the gates, groups and differentiable MACs.
    """
    _check_can_hold_gates(model)
    check_floors(min_channels, round_to, min_ratio)
    if scope is not None:
        names = [n for n, _ in model.named_modules()]
        for prefix in scope:
            if not any(n == prefix or n.startswith(prefix + '.')
                       for n in names):
                raise ScopeError(f'search scope {prefix!r} names no module '
                                 f'of {type(model).__name__}')
    graph = trace_channels(model, example_inputs, exclude=exclude,
                           scope=scope, forward_fn=forward_fn,
                           decouple=decouple, prune_residual=prune_residual,
                           keep_whole=keep_whole)
    space = SearchSpace(model, graph, min_channels, round_to, fold,
                        min_ratio=min_ratio)
    for message in describe_space(space):
        warnings.warn(message, stacklevel=2)
    if scope is None and not fold and not exclude:
        # the whole model is costed: PyTorch's own count must agree
        for message in macs_disagreements(space, example_inputs, forward_fn):
            warnings.warn(message, stacklevel=2)
    return space
