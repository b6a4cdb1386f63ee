"""Layers whose statistics read a whole group: weight-standardised convs
(statistics over the kept input channels while searching) and GroupNorm
(whole norm groups kept or dropped). Each exports exactly, with the
space's MACs at the pruned widths equal to mmengine.analysis' count of the
compact model."""
import pytest
import timm
import torch
import torch.nn.functional as F
from _helpers import export_and_compare, mmengine_macs, plain, quiet_space
from timm.layers import ScaledStdConv2d, StdConv2d
from torch import nn

from pas_mm.core.search.masked_norm import masked_weight_standardisation
from pas_mm.core.trace.graph import LayerKind


class StdConvNet(nn.Module):
    """stem -> weight-standardised convs, dense and depth-wise -> head."""

    def __init__(self, conv=ScaledStdConv2d):
        super().__init__()
        self.stem = conv(3, 16, 3, padding=1)
        self.conv1 = conv(16, 24, 3, padding=1)
        self.dw = conv(24, 24, 3, padding=1, groups=6)  # groups of 4
        self.conv2 = conv(24, 8, 1)
        self.head = nn.Linear(8, 10)

    def forward(self, x):
        x = F.silu(self.stem(x))
        x = F.silu(self.conv1(x))
        x = F.silu(self.dw(x))
        return self.head(F.silu(self.conv2(x)).mean((2, 3)))


def test_masked_standardisation_is_standardisation_over_kept_entries():
    w = torch.randn(1, 4, 18)
    mask = torch.tensor([1., 0., 1.]).repeat_interleave(6)
    gain = torch.rand(4) + 0.5
    out = masked_weight_standardisation(w, mask, gain, None, 1e-6)
    kept = w[..., mask.bool()]
    ref = F.batch_norm(kept, None, None, gain, training=True, momentum=0.,
                       eps=1e-6)
    assert torch.allclose(out[..., mask.bool()], ref, atol=1e-5)


@pytest.mark.parametrize('conv', [StdConv2d, ScaledStdConv2d])
def test_weight_standardised_convs_are_searched_and_export_exactly(conv):
    torch.manual_seed(0)
    model = StdConvNet(conv).eval()
    x = torch.randn(2, 3, 16, 16)
    full = mmengine_macs(model, plain, x[:1])
    space = quiet_space(model, x[:1])
    kinds = {n: c[0].kind for n, c in space.graph.calls.items()}
    assert kinds['conv1'] is LayerKind.STD_CONV
    assert kinds['dw'] is LayerKind.STD_DWCONV
    assert space.gates[space.group_names[
        space.graph.calls['dw'][0].in_layout.nodes()[0].uid]].unit == 4
    assert abs(space.full_macs - full) / full <= 0.01, (space.full_macs, full)
    compact, _, diff, macs = export_and_compare(space, lambda m: m(x))
    # without the masked statistics the compact convs would standardise
    # over other fan-ins, and differ by far more than this
    assert diff <= 1e-4, diff
    assert compact.conv1.out_channels < 24 and compact.dw.groups < 6
    if conv is ScaledStdConv2d:
        assert compact.conv1.gain.shape[0] == compact.conv1.out_channels
    counted = mmengine_macs(compact, plain, x[:1])
    assert abs(macs - counted) / counted <= 0.01, (macs, counted)


class GroupNormNet(nn.Module):
    """A conv-GN-ReLU residual block, a functional group norm and a
    GroupNorm over all channels at once."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.gn0 = nn.GroupNorm(4, 16)
        self.conv1 = nn.Conv2d(16, 32, 3, padding=1)
        self.gn1 = nn.GroupNorm(8, 32)
        self.conv2 = nn.Conv2d(32, 16, 1)
        self.gn2 = nn.GroupNorm(4, 16)
        self.conv3 = nn.Conv2d(16, 12, 1)
        self.conv4 = nn.Conv2d(12, 12, 1)
        self.gn_all = nn.GroupNorm(1, 12)
        self.head = nn.Linear(12, 10)

    def forward(self, x):
        x = torch.relu(self.gn0(self.stem(x)))
        y = torch.relu(self.gn1(self.conv1(x)))
        x = torch.relu(x + self.gn2(self.conv2(y)))
        x = torch.relu(F.group_norm(self.conv3(x), 3))  # no module
        x = self.gn_all(self.conv4(x))
        return self.head(x.mean((2, 3)))


def test_group_norms_keep_or_drop_whole_groups():
    torch.manual_seed(0)
    model = GroupNormNet().eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.GroupNorm):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
    x = torch.randn(2, 3, 16, 16)
    space = quiet_space(model, x[:1])
    unit = {n: space.gates[n].unit for n in space.gates}
    assert unit == {'stem': 4, 'conv1': 4}, unit  # 16 / 4 and 32 / 8
    held = dict(space.reach().held)
    assert any('(functional)' in k for k in held), held
    assert any('(over all channels)' in k for k in held), held
    compact, spec, diff, macs = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-4, diff
    kept = {n: spec['groups'][n]['kept'] for n in ('stem', 'conv1')}
    assert compact.gn0.num_groups == compact.gn2.num_groups == \
        kept['stem'] // 4
    assert compact.gn1.num_groups == kept['conv1'] // 4
    assert kept['stem'] < 16 and kept['conv1'] < 32
    counted = mmengine_macs(compact, plain, x[:1])
    assert abs(macs - counted) / counted <= 0.01, (macs, counted)


@pytest.mark.parametrize('name', ['nf_resnet26', 'resnet50_gn'])
def test_nf_and_group_norm_resnets_reach_a_quarter(name):
    torch.manual_seed(0)
    model = timm.create_model(name, pretrained=False, num_classes=10).eval()
    x = torch.randn(2, 3, 64, 64)
    space = quiet_space(model, x[:1])
    assert space.reach().ratio <= 0.25
    compact, _, diff, macs = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-4, diff
    counted = mmengine_macs(compact, plain, x[:1])
    assert abs(macs - counted) / counted <= 0.01, (macs, counted)
