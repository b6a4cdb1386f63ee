"""The channel tracer on small plain-PyTorch nets: one feature each."""

import pytest
import torch
from _toy_nets import SplitSE, UNetLike
from torch import nn

from pas_mm.core import UnsupportedOpError, build_search_space


def test_groups_follow_concat_split_and_depthwise():
    model = SplitSE()
    space = build_search_space(model, torch.randn(1, 3, 8, 8))
    sizes = {n: g.num_channels for n, g in space.gates.items()}
    # the stem is split by a constant in forward(): never pruned. a and b
    # are concatenated, pass the depth-wise conv and are scaled by the SE
    # output, so fc2's 16 outputs are split into a's 8 and b's 8.
    assert sizes == {'a.0': 8, 'b.0': 8, 'fc1': 4}
    stem = [r for r in space.graph.roots() if 'stem.0' in r.producers]
    assert stem and 'split of the channel dim' in stem[0].pinned[0]


def test_outputs_and_inputs_are_never_gated():
    model = UNetLike()
    space = build_search_space(model, torch.randn(1, 3, 8, 8))
    assert 'out' not in space.gates  # produces the network output
    assert all(g.num_channels != 3 for g in space.gates.values())


def test_exclude_and_scope():
    model = SplitSE()
    space = build_search_space(model, torch.randn(1, 3, 8, 8),
                               exclude=['a', 'b'])
    assert not any(n.startswith(('a.', 'b.')) for n in space.gates)
    space.remove()
    with pytest.raises(ValueError, match="'neck' names no module"):
        build_search_space(SplitSE(), torch.randn(1, 3, 8, 8),
                           scope=['neck'])


def test_unknown_op_names_op_and_suggests_exclude():

    class Odd(nn.Module):

        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3)
            self.tail = nn.Conv2d(8, 8, 1)

        def forward(self, x):
            return self.tail(torch.special.erfcx(self.conv(x)))

    with pytest.raises(UnsupportedOpError, match=r"'special_erfcx'.*exclude"):
        build_search_space(Odd(), torch.randn(1, 3, 8, 8))
    # excluding the module that calls it gives a space without that group
    space = build_search_space(Odd(), torch.randn(1, 3, 8, 8), exclude=[''])
    assert not space.gates
