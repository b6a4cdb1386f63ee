"""The channel tracer on small plain-PyTorch nets: one feature each."""
import json

import pytest
import torch
import torch.nn.functional as F
from _helpers import export_and_compare
from torch import nn

from pas_mm.core import (BudgetError, UnsupportedOpError, WidthSpecError,
                         apply_width_spec, build_search_space, export,
                         reparameterize)


def conv_bn(cin, cout, k=3, stride=1, groups=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout), nn.ReLU())


class UNetLike(nn.Module):
    """Skip concatenation + transposed conv + instance norm + reflect pad."""

    def __init__(self):
        super().__init__()
        self.down = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(3, 8, 3),
                                  nn.InstanceNorm2d(8, affine=True),
                                  nn.LeakyReLU(0.2))
        self.inner = nn.Conv2d(8, 16, 4, 2, 1)
        self.up = nn.ConvTranspose2d(16, 8, 4, 2, 1)
        self.out = nn.Conv2d(16, 3, 3, padding=1)

    def forward(self, x):
        d = self.down(x)
        u = self.up(F.relu(self.inner(d)))
        return torch.tanh(self.out(torch.cat([d, u], 1)))


class SplitSE(nn.Module):
    """Channel split + depth-wise conv + squeeze-excitation scaling."""

    def __init__(self):
        super().__init__()
        self.stem = conv_bn(3, 8)
        self.a = conv_bn(4, 8)
        self.b = conv_bn(4, 8)
        self.dw = conv_bn(16, 16, groups=16)
        self.fc1 = nn.Conv2d(16, 4, 1)
        self.fc2 = nn.Conv2d(4, 16, 1)
        self.head = nn.Linear(16, 5)

    def forward(self, x):
        s = self.stem(x)
        a, b = s.split(4, dim=1)
        y = self.dw(torch.cat([self.a(a), self.b(b)], 1))
        w = torch.sigmoid(self.fc2(F.relu(self.fc1(y.mean((2, 3),
                                                          keepdim=True)))))
        y = y * w
        return self.head(torch.flatten(F.adaptive_avg_pool2d(y, 1), 1))


class RepBlock(nn.Module):
    """mmpretrain RepVGGBlock layout: 3x3 + 1x1 + identity BN, summed."""

    def __init__(self, c):
        super().__init__()
        self.branch_3x3 = nn.Sequential()
        self.branch_3x3.add_module('conv',
                                   nn.Conv2d(c, c, 3, 1, 1, bias=False))
        self.branch_3x3.add_module('norm', nn.BatchNorm2d(c))
        self.branch_1x1 = nn.Sequential()
        self.branch_1x1.add_module('conv', nn.Conv2d(c, c, 1, bias=False))
        self.branch_1x1.add_module('norm', nn.BatchNorm2d(c))
        self.branch_norm = nn.BatchNorm2d(c)

    def forward(self, x):
        if getattr(self, 'deploy', False):
            return F.relu(self.branch_reparam(x))
        return F.relu(self.branch_3x3(x) + self.branch_1x1(x) +
                      self.branch_norm(x))


class RepNet(nn.Module):

    def __init__(self):
        super().__init__()
        self.stem = conv_bn(3, 8)
        self.blocks = nn.Sequential(RepBlock(8), RepBlock(8), RepBlock(8))
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)).mean((2, 3)))


def randomize_bn(model, seed=0):
    gen = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen))
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + .5)
            m.weight.data.copy_(torch.randn(m.num_features, generator=gen))
            m.bias.data.copy_(torch.randn(m.num_features, generator=gen))


@pytest.mark.parametrize('net', [UNetLike, SplitSE])
def test_exact_export(net):
    torch.manual_seed(0)
    model = net()
    randomize_bn(model)
    x = torch.randn(2, 3, 16, 16)
    space = build_search_space(model, x)
    assert space.gates
    compact, spec, diff, macs = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-5
    assert not hasattr(compact, 'pas_gates')
    json.dumps(spec)  # JSON-serialisable
    assert spec['macs']['compact'] == pytest.approx(macs)


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


def test_budget_loss_moves_latents_and_bad_targets():
    model = SplitSE()
    space = build_search_space(model, torch.randn(1, 3, 8, 8))
    assert float(space.macs()) == pytest.approx(space.full_macs)
    loss = space.budget_loss(0.5, weight=5.0)
    assert loss.item() == pytest.approx(5 * 0.25)
    before = {n: g.latent.detach().clone() for n, g in space.gates.items()}
    opt = torch.optim.SGD([g.latent for g in space.gates.values()], lr=0.1)
    loss.backward()
    opt.step()
    assert all((g.latent < before[n]).all() for n, g in space.gates.items())
    assert space.budget_loss(1.0, mode='hinge').item() == 0.0
    for bad in (0, 1.5, -0.1, 'half'):
        with pytest.raises(BudgetError, match='target_ratio'):
            space.budget_loss(bad)


def test_round_to_and_min_channels_reopen_best_latents():
    model = SplitSE()
    x = torch.randn(1, 3, 8, 8)
    space = build_search_space(model, x, round_to=4, min_channels=2)
    with torch.no_grad():
        for gate in space.gates.values():
            gate.latent.copy_(torch.linspace(0.49, 0.0, gate.num_channels))
            gate.latent[0] = 0.9  # one kept channel per group
    model.eval()
    space.apply_constraints()
    with torch.no_grad():
        ref = model(x)
    compact, spec = export(space)
    with torch.no_grad():
        assert (compact(x) - ref).abs().max() <= 1e-5
    for name, group in spec['groups'].items():
        assert group['kept'] % 4 == 0 or group['kept'] == group['channels']
        # the re-opened channels are the highest latents: 0, then 1, 2, 3
        assert group['indices'][:4] == [0, 1, 2, 3]


def test_apply_width_spec_and_mismatch():
    x = torch.randn(1, 3, 16, 16)
    space = build_search_space(UNetLike(), x)
    _, spec, _, _ = export_and_compare(space, lambda m: m(x))
    fresh = apply_width_spec(UNetLike(), spec)
    assert fresh.inner.out_channels == spec['groups']['inner']['kept']
    assert fresh(x).shape == (1, 3, 16, 16)
    with pytest.raises(WidthSpecError, match='does not match SplitSE'):
        apply_width_spec(SplitSE(), spec)
    bad = json.loads(json.dumps(spec))
    bad['groups']['inner']['channels'] = 99
    with pytest.raises(WidthSpecError, match="'inner' has 99 channels"):
        apply_width_spec(UNetLike(), bad)


def test_repvgg_partial_identity_export_and_reparam():
    torch.manual_seed(0)
    model = RepNet()
    randomize_bn(model)
    x = torch.randn(2, 3, 12, 12)
    space = build_search_space(model, x, decouple=['*.branch_norm'])
    # each block output is its own group: per-layer widths
    assert len(space.gates) == 4
    compact, spec, diff, _ = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-5
    widths = [g['kept'] for g in spec['groups'].values()]
    assert len(set(widths)) > 1
    with torch.no_grad():
        before = compact(x)
        assert reparameterize(compact) == 3
        after = compact(x)
    assert not any(isinstance(m, nn.BatchNorm2d)
                   for m in compact.blocks.modules())
    assert (before - after).abs().max() / before.abs().max() <= 1e-5


def test_weight_side_masking_matches_activation_side():
    """Big activations are masked through the conv weight instead: same
    outputs and the same latent gradients as masking the activation."""
    results = []
    for weight_side in (True, False):
        torch.manual_seed(0)
        model = SplitSE()
        x = torch.randn(4, 3, 16, 16)
        space = build_search_space(model, x)
        for hook, _ in space._hooks:
            if not weight_side:
                hook.remove()
                hook.weight_side = False
        assert any(h.weight_side for h, _ in space._hooks) == weight_side
        with torch.no_grad():
            for i, gate in enumerate(space.gates.values()):
                gate.latent[::2] = 0.3
        model.train()
        out = model(x)
        out.square().sum().backward()
        results.append((out.detach(), [g.latent.grad.clone()
                                       for g in space.gates.values()]))
    (out_w, grads_w), (out_a, grads_a) = results
    assert torch.allclose(out_w, out_a, atol=1e-5)
    for gw, ga in zip(grads_w, grads_a):
        assert torch.allclose(gw, ga, rtol=1e-4, atol=1e-5)


def test_project_to_budget_keeps_ranking_and_hits_target():
    from torchvision.models import resnet18
    model = resnet18()
    space = build_search_space(model, torch.randn(1, 3, 64, 64))
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for gate in space.gates.values():
            gate.latent.copy_(torch.rand(gate.num_channels, generator=gen))
    order = {n: torch.argsort(g.latent.detach(), descending=True)
             for n, g in space.gates.items()}
    for target in (0.5, 0.25):
        space.project_to_budget(target, tol=0.01)
        assert abs(space.macs_ratio() - target) <= 0.01 * target
        for name, gate in space.gates.items():  # kept = top latents
            k = gate.kept_indices().numel()
            assert set(order[name][:k].tolist()) == \
                set(gate.kept_indices().tolist())
