"""Reach: how far the gates can cut a net's MACs, and what holds the rest;
grouped convs searched in whole groups or with positions tied across
them; a conv sliding along the channels (ECA's conv1d, a lambda layer's
conv3d) pins its group, and the conv3d its module's input, instead of
refusing the net."""
import warnings

import pytest
import torch
from _helpers import export_and_compare, mmengine_macs
from _toy_nets import randomize_bn
from torch import nn

from pas_mm.core import build_search_space
from pas_mm.core.cost.explain import FLOORS


class GroupedBlock(nn.Module):
    """A ResNeXt bottleneck: 1x1, grouped 3x3 (in = out), 1x1, residual."""

    def __init__(self, c=16, width=32, groups=8):
        super().__init__()
        self.conv1 = nn.Conv2d(c, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1, groups=groups,
                               bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, c, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = torch.relu(self.bn2(self.conv2(y)))
        return torch.relu(x + self.bn3(self.conv3(y)))


class ResNeXtLike(nn.Module):

    def __init__(self, expand=False):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.layer1 = nn.Sequential(GroupedBlock(), GroupedBlock())
        # a grouped conv that widens (16 -> 32, groups 4) keeps its groups
        self.widen = nn.Conv2d(16, 32 if expand else 16, 3, padding=1,
                               groups=4)
        self.head = nn.Linear(32 if expand else 16, 10)

    def forward(self, x):
        x = self.layer1(torch.relu(self.stem(x)))
        x = torch.relu(self.widen(x))
        return self.head(x.mean((2, 3)))


class ECA(nn.Module):
    """Efficient channel attention: a conv1d along the pooled channels."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 1, 3, padding=1, bias=False)

    def forward(self, x):
        y = x.mean((2, 3)).view(x.shape[0], 1, -1)
        y = torch.sigmoid(self.conv(y)).view(x.shape[0], -1, 1, 1)
        return x * y


class ECABlock(nn.Module):

    def __init__(self, c=16, width=24):
        super().__init__()
        self.conv1 = nn.Conv2d(c, width, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, c, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(c)
        self.eca = ECA()

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(x + self.eca(self.bn2(self.conv2(y))))


class ECANet(nn.Module):

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.blocks = nn.Sequential(ECABlock(), ECABlock())
        self.head = nn.Linear(16, 10)

    def forward(self, x):
        x = self.blocks(torch.relu(self.stem(x)))
        return self.head(x.mean((2, 3)))


def _space(model, x, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        space = build_search_space(model, x, **kwargs)
    return space, ' '.join(str(w.message) for w in caught)


def test_grouped_convs_search_whole_groups_and_export_exactly():
    torch.manual_seed(0)
    model = ResNeXtLike().eval()
    randomize_bn(model)
    x = torch.randn(2, 3, 8, 8)
    full = mmengine_macs(model, lambda m, t: m(t), x[:1])
    space, _ = _space(model, x[:1])
    inner = [n for n in space.gates if n.endswith('conv1')]
    assert len(inner) == 2  # each block's inner width is searchable
    assert all(space.gates[n].unit == 4 for n in inner)  # 32 / 8 groups
    assert space.gates['stem'].unit == 4  # the stream, read by `widen`
    assert space.full_macs == pytest.approx(full, rel=1e-6)
    compact, spec, diff, macs = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-5
    conv2 = compact.layer1[0].conv2
    kept = conv2.in_channels
    assert kept % 4 == 0 and conv2.groups == kept // 4 < 8
    assert conv2.weight.shape[1] == 4  # still 4 channels per group
    assert mmengine_macs(compact, lambda m, t: m(t), x[:1]) == \
        pytest.approx(macs, rel=1e-6)


def test_a_widening_grouped_conv_keeps_its_groups():
    """16 -> 32 channels in 4 groups: channel j of every group is tied to
    channel j of the others, in and out, so the groups stay 4."""
    torch.manual_seed(0)
    model = ResNeXtLike(expand=True).eval()
    randomize_bn(model)
    x = torch.randn(2, 3, 8, 8)
    space, _ = _space(model, x[:1])
    assert 'widen' in space.gates and space.gates['widen'].num_channels == 8
    compact, spec, diff, macs = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-5, diff
    widen = compact.widen
    assert widen.groups == 4 and widen.out_channels < 32
    assert widen.in_channels % 4 == 0 and widen.out_channels % 4 == 0
    assert mmengine_macs(compact, lambda m, t: m(t), x[:1]) == \
        pytest.approx(macs, rel=1e-6)


class GroupedTransposed(ResNeXtLike):
    """ResNeXtLike ending in a widening grouped transposed conv, which
    stays whole."""

    def __init__(self):
        super().__init__(expand=True)
        self.widen = nn.ConvTranspose2d(16, 32, 3, padding=1, groups=4)


def test_a_pinned_grouped_conv_is_named_by_reach():
    model = GroupedTransposed()
    space, text = _space(model, torch.randn(1, 3, 8, 8))
    reach = space.reach()
    assert reach.ratio == pytest.approx(space.min_macs_ratio(), rel=1e-6)
    assert sum(s for _, s in reach.held) == pytest.approx(reach.ratio)
    holders = dict(reach.held)
    grouped = "grouped conv 'widen' (groups=4)"
    assert grouped in holders and FLOORS in holders
    assert reach.held[0][0] == grouped  # the widening conv holds the most
    assert 'the gates can cut the MACs to' in text and grouped in text


def test_a_conv_along_the_channels_pins_its_group_not_the_net():
    torch.manual_seed(0)
    model = ECANet().eval()
    randomize_bn(model)
    x = torch.randn(2, 3, 8, 8)
    full = mmengine_macs(model, lambda m, t: m(t), x[:1])
    space, _ = _space(model, x[:1])
    assert sorted(space.gates) == ['blocks.0.conv1', 'blocks.1.conv1']
    held = dict(space.reach().held)
    assert any(r.startswith("conv1d in 'blocks.*.eca.conv' slides along "
                            'the channels') for r in held), held
    assert space.full_macs == pytest.approx(full, rel=1e-6)
    _, _, diff, _ = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-5


def test_reach_of_a_fully_searchable_net_is_its_floors():
    space, text = _space(ResNeXtLike(), torch.randn(1, 3, 8, 8))
    reach = space.reach()
    assert reach.ratio < 0.25 and 'the gates can cut' not in text
    assert reach.held[0][0] == FLOORS


class Misaligned(nn.Module):
    """A grouped conv (groups of 4) over a concat of 6 + 10 channels: the
    groups cut through the concat's parts, so whole groups cannot be
    dropped; channel j of every group is tied instead."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 6, 1)
        self.b = nn.Conv2d(3, 10, 1)
        self.grouped = nn.Conv2d(16, 16, 3, padding=1, groups=4)
        self.head = nn.Conv2d(16, 4, 1)

    def forward(self, x):
        y = torch.cat([self.a(x), self.b(x)], 1)
        return self.head(torch.relu(self.grouped(y)))


def test_a_grouped_conv_across_group_borders_ties_positions():
    torch.manual_seed(0)
    x = torch.randn(2, 3, 8, 8)
    space, _ = _space(Misaligned().eval(), x[:1])
    # positions 0-1 and 2-3 of the four groups of the concat, and the
    # grouped conv's own 4 channels per group
    widths = {n: g.num_channels for n, g in space.gates.items()}
    assert widths == {'a': 2, 'b': 2, 'grouped': 4}, widths
    compact, _, diff, _ = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-5, diff
    assert compact.grouped.groups == 4
    assert compact.grouped.in_channels == \
        compact.a.out_channels + compact.b.out_channels


def test_units_survive_unions_and_splits():
    from pas_mm.core.trace.graph import ChannelNode, union
    table = []
    a, b = ChannelNode(table, 12), ChannelNode(table, 12)
    a.unit, b.unit = 2, 3
    root = union(a, b)
    assert root.unit == 6 and not root.pinned
    c, d = ChannelNode(table, 8), ChannelNode(table, 8)
    c.unit, d.unit = 8, 3  # lcm 24 does not tile 8 channels
    assert union(c, d).pinned
    root.split([6, 6])
    assert [child.unit for child in root.children] == [6, 6]
    e = ChannelNode(table, 8)
    e.unit = 4
    e.split([2, 6])
    assert all(child.pinned for child in e.children)


class Ghost(nn.Module):
    """A Ghost module: a primary conv, a cheap depth-wise conv on its
    output, their concat, then the slice to ``oup`` channels."""

    def __init__(self, c_in=8, oup=16):
        super().__init__()
        self.oup = oup
        self.primary = nn.Sequential(nn.Conv2d(c_in, oup // 2, 1),
                                     nn.BatchNorm2d(oup // 2), nn.ReLU())
        self.cheap = nn.Sequential(
            nn.Conv2d(oup // 2, oup // 2, 3, padding=1, groups=oup // 2),
            nn.BatchNorm2d(oup // 2), nn.ReLU())

    def forward(self, x):
        x1 = self.primary(x)
        return torch.cat([x1, self.cheap(x1)], 1)[:, :self.oup]


class GhostNetLike(nn.Module):

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.ghost1 = Ghost(8, 16)
        self.ghost2 = Ghost(16, 8)
        self.head = nn.Linear(8, 10)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        x = x + self.ghost2(self.ghost1(x))
        return self.head(x.mean((2, 3)))


def test_ghost_modules_search_their_primary_and_cheap_halves():
    torch.manual_seed(0)
    model = GhostNetLike().eval()
    randomize_bn(model)
    x = torch.randn(2, 3, 8, 8)
    full = mmengine_macs(model, lambda m, t: m(t), x[:1])
    space, _ = _space(model, x[:1])
    # the primary conv's group spans both halves of the concat
    assert 'ghost1.primary.0' in space.gates
    assert space.reach().ratio < 0.25
    assert space.full_macs == pytest.approx(full, rel=1e-6)
    compact, _, diff, macs = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-5
    kept = compact.ghost1.primary[0].out_channels
    assert kept < 8 and compact.ghost1.cheap[0].groups == kept
    assert mmengine_macs(compact, lambda m, t: m(t), x[:1]) == \
        pytest.approx(macs, rel=1e-6)


class GLU(nn.Module):
    """A gated FFN: one linear to two halves, one gating the other."""

    def __init__(self, c=8, hidden=12):
        super().__init__()
        self.fc1 = nn.Linear(c, 2 * hidden)
        self.fc2 = nn.Linear(hidden, c)

    def forward(self, x):
        a, b = self.fc1(x).chunk(2, dim=-1)
        return x + self.fc2(a * torch.sigmoid(b))


class GLUNet(nn.Module):

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 4, stride=4)
        self.blocks = nn.Sequential(GLU(), GLU())
        self.head = nn.Linear(8, 10)

    def forward(self, x):
        x = self.stem(x).flatten(2).transpose(1, 2)
        return self.head(self.blocks(x).mean(1))


def test_the_halves_of_a_gated_unit_share_one_gate():
    torch.manual_seed(0)
    model = GLUNet().eval()
    x = torch.randn(2, 3, 8, 8)
    full = mmengine_macs(model, lambda m, t: m(t), x[:1])
    space, _ = _space(model, x[:1])
    hidden = [g for n, g in space.gates.items() if n.startswith('blocks')]
    assert [g.num_channels for g in hidden] == [12, 12]
    assert space.full_macs == pytest.approx(full, rel=1e-6)
    compact, _, diff, macs = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-5
    fc1 = compact.blocks[0].fc1
    assert fc1.out_features == 2 * compact.blocks[0].fc2.in_features < 24
    assert mmengine_macs(compact, lambda m, t: m(t), x[:1]) == \
        pytest.approx(macs, rel=1e-6)


class LambdaLike(nn.Module):
    """A lambda layer's position lambdas: a conv3d whose depth slides along
    v's channels, and an output reshaped by the input's width."""

    def __init__(self, c=8):
        super().__init__()
        self.v = nn.Conv2d(c, c, 1)
        self.conv_lambda = nn.Conv3d(1, 2, (3, 3, 1), padding=(1, 1, 0))

    def forward(self, x):
        b, c, h, w = x.shape
        v = self.v(x).permute(0, 2, 3, 1).reshape(b, 1, h, w, c)
        lam = self.conv_lambda(v).mean(1)  # B, H, W, C
        return lam.permute(0, 3, 1, 2).reshape(b, c, h, w)


class LambdaNet(nn.Module):

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.inner = nn.Conv2d(8, 8, 3, padding=1)
        self.lam = LambdaLike()
        self.head = nn.Conv2d(8, 4, 1)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        return self.head(torch.relu(self.lam(torch.relu(self.inner(x)))))


def test_a_conv3d_along_the_channels_pins_its_module_not_the_net():
    torch.manual_seed(0)
    x = torch.randn(2, 3, 8, 8)
    space, _ = _space(LambdaNet().eval(), x[:1])
    assert sorted(space.gates) == ['stem']  # the layer's input stays whole
    held = ' '.join(r for r, _ in space.reach().held)
    assert "conv3d in 'lam.conv_lambda' slides along the channels" in held
    assert "input of 'lam'" in str([n.pinned for n in space.graph.roots()])
    _, _, diff, _ = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-5, diff
