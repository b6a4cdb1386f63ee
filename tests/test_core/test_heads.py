"""Whole attention heads as gates, products of activations in the MACs, and
the warnings of a space that cannot model a network's cost."""
import warnings

import pytest
import torch
import torch.nn.functional as F
from _helpers import export_and_compare, mmengine_macs
from torch import nn

from pas_mm.core import DBCGate, ScopeError, build_search_space
from pas_mm.core.search.budget import Budget
from pas_mm.core.search.gate_optimizer import GateOptimizer
from pas_mm.core.trace.heads import register_head_adapter


class TinyAttention(nn.Module):
    """qkv / proj / num_heads: an attention unit (SDPA or explicit
    products)."""

    def __init__(self, dim=16, heads=4, explicit=False):
        super().__init__()
        self.num_heads, self.head_dim = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.explicit = explicit

    def forward(self, x):
        b, n, _ = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.num_heads,
                                      self.head_dim).permute(2, 0, 3, 1, 4)
        if self.explicit:
            attn = torch.einsum('bhqd,bhkd->bhqk', q, k).softmax(-1)
            out = attn @ v
        else:
            out = F.scaled_dot_product_attention(q, k, v)
        out = out.transpose(1, 2).reshape(b, n, self.num_heads *
                                          self.head_dim)
        return self.proj(out)


class Unregistered(TinyAttention):
    pass


def _resize(module, kept_heads, head_dim):
    module.num_heads = int(kept_heads.numel())


register_head_adapter(TinyAttention, _resize)


class Block(nn.Module):
    def __init__(self, attention, dim=16):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.attn = attention
        self.fc1, self.fc2 = nn.Linear(dim, 4 * dim), nn.Linear(4 * dim, dim)

    def forward(self, x):
        x = x + self.attn(self.norm(x))
        return x + self.fc2(F.gelu(self.fc1(x)))


class PatchEmbed(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.conv = nn.Conv2d(3, dim, 2, 2)

    def forward(self, x):  # (B, 3, H, W) -> tokens (B, H * W / 4, dim)
        return self.conv(x).flatten(2).transpose(1, 2)


class Net(nn.Module):
    def __init__(self, attention):
        super().__init__()
        self.layers = nn.ModuleList([PatchEmbed(), Block(attention), Block(
            attention.__class__(explicit=attention.explicit))])

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def _model(attention):
    torch.manual_seed(0)
    return Net(attention).eval()


@pytest.mark.parametrize('explicit', [False, True])
def test_heads_are_gated_whole_and_export_exactly(explicit):
    model = _model(TinyAttention(explicit=explicit))
    x = torch.randn(2, 3, 6, 6)
    full = mmengine_macs(model, lambda m, t: m(t), x[:1])
    space = build_search_space(model, (x[:1], ))
    heads = {n: g for n, g in space.gates.items() if g.unit > 1}
    assert sorted(heads) == ['layers.1.attn', 'layers.2.attn']
    assert all(g.unit == 4 and g.num_units == 4 for g in heads.values())
    assert space.full_macs == pytest.approx(full)
    compact, spec, diff, macs = export_and_compare(
        space, lambda m: m(x), keep=0.5)
    assert diff <= 1e-5
    kept = [m.num_heads for m in compact.modules()
            if isinstance(m, TinyAttention)]
    assert kept == [spec['groups'][n]['kept'] // 4 for n in sorted(heads)]
    assert compact.layers[1].attn.qkv.out_features == 3 * 4 * kept[0]
    # the products shrink with the heads: mmengine agrees on the compact net
    assert macs == pytest.approx(mmengine_macs(compact, lambda m, t: m(t),
                                               x[:1]))


def test_an_attention_without_adapter_keeps_its_heads_and_says_so():
    model = _model(Unregistered())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        space = build_search_space(model, (torch.randn(1, 3, 6, 6), ))
    assert all(g.unit == 1 for g in space.gates.values())  # FFN only
    text = ' '.join(str(w.message) for w in caught)
    assert "of the scope's MACs are in ops no gate changes" in text
    assert '*.attn.qkv' in text and 'scaled_dot_product_attention' in text


def test_a_scope_without_prunable_groups_says_why():
    model = Net(TinyAttention())
    model.layers[0] = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(),
                                    nn.Flatten(), nn.Linear(8 * 4 * 4, 4))
    del model.layers[1:]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        space = build_search_space(model, (torch.randn(1, 3, 6, 6), ))
    assert not space.gates
    text = ' '.join(str(w.message) for w in caught)
    assert 'no prunable channel group' in text and \
        "flatten reshapes the channel dim in 'layers.*.*'" in text


def test_a_bare_sequential_cannot_hold_the_gates():
    with pytest.raises(ScopeError, match='bare Sequential'):
        build_search_space(nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(),
                                         nn.Conv2d(8, 4, 3)),
                           (torch.randn(1, 3, 8, 8), ))


def test_head_gate_masks_whole_units():
    gate = DBCGate(12, unit=4)
    assert gate.latent.shape == (3, ) and gate.num_units == 3
    with torch.no_grad():
        gate.latent[1] = 0.2
    assert gate.mask().tolist() == [1.] * 4 + [0.] * 4 + [1.] * 4
    assert float(gate.kept()) == 8
    assert gate.kept_units().tolist() == [0, 2]
    assert gate.kept_indices().tolist() == [0, 1, 2, 3, 8, 9, 10, 11]
    gate.set_kept(torch.tensor([5, 6]))
    assert gate.kept_units().tolist() == [1]
    gate.set_scores(torch.arange(12.))
    assert gate.latent.tolist() == [1.5, 5.5, 9.5]  # mean per head
    with pytest.raises(ValueError):
        DBCGate(10, unit=4)


def test_a_head_latent_moves_at_its_channels_speed():
    """A head's latent gets the sum of its channels' gradients; the gate
    rule divides it by the head size, so a head whose channels each carry
    the same gradient as an FFN channel moves as far in one step."""
    space = build_search_space(_model(TinyAttention()),
                               (torch.randn(1, 3, 6, 6), ))
    rule = GateOptimizer(space, Budget(0.5, weight=1e-12), 10_000, lr=0.01,
                         momentum=0.0, adapt_weight=False)
    start = {}
    for name, gate in space.gates.items():
        gate.latent.grad = torch.full_like(gate.latent, float(gate.unit))
        start[name] = gate.latent.detach().clone()
    assert rule.step()
    units = set()
    for name, gate in space.gates.items():
        moved = start[name] - gate.latent.detach()
        assert torch.allclose(moved, torch.full_like(moved, 0.01),
                              rtol=1e-3), name
        units.add(gate.unit)
    assert units == {1, 4}
