"""Masking on the weight side equals masking the activation; a switch
turns the torch-internal override off."""
import torch
from _toy_nets import SplitSE
from torch import nn

from pas_mm.core import build_search_space
from pas_mm.core.search import input_mask


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 8, 3, padding=1)
        self.b = nn.Conv2d(8, 4, 1)
        self.c = nn.Conv2d(4, 2, 1)

    def forward(self, x):
        return self.c(torch.relu(self.b(torch.relu(self.a(x)))))


def _gated_net(seed=0):
    torch.manual_seed(seed)
    net = _Net()
    space = build_search_space(net, torch.zeros(1, 3, 16, 16))
    with torch.no_grad():
        for gate in space.gates.values():
            gate.latent[::2] = 0.  # drop every other channel
    return net, space


def _outputs_and_grads(net):
    x = torch.randn(2, 3, 16, 16)
    out = net(x)
    out.sum().backward()
    return out.detach(), [p.grad.clone() for p in net.parameters()
                          if p.grad is not None]


def test_weight_side_and_activation_side_agree(monkeypatch):
    net, space = _gated_net()
    hooks = [h for h, _ in space._hooks]
    assert any(h.weight_side for h in hooks)
    torch.manual_seed(1)
    out_w, grads_w = _outputs_and_grads(net)

    monkeypatch.setattr(input_mask, 'WEIGHT_SIDE_MASKING', False)
    net2, space2 = _gated_net()
    assert not any(h.weight_side for h, _ in space2._hooks)
    assert not any('_conv_forward' in m.__dict__ for m in net2.modules())
    torch.manual_seed(1)
    out_a, grads_a = _outputs_and_grads(net2)
    torch.testing.assert_close(out_w, out_a)
    assert len(grads_w) == len(grads_a)
    for gw, ga in zip(grads_w, grads_a):
        torch.testing.assert_close(gw, ga)


def test_remove_restores_the_class_forward():
    net, space = _gated_net()
    assert any('_conv_forward' in m.__dict__ for m in net.modules())
    space.remove()
    assert not any('_conv_forward' in m.__dict__ for m in net.modules())
    assert not hasattr(net, 'pas_gates')


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
