"""The MACs rules (pas_mm.core.cost.macs) against hand counts and mmengine."""
import pytest
import torch
from mmengine import analysis
from torch import nn

from pas_mm.core import build_search_space, trace_channels
from pas_mm.core.cost.macs import graph_macs, layer_macs
from pas_mm.core.trace.graph import LayerKind


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1, bias=False)  # 8x8 out
        self.bn = nn.BatchNorm2d(8)
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False)
        self.up = nn.Upsample(scale_factor=2, mode='bilinear')
        self.convt = nn.ConvTranspose2d(8, 4, 2, stride=2, bias=False)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4, 5)

    def forward(self, x):
        x = self.dw(torch.relu(self.bn(self.conv(x))))
        x = self.convt(self.up(x))
        return self.fc(self.pool(x).flatten(1))


def _hand_count():
    conv = 9 * 3 * 8 * 64
    bn = 2 * 8 * 64  # eval BN with affine params: 2 per element
    dw = 9 * 8 * 64
    up = 4 * 8 * 256  # bilinear: 4 per output element
    convt = 4 * 8 * 4 * 256  # per *input* position
    pool = 4 * 32 * 32  # adaptive average pooling: 1 per input element
    fc = 4 * 5
    return conv + bn + dw + up + convt + pool + fc


def test_graph_macs_matches_a_hand_count():
    graph = trace_channels(_Net(), torch.zeros(2, 3, 8, 8))
    full = graph_macs(graph, lambda layout: layout.size)
    assert float(full) == _hand_count()  # per sample, whatever the batch


def test_graph_macs_matches_mmengine():
    net = _Net().eval()
    x = torch.zeros(1, 3, 8, 8)
    ours = float(graph_macs(trace_channels(net, x), lambda lay: lay.size))
    theirs = analysis.FlopAnalyzer(net, (x, )).unsupported_ops_warnings(
        False).uncalled_modules_warnings(False).total()
    assert ours == theirs


def test_layer_kinds_are_costed_by_their_rule():
    graph = trace_channels(_Net(), torch.zeros(1, 3, 8, 8))
    kinds = {name: calls[0].kind for name, calls in graph.calls.items()}
    assert kinds == {'conv': LayerKind.CONV, 'bn': LayerKind.NORM,
                     'dw': LayerKind.DWCONV, 'convt': LayerKind.CONV_T,
                     'fc': LayerKind.LINEAR}
    dw = graph.calls['dw'][0]
    assert layer_macs(dw, 4, 4) == 9 * 4 * 64  # depth-wise: c_in only
    assert layer_macs(graph.calls['bn'][0], 8, 8) == 0.  # a free call
    assert [f.op for f in graph.free_calls] == [
        'batch_norm', 'interpolate', 'adaptive_avg_pool2d']


def test_fold_drops_a_layer_and_its_free_calls():
    graph = trace_channels(_Net(), torch.zeros(1, 3, 8, 8))
    full = float(graph_macs(graph, lambda lay: lay.size))
    folded = float(graph_macs(graph, lambda lay: lay.size, fold=('bn', )))
    assert full - folded == 2 * 8 * 64


def test_space_macs_are_differentiable_in_the_kept_counts():
    net = _Net()
    space = build_search_space(net, torch.zeros(1, 3, 8, 8))
    assert space.full_macs == _hand_count()
    macs = space.macs()
    macs.backward()
    grads = [g.latent.grad for g in space.gates.values()]
    assert all(g is not None and float(g.abs().sum()) > 0 for g in grads)


class _TinyViT(nn.Module):
    """A class token concatenated to the patch tokens (an untracked
    parameter), then LayerNorm and an MLP over the token features."""

    def __init__(self, dim=16):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, 4, 4)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, 4 * dim)
        self.fc2 = nn.Linear(4 * dim, dim)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), dim=1)
        return self.fc2(torch.relu(self.fc1(self.norm(x))))[:, 0]


def test_pinned_linears_are_still_costed():
    """A LayerNorm and a linear whose input lost track of its channels
    (the token stream behind a cat with a class token) read the last dim:
    that input group is pinned, yet costed, and the MLP's hidden width
    stays searchable (DeiT-tiny read 43 % of its MACs, then had 0 gates,
    before this)."""
    net = _TinyViT().eval()
    x = torch.zeros(1, 3, 16, 16)
    graph = trace_channels(net, x)
    fc1 = graph.calls['fc1'][0]
    assert fc1.in_layout.dim == 2 and fc1.in_layout.nodes()[0].find().pinned
    assert not fc1.pinned and not fc1.out_layout.nodes()[0].find().pinned
    ours = float(graph_macs(graph, lambda lay: lay.size))
    theirs = analysis.FlopAnalyzer(net, (x, )).unsupported_ops_warnings(
        False).uncalled_modules_warnings(False).total()
    assert ours == pytest.approx(theirs, rel=1e-6)


def test_string_padded_convs_count_in_mmengine_too():
    """padding='same' traces to aten::_convolution_mode, which mmengine's
    counter skips without pas_mm.compat.flop_handles."""
    from _helpers import mmengine_macs
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding='same'), nn.ReLU(),
                          nn.Conv2d(8, 8, 5, padding='same', groups=8),
                          nn.Conv2d(8, 4, 1))

    class Net(nn.Module):

        def __init__(self):
            super().__init__()
            self.body = model

        def forward(self, x):
            return self.body(x)

    net = Net().eval()
    x = torch.randn(1, 3, 8, 8)
    space = build_search_space(net, x)
    expected = (9 * 3 * 8 + 25 * 8 + 8 * 4) * 64
    assert space.full_macs == expected
    assert mmengine_macs(net, lambda m, t: m(t), x) == expected
