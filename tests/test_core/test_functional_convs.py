"""Convolutions whose weight is not a plain parameter are costed and export
exactly: a weight-standardised conv is searched (its statistics over the
kept input channels); a fixed filter in a buffer, or a weight computed
some other way, leaves its channels whole."""
import warnings

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from pas_mm.core import build_search_space, export


class BlurPool(nn.Module):
    """A fixed depth-wise filter held in a buffer (anti-aliasing)."""

    def __init__(self, channels):
        super().__init__()
        self.register_buffer('filt', torch.ones(channels, 1, 3, 3) / 9)
        self.channels = channels

    def forward(self, x):
        return F.conv2d(x, self.filt, padding=1, groups=self.channels)


class StdConv2d(nn.Conv2d):
    """Weight standardisation: the weight is normalised in forward."""

    def forward(self, x):
        w = F.batch_norm(self.weight.reshape(1, self.out_channels, -1), None,
                         None, training=True, momentum=0.,
                         eps=1e-5).reshape_as(self.weight)
        return F.conv2d(x, w, self.bias, self.stride, self.padding)


class HalvedConv2d(nn.Conv2d):
    """A weight computed in forward by a rule pas-mm does not know."""

    def forward(self, x):
        return F.conv2d(x, self.weight * 0.5, self.bias, self.stride,
                        self.padding)


class Net(nn.Module):

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), BlurPool(16),
            nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
            StdConv2d(16, 16, 3, padding=1), nn.ReLU(),
            HalvedConv2d(16, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 8, 1))

    def forward(self, x):
        return self.body(x)


def test_functional_convs_are_costed_pinned_and_export_exactly():
    torch.manual_seed(0)
    net = Net().eval()
    x = torch.randn(1, 3, 16, 16)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        net(x)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # most MACs are pinned here
        space = build_search_space(net, x)
    # every conv's MACs (the flop counter's, halved), within 1 %: the
    # standardised conv used to be left out (15 % of a WS-conv net)
    conv_macs = counter.get_total_flops() / 2
    assert abs(space.full_macs - conv_macs) <= 0.01 * conv_macs
    # the buffer filter and the computed weight keep their channels; the
    # standardised conv's input is searched
    assert list(space.gates) == ['body.3']
    reasons = ' '.join(str(n.pinned) for n in space.graph.roots())
    assert "'body.2' reads a buffer" in reasons
    assert "'body.7' reads a weight computed in forward" in reasons
    space.gates['body.3'].latent.data[::2] = 0.0
    with torch.no_grad():
        gated = net(x)
    compact, _ = export(space)
    with torch.no_grad():
        assert torch.allclose(compact(x), gated, atol=1e-5)
    assert compact.body[5].in_channels == 8
    assert compact.body[5].out_channels == 16


def test_a_macs_count_that_disagrees_with_pytorch_is_named():
    """PyTorch's FlopCounterMode is the second count: the whole-model spaces
    of this file and torchvision's agree with it; a space that leaves a
    layer out (here an excluded one) is named in the warning."""
    from torchvision.models import mobilenet_v3_small

    from pas_mm.core.cost.macs_check import macs_disagreements
    x = torch.randn(1, 3, 16, 16)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert macs_disagreements(build_search_space(Net().eval(), x), x) \
            == []
        net = mobilenet_v3_small().eval()
        y = torch.randn(1, 3, 64, 64)
        assert macs_disagreements(build_search_space(net, y), y) == []
        partial = build_search_space(Net().eval(), x, exclude=['body.5'])
    lines = macs_disagreements(partial, x)
    assert len(lines) == 1 and 'body.5' in lines[0] and \
        'FlopCounterMode' in lines[0]


class WideStdNet(nn.Module):
    """A weight-standardised conv whose weight is large beside its input,
    so that the standardisation's cost shows in the total."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 64, 1)
        self.ws = StdConv2d(64, 64, 3, padding=1)
        self.head = nn.Conv2d(64, 8, 1)

    def forward(self, x):
        return self.head(F.relu(self.ws(F.relu(self.stem(x)))))


def test_weight_standardisation_is_costed_as_mmengine_counts_it():
    """F.batch_norm(training=True) computes its statistics: mmengine costs
    it 4 per element (5 with affine), not the 1 of an eval BN."""
    from _helpers import mmengine_macs
    torch.manual_seed(0)
    net = WideStdNet().eval()
    x = torch.randn(1, 3, 4, 4)
    full = mmengine_macs(net, lambda m, t: m(t), x)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        space = build_search_space(net, x)
    assert abs(space.full_macs / full - 1) <= 0.01, (space.full_macs, full)
