"""Why a search space is what it is: the groups it cannot prune, the MACs
no gate can change, and how far the gates can cut (its reach).

``build_search_space`` warns with them, so a space that silently models
only part of a network's cost (a ViT whose attention and residual stream
are pinned) or nothing at all says so.
"""
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, List, Tuple

from ..trace.graph import ChannelGraph, Layout
from ..trace.layer_rules import rule_of

# warn when at least this share of the scope's MACs is out of every gate's
# reach (a share so small is the stem or the head, expected in any net)
UNMODELLED_WARN_SHARE = 0.05
# warn when the gates cannot cut the MACs below this ratio (a CNN whose
# layers are all searchable reaches a few per cent)
REACH_WARN_RATIO = 0.25
# what the floors keep, in a reach report
FLOORS = 'the floors (min_channels, min_ratio, round_to)'


def pin_reasons(graph: ChannelGraph) -> List[Tuple[str, int]]:
    """[(reason, channels)] over the pinned groups a layer produces (the
    ones that would be searchable but for the reason), most channels
    first. A reason names its op and module; the module index inside a
    repeated block is kept, so repeats of one cause are summed only when
    the text is the same."""
    total: Dict[str, int] = defaultdict(int)
    for root in graph.roots():
        if root.pinned and root.producers:
            total[root.pinned[0]] += root.size
    return sorted(total.items(), key=lambda kv: -kv[1])


def _gated(space, layout: Layout) -> bool:
    return any(g is not None for g, _ in space.segments(layout))


def unmodelled_macs(space) -> Tuple[float, List[Tuple[str, float]]]:
    """(share, [(where, MACs per sample)]) of the scope's MACs that no
    gate changes: layers whose input and output groups are all pinned,
    their norms, and products of activations. Largest first."""
    from .macs import layer_macs
    graph = space.graph
    where: Dict[str, float] = defaultdict(float)
    for name, calls in graph.calls.items():
        if space.is_folded(name):
            continue
        for call in calls:
            if not rule_of(call.kind).costed:
                continue
            if not (_gated(space, call.in_layout) or
                    _gated(space, call.out_layout)):
                where[name] += float(layer_macs(call, call.in_layout.size,
                                                call.out_layout.size))
    for free in graph.free_calls:
        if free.owner is not None and space.is_folded(free.owner):
            continue
        if not _gated(space, free.layout):
            where[free.owner or free.op] += \
                free.layout.size * free.cost_per_channel
    for prod in graph.product_calls:
        if prod.heads is None or not _gated(space, prod.heads):
            where[f'{prod.op} in {prod.where or "the model"}'] += prod.macs
    fixed = sum(where.values())
    share = fixed / space.full_macs if space.full_macs else 0.0
    return share, sorted(where.items(), key=lambda kv: -kv[1])


def _repeats(items):
    """Sum the entries of repeated blocks: 'layers.3.attn.qkv' counts as
    'layers.*.attn.qkv'. Largest first."""
    total: Dict[str, float] = defaultdict(float)
    for key, value in items:
        total[re.sub(r'\.\d+(?=[.\s\']|$)', '.*', key)] += value
    return sorted(total.items(), key=lambda kv: -kv[1])


def _top(items, fmt, limit=3) -> str:
    shown = '; '.join(fmt(k, v) for k, v in items[:limit])
    more = len(items) - limit
    return shown + (f'; and {more} more' if more > 0 else '')


def describe_space(space) -> List[str]:
    """The warnings a new space deserves (empty when none)."""
    if not space.gates:
        reasons = pin_reasons(space.graph)
        why = _top(_repeats(reasons),
                   lambda r, n: f'{r} ({n:g} channels)') if reasons \
            else 'no layer in the scope produces channels'
        return [f'the search space has no prunable channel group: {why}']
    lines = []
    share, where = unmodelled_macs(space)
    if share >= UNMODELLED_WARN_SHARE:
        lines.append(f'{share:.1%} of the scope\'s MACs are in ops no gate '
                     f'changes (the search cannot reduce them): '
                     + _top(_repeats(where),
                            lambda w, m: f'{w} {m / space.full_macs:.1%}'))
    reach = space.reach()
    if reach.ratio > REACH_WARN_RATIO:
        lines.append(reach.describe())
    return lines


@dataclass
class Reach:
    """How far the gates of a space can cut its MACs.

    Attributes:
        ratio (float): the smallest MACs ratio export can reach (every gate
            at its floor).
        held (list[tuple[str, float]]): what keeps the rest, largest
            first: a pin reason (its op and module, repeated blocks as
            ``.*``), the floors, or a product of activations; each with its
            share of the full MACs. The shares sum to ``ratio``.
    """
    ratio: float
    held: List[Tuple[str, float]]

    def describe(self, limit: int = 3) -> str:
        return f'the gates can cut the MACs to {self.ratio:.3f} of the ' \
            f'full net at most; held by: ' + _top(
                self.held, lambda r, s: f'{r} {s:.1%}', limit)


def _holder(space, *layouts) -> str:
    """Why the channels of ``layouts`` keep their MACs at the floor: the
    largest pinned group's reason, else the floors."""
    pinned = [(n, leaf.pinned[0]) for layout in layouts
              for leaf, n in layout.leaves()
              if space.gate_of(leaf) is None and leaf.pinned]
    return max(pinned, key=lambda p: p[0])[1] if pinned else FLOORS


def reach_of(space) -> Reach:
    """The reach of ``space`` with every gate at its floor (call it there:
    ``SearchSpace.reach`` does). MACs, whatever the budget's metric."""
    from .macs import layer_macs
    held: Dict[str, float] = defaultdict(float)
    for name, calls in space.graph.calls.items():
        if space.is_folded(name):
            continue
        for call in calls:
            if not rule_of(call.kind).costed:
                continue
            macs = float(layer_macs(call, space.kept(call.in_layout),
                                    space.kept(call.out_layout)))
            held[_holder(space, call.out_layout, call.in_layout)] += macs
    for free in space.graph.free_calls:
        if free.owner is not None and space.is_folded(free.owner):
            continue
        held[_holder(space, free.layout)] += \
            float(space.kept(free.layout)) * free.cost_per_channel
    for prod in space.graph.product_calls:
        where = f'{prod.op} (a product of activations) in ' \
            f'{prod.where or "the model"}'
        if prod.heads is not None and _gated(space, prod.heads):
            macs = prod.macs * float(space.kept(prod.heads)) / \
                prod.heads.size
            where = FLOORS
        else:
            macs = prod.macs
        held[where] += macs
    full = space.full_macs or 1.0
    shares = [(k, v / full) for k, v in _repeats(held.items()) if v > 0]
    return Reach(sum(s for _, s in shares), shares)
