"""Channel-dependency graph, found by running the model once.

Every traced tensor carries a *layout*: the dimension that holds its channels
and the list of segments (channel group, length) that make it up. Convs and
Linears start new groups; channel-wise ops (norms, activations, pooling,
padding, resampling) pass the layout on; element-wise ops between tensors
merge groups (residual adds, SE scaling); concatenation along the channel dim
joins segments. Anything whose effect on channels is not known *pins* the
groups involved (they are never pruned), or raises ``UnsupportedOpError`` when
the op is not recognised at all. A pinned group is always safe: pruning can
only be wrong where the tracer says a channel is free when it is not.
"""
import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Dict, List, Optional, Tuple

from torch import nn


class ChannelNode:
    """A set of channels that must be kept or dropped together (union-find).

    A root can be *split* into consecutive children when a later op shows
    that its channels are not one group (a channel split, or an element-wise
    op with a concatenated tensor); ``leaves()`` then yields the children.
    """

    def __init__(self, table: list, size: int):
        self.uid = len(table)
        table.append(self)
        self.table = table
        self.size = size
        self.parent: 'ChannelNode' = self
        self.children: List['ChannelNode'] = []
        self.pinned: List[str] = []  # reasons why it cannot be pruned
        self.producers: List[str] = []  # modules whose outputs fill it
        self.unit = 1  # channels kept or dropped together (a head's size)

    def find(self) -> 'ChannelNode':
        root = self
        while root.parent is not root:
            root = root.parent
        node = self
        while node.parent is not root:  # path compression
            node.parent, node = root, node.parent
        return root

    def leaves(self) -> List[Tuple['ChannelNode', int]]:
        """[(leaf root, size)] this node's channels consist of, in order."""
        root = self.find()
        if not root.children:
            return [(root, root.size)]
        return [leaf for child in root.children for leaf in child.leaves()]

    def split(self, sizes: List[int]) -> None:
        """Split this leaf root into consecutive children of ``sizes``."""
        assert not self.children and self.parent is self
        assert sum(sizes) == self.size and len(sizes) > 1
        for n in sizes:
            child = ChannelNode(self.table, n)
            child.pinned = list(self.pinned)
            child.producers = list(self.producers)
            if n % self.unit:  # the split cuts through a unit (a conv group)
                child.pinned.append(f'a split of {n} channels cuts units of '
                                    f'{self.unit}')
            else:
                child.unit = self.unit
            self.children.append(child)

    def __repr__(self):
        return f'ChannelNode({self.uid}, size={self.size})'


def union(a: ChannelNode, b: ChannelNode) -> ChannelNode:
    """Merge two leaf roots of equal size (callers align leaves first)."""
    ra, rb = a.find(), b.find()
    if ra is rb:
        return ra
    assert not ra.children and not rb.children and ra.size == rb.size
    if ra.uid > rb.uid:  # the oldest node stays the root: stable names
        ra, rb = rb, ra
    rb.parent = ra
    ra.pinned += [r for r in rb.pinned if r not in ra.pinned]
    ra.producers += [p for p in rb.producers if p not in ra.producers]
    unit = math.lcm(ra.unit, rb.unit)
    if ra.size % unit:
        pin(ra, f'channel units of {ra.unit} and {rb.unit} do not tile '
            f'{ra.size} channels')
    else:
        ra.unit = unit
    return ra


def pin(node: ChannelNode, reason: str) -> None:
    for leaf, _ in node.leaves():
        if reason not in leaf.pinned:
            leaf.pinned.append(reason)


def leaves_of(segments) -> List[Tuple[ChannelNode, int]]:
    return [leaf for node, _ in segments for leaf in node.leaves()]


def cut_at(segments, cuts) -> None:
    """Split leaves so that every offset in ``cuts`` falls on a border."""
    pos = 0
    for leaf, n in leaves_of(segments):
        inner = sorted(c - pos for c in cuts if pos < c < pos + n)
        if inner:
            bounds = [0] + inner + [n]
            leaf.split([b - a for a, b in zip(bounds, bounds[1:])])
        pos += n


@dataclass
class Layout:
    """Which dimension holds the channels, and the groups they belong to."""
    dim: int
    segments: Tuple[Tuple[ChannelNode, int], ...]

    @property
    def size(self) -> int:
        return sum(n for _, n in self.segments)

    def nodes(self):
        return [node for node, _ in self.segments]

    def leaves(self) -> List[Tuple[ChannelNode, int]]:
        """Current groups of the channels, after unions and splits."""
        return leaves_of(self.segments)

    def borders(self) -> List[int]:
        out, pos = [], 0
        for _, n in self.leaves():
            pos += n
            out.append(pos)
        return out[:-1]

    def with_dim(self, dim: int) -> 'Layout':
        return Layout(dim, self.segments)


def merge_layouts(a: Layout, b: Layout, reason: str = '') -> Layout:
    """Couple two layouts of one channel space (element-wise ops): split
    groups until both have the same borders, then merge them pairwise."""
    cut_at(a.segments, b.borders())
    cut_at(b.segments, a.borders())
    for (la, na), (lb, nb) in zip(a.leaves(), b.leaves()):
        union(la, lb)
    return a


def slice_layout(lay: Layout, start: int, stop: int) -> Layout:
    """The layout of channels [start, stop), splitting groups at the cuts."""
    cut_at(lay.segments, [start, stop])
    segments, pos = [], 0
    for leaf, n in lay.leaves():
        if start <= pos and pos + n <= stop:
            segments.append((leaf, n))
        pos += n
    return Layout(lay.dim, tuple(segments))


class LayerKind(Enum):
    """What a parametric layer does to channels; how each kind is costed,
    masked, sliced, timed and scored is its rule in
    ``pas_mm.core.trace.layer_rules``."""
    CONV = 'conv'  # dense or grouped conv
    DWCONV = 'dwconv'  # depth-wise: in and out share one layout
    # grouped, with every group keeping the same channels (tied position
    # by position across the groups, in and out)
    GROUPED_CONV = 'grouped_conv'
    CONV_T = 'convT'  # transposed conv
    LINEAR = 'linear'
    NORM = 'norm'  # channel-wise params (BN, IN, GN)
    # normalises over the channels (its statistics read every channel of
    # the group): searched only with prune_residual, masked meanwhile
    LAYER_NORM = 'layer_norm'
    DIAG = 'diag'  # identity-branch BN whose in and out groups differ
    # a conv whose weight is standardised over its fan-in in forward:
    # searched with the statistics over the kept input channels
    STD_CONV = 'std_conv'
    STD_DWCONV = 'std_dwconv'  # the same, with whole conv groups


@dataclass
class LayerCall:
    """One call of a parametric layer, as seen during the trace.

    ``kernel``, ``groups`` and ``positions`` are the geometry
    ``pas_mm.core.cost.macs`` needs to cost the call.
    """
    name: str
    kind: LayerKind
    in_layout: Layout
    out_layout: Layout
    kernel: int = 1  # kh * kw
    groups: int = 1
    positions: int = 1  # costed positions per sample (see cost.py)
    pinned: bool = False  # excluded / grouped: never sliced
    in_shape: Optional[Tuple[int, ...]] = None  # the traced input's shape
    # per-sample MACs per weight element spent making the weight in forward
    # (weight standardisation), as mmengine counts them
    weight_cost: float = 0.


@dataclass
class FreeCall:
    """A parameter-free op that mmengine's counter also costs (per element)."""
    op: str
    layout: Layout
    cost_per_channel: int  # per kept channel per sample (mmengine counting)
    owner: Optional[str] = None  # module holding the op's params, if any


@dataclass
class ProductCall:
    """A product of two activations (matmul, bmm, einsum, attention).

    It mixes tokens or heads, not channels of one group: ``macs`` (per
    sample, mmengine counting) is fixed, unless it runs inside an attention
    unit whose heads are searched (``heads``: their layout): it then scales
    with the kept heads.
    """
    op: str
    where: str  # the module that ran it
    macs: float
    heads: Optional[Layout] = None


@dataclass
class SplitSizes:
    """A split of the channels by sizes a module keeps as an attribute
    (MixNet's ``splits``, a gated block's ``split_indices``): export sets
    ``module.attr`` to the kept channels of each piece's layout."""
    module: str
    attr: str
    layouts: List[Layout]


@dataclass
class ChannelGraph:
    model: nn.Module
    nodes: List[ChannelNode]
    calls: Dict[str, List[LayerCall]]
    free_calls: List[FreeCall]
    batch_size: int
    input_shapes: List[List[int]] = field(default_factory=list)
    exclude: Tuple[str, ...] = ()
    scope: Optional[Tuple[str, ...]] = None
    decouple: Tuple[str, ...] = ()
    product_calls: List[ProductCall] = field(default_factory=list)
    # attention units whose heads are one group: [(HeadUnit, head node)]
    heads: List[tuple] = field(default_factory=list)
    # residual widths searched (LayerNorm groups, channel parameters)
    prune_residual: bool = False
    # parameters sliced with a group outside any layer (channel_params.py)
    channel_params: List = field(default_factory=list)
    # split sizes kept as module attributes, updated at export
    split_sizes: List[SplitSizes] = field(default_factory=list)
    # modules whose channels stay whole while their MACs count
    keep_whole: Tuple[str, ...] = ()

    def roots(self) -> List[ChannelNode]:
        """The channel groups: leaf roots after every union and split."""
        seen, roots = set(), []
        for node in self.nodes:
            root = node.find()
            if root.children:
                continue
            if root.uid not in seen:
                seen.add(root.uid)
                roots.append(root)
        return roots

    def layer_names(self) -> List[str]:
        return list(self.calls)


def module_in_prefixes(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + '.') for p in prefixes)
