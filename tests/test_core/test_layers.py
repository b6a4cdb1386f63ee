"""Each layer kind's rules in one place: every kind has one, and a rule's
slice, MACs and standalone copy agree with the layer it describes."""
import pytest
import torch
from torch import nn

from pas_mm.core.trace.graph import ChannelNode, LayerCall, LayerKind, Layout
from pas_mm.core.trace.layer_rules import RULES, rule_of


def test_every_layer_kind_has_its_rule():
    assert set(RULES) == set(LayerKind)
    assert all(rule.kind is kind for kind, rule in RULES.items())
    mixing = {k for k, r in RULES.items() if r.mixes_channels}
    assert mixing == {LayerKind.CONV, LayerKind.STD_CONV,
                      LayerKind.GROUPED_CONV, LayerKind.CONV_T,
                      LayerKind.LINEAR, LayerKind.DIAG}
    assert {k for k, r in RULES.items() if not r.costed} == {
        LayerKind.NORM, LayerKind.DIAG, LayerKind.LAYER_NORM}
    assert {k for k, r in RULES.items() if r.normalises_channels} == {
        LayerKind.LAYER_NORM}
    assert {k for k, r in RULES.items() if r.standardises_weight} == {
        LayerKind.STD_CONV}
    # their forward calls F.conv2d with the weight it makes
    assert {k for k, r in RULES.items() if not r.weight_side_mask} == {
        LayerKind.STD_CONV, LayerKind.STD_DWCONV}


def _layout(channels):
    return Layout(1, ((ChannelNode([], channels), channels), ))


def _call(kind, c_in, c_out, kernel=9, groups=1, positions=16):
    return LayerCall('layer', kind, _layout(c_in), _layout(c_out), kernel,
                     groups, positions)


@pytest.mark.parametrize('kind, layer, x', [
    (LayerKind.CONV, nn.Conv2d(6, 8, 3, padding=1), torch.randn(2, 6, 4, 4)),
    (LayerKind.CONV_T, nn.ConvTranspose2d(6, 8, 3, stride=2),
     torch.randn(2, 6, 4, 4)),
    (LayerKind.LINEAR, nn.Linear(6, 8), torch.randn(2, 5, 6)),
])
def test_a_sliced_layer_computes_the_kept_part_of_the_full_one(
        kind, layer, x):
    rule = rule_of(kind)
    in_idx, out_idx = torch.tensor([0, 2, 5]), torch.tensor([1, 3, 4, 7])
    dim = rule.channel_dim
    masked = x.clone()
    drop = [i for i in range(6) if i not in in_idx.tolist()]
    masked.index_fill_(dim % x.dim(), torch.tensor(drop), 0.0)
    with torch.no_grad():
        want = layer(masked).index_select(dim % x.dim(), out_idx)
        rule.slice(None, 'layer', layer, in_idx, out_idx, 6, 8)
        got = layer(x.index_select(dim % x.dim(), in_idx))
    torch.testing.assert_close(got, want)
    fresh = rule.standalone(layer, _call(kind, 3, 4), 3, 4)
    assert type(fresh) is type(layer)
    assert rule.filter_scores(layer).shape == (4, )


def test_depthwise_macs_and_slice_follow_one_layout():
    rule = rule_of(LayerKind.DWCONV)
    call = _call(LayerKind.DWCONV, 8, 8, kernel=9, groups=8, positions=16)
    assert rule.macs(call, 4, 4) == 9 * 4 * 16
    assert rule_of(LayerKind.CONV).macs(call, 8, 8) == 9 * 8 / 8 * 8 * 16
    conv = nn.Conv2d(8, 8, 3, groups=8)
    rule.slice(None, 'dw', conv, torch.tensor([0, 5]), None, 8, 8)
    assert conv.groups == conv.in_channels == conv.out_channels == 2
    assert rule.same_channels and not rule.mixes_channels


def test_a_grouped_conv_keeps_the_same_positions_in_every_group():
    """6 -> 8 channels in 2 groups, positions tied across the groups:
    the compact conv has 2 groups of the kept positions."""
    rule = rule_of(LayerKind.GROUPED_CONV)
    conv = nn.Conv2d(6, 8, 3, padding=1, groups=2)
    x = torch.randn(2, 6, 4, 4)
    in_idx = torch.tensor([0, 2, 3, 5])  # positions 0 and 2 of each group
    out_idx = torch.tensor([1, 2, 5, 6])  # positions 1 and 2 of each group
    masked = x.clone()
    masked[:, [1, 4]] = 0
    with torch.no_grad():
        want = conv(masked)[:, out_idx]
        rule.slice(None, 'g', conv, in_idx, out_idx, 6, 8)
        got = conv(x[:, in_idx])
    torch.testing.assert_close(got, want)
    assert (conv.groups, conv.in_channels, conv.out_channels) == (2, 4, 4)
    call = _call(LayerKind.GROUPED_CONV, 6, 8, groups=2)
    assert rule.macs(call, 4, 4) == 9 * 4 / 2 * 4 * 16
    assert rule.standalone(conv, call, 3, 4).groups == 1  # gcd(2, 3, 4)


def test_a_grouped_conv_keeps_whole_groups():
    """in = out, 2 groups of 4: kept in whole groups, it stays grouped."""
    rule = rule_of(LayerKind.DWCONV)
    call = _call(LayerKind.DWCONV, 8, 8, kernel=9, groups=2, positions=16)
    assert rule.macs(call, 8, 8) == \
        rule_of(LayerKind.CONV).macs(call, 8, 8) == 9 * 4 * 8 * 16
    assert rule.macs(call, 4, 4) == 9 * 4 * 4 * 16
    conv = nn.Conv2d(8, 8, 3, groups=2)
    weight = conv.weight.detach().clone()
    rule.slice(None, 'g', conv, torch.arange(4, 8), None, 8, 8)
    assert conv.groups == 1 and conv.in_channels == conv.out_channels == 4
    assert torch.equal(conv.weight, weight[4:])
    standalone = rule.standalone(nn.Conv2d(8, 8, 3, groups=2), call, 4, 4)
    assert standalone.groups == 1 and standalone.in_channels == 4


def test_a_norm_is_scored_by_its_scale_on_its_input_channels():
    bn = nn.BatchNorm2d(4)
    with torch.no_grad():
        bn.weight.copy_(torch.tensor([1., -2., 3., 4.]))
    rule = rule_of(LayerKind.NORM)
    call = LayerCall('bn', LayerKind.NORM, Layout(1, ()), Layout(1, ()))
    assert rule.scored_layout(call) is call.in_layout
    assert torch.equal(rule.gamma_scores(bn), bn.weight)
    assert rule.filter_scores(bn) is None and rule.macs(call, 4, 4) == 0.
    rule.slice(None, 'bn', bn, torch.tensor([1, 3]), None, 4, 4)
    assert bn.num_features == 2 and bn.running_mean.shape == (2, )
