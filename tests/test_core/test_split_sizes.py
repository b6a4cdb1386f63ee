"""A channel split by sizes its module keeps as an attribute (MixNet's
mixed-kernel convs, a gated CNN block's split indices): every piece is
searched, and export sets the attribute to the kept widths. Sizes the
trace cannot tie to one attribute still pin their group."""
import torch
import torch.nn.functional as F
from _helpers import export_and_compare, mmengine_macs, plain, quiet_space
from timm.layers import MixedConv2d
from torch import nn


class MixNetLike(nn.Module):
    """1x1 expansion, a mixed-kernel depth-wise conv (3 kernel sizes over
    unequal splits), 1x1 projection."""

    def __init__(self):
        super().__init__()
        self.expand = nn.Conv2d(3, 20, 1)
        self.mixed = MixedConv2d(20, 20, [3, 5, 7], depthwise=True)
        self.project = nn.Conv2d(20, 8, 1)

    def forward(self, x):
        return self.project(F.relu(self.mixed(F.relu(self.expand(x)))))


class GatedBlock(nn.Module):
    """MambaOut's gated CNN: fc1 -> (gate | identity | conv) split by
    ``split_indices``, gate * cat(identity, conv(conv part)) -> fc2."""

    def __init__(self, dim=8, hidden=12, conv=4):
        super().__init__()
        self.fc1 = nn.Linear(dim, 2 * hidden)
        self.split_indices = (hidden, hidden - conv, conv)
        self.conv = nn.Conv2d(conv, conv, 3, padding=1, groups=conv)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):  # x: (B, H, W, C)
        g, i, c = torch.split(self.fc1(x), self.split_indices, dim=-1)
        c = self.conv(c.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
        return x + self.fc2(F.gelu(g) * torch.cat((i, c), dim=-1))


class GatedNet(nn.Module):

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.block = GatedBlock()
        self.head = nn.Linear(8, 10)

    def forward(self, x):
        x = self.block(self.stem(x).permute(0, 2, 3, 1))
        return self.head(x.mean((1, 2)))


class ConstantSplit(nn.Module):
    """Split sizes written in the code, not kept by the module."""

    def __init__(self):
        super().__init__()
        self.expand = nn.Conv2d(3, 12, 1)
        self.head = nn.Conv2d(8, 4, 1)

    def forward(self, x):
        a, b = torch.split(self.expand(x), [8, 4], dim=1)
        return self.head(a) + b.mean(1, keepdim=True)


def test_mixed_kernel_splits_are_searched_per_split():
    torch.manual_seed(0)
    model = MixNetLike().eval()
    x = torch.randn(2, 3, 16, 16)
    space = quiet_space(model, x[:1])
    # one gate per split of the expansion
    widths = sorted(g.num_channels for g in space.gates.values())
    assert widths == sorted(model.mixed.splits)
    compact, _, diff, macs = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-4, diff
    splits = compact.mixed.splits
    assert sum(splits) == compact.expand.out_channels < 20
    assert [c.in_channels for c in compact.mixed.values()] == splits
    counted = mmengine_macs(compact, plain, x[:1])
    assert abs(macs - counted) / counted <= 0.01, (macs, counted)


def test_a_gated_block_keeps_its_split_indices_consistent():
    torch.manual_seed(0)
    model = GatedNet().eval()
    x = torch.randn(2, 3, 8, 8)
    space = quiet_space(model, x[:1])
    assert space.reach().ratio < 0.5
    compact, _, diff, macs = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-4, diff
    gate, identity, conv = compact.block.split_indices
    assert isinstance(compact.block.split_indices, tuple)
    assert gate == identity + conv == compact.block.fc2.in_features
    assert compact.block.fc1.out_features == 2 * gate < 24
    assert compact.block.conv.in_channels == conv
    counted = mmengine_macs(compact, plain, x[:1])
    assert abs(macs - counted) / counted <= 0.01, (macs, counted)


def test_split_sizes_written_in_the_code_pin_their_group():
    model = ConstantSplit().eval()
    space = quiet_space(model, torch.randn(1, 3, 8, 8))
    assert 'expand' not in space.gates
    held = dict(space.reach().held)
    assert any('split of the channel dim' in k for k in held), held
