"""nn.MultiheadAttention: converted to an equal unit whose heads are
searched, exported exactly, and costed as mmengine.analysis counts it."""
import pytest
import torch
from _helpers import export_and_compare, mmengine_macs
from torch import nn

from pas_mm.core import UnsupportedOpError, build_search_space
from pas_mm.core.trace.mha import (MultiheadAttentionUnit,
                                   convert_multihead_attention)


def _pair(batch_first, dropout=0.0, bias=True):
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(16, 4, dropout=dropout, bias=bias,
                                batch_first=batch_first).eval()
    return mha, MultiheadAttentionUnit.from_module(mha).eval()


def _tokens(batch_first, length=5, batch=2):
    x = torch.randn(batch, length, 16)
    return x if batch_first else x.transpose(0, 1).contiguous()


@pytest.mark.parametrize('batch_first', [True, False])
@pytest.mark.parametrize('need_weights', [True, False])
def test_the_unit_computes_what_nn_multihead_attention_computes(
        batch_first, need_weights):
    mha, unit = _pair(batch_first)
    x = _tokens(batch_first)
    causal = torch.triu(torch.ones(5, 5, dtype=torch.bool), 1)
    padding = torch.zeros(2, 5, dtype=torch.bool)
    padding[1, -2:] = True
    per_head = torch.randn(2 * 4, 5, 5)
    calls = [dict(), dict(attn_mask=causal), dict(key_padding_mask=padding),
             dict(attn_mask=per_head), dict(average_attn_weights=False)]
    with torch.no_grad():
        for kwargs in calls:
            expected, w_expected = mha(x, x, x, need_weights=need_weights,
                                       **kwargs)
            out, w_out = unit(x, x, x, need_weights=need_weights, **kwargs)
            torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)
            if need_weights:
                torch.testing.assert_close(w_out, w_expected, atol=1e-6,
                                           rtol=1e-5)
            else:
                assert w_out is None and w_expected is None
        # cross-attention and one unbatched sequence
        memory = _tokens(batch_first, length=7)
        torch.testing.assert_close(unit(x, memory, memory)[0],
                                   mha(x, memory, memory)[0], atol=1e-5,
                                   rtol=1e-5)
        seq = torch.randn(5, 16)
        torch.testing.assert_close(unit(seq, seq, seq)[0],
                                   mha(seq, seq, seq)[0], atol=1e-5,
                                   rtol=1e-5)


def test_checkpoints_load_both_ways():
    mha, unit = _pair(True)
    assert set(unit.state_dict()) == set(mha.state_dict())
    torch.manual_seed(1)
    other = nn.MultiheadAttention(16, 4, batch_first=True).eval()
    unit.load_state_dict(other.state_dict())
    mha.load_state_dict(unit.state_dict())
    x = _tokens(True)
    with torch.no_grad():
        torch.testing.assert_close(unit(x, x, x)[0], other(x, x, x)[0],
                                   atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(mha(x, x, x)[0], other(x, x, x)[0])


class Encoder(nn.Module):
    """Pre-norm blocks around nn.MultiheadAttention, as torchvision's ViT
    calls it."""

    def __init__(self, batch_first=True, blocks=2, dim=16):
        super().__init__()
        self.batch_first = batch_first
        self.embed = nn.Conv2d(3, dim, 2, 2)
        self.norms = nn.ModuleList(nn.LayerNorm(dim) for _ in range(blocks))
        self.attn = nn.ModuleList(
            nn.MultiheadAttention(dim, 4, batch_first=batch_first)
            for _ in range(blocks))
        self.mlp = nn.ModuleList(
            nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(),
                          nn.Linear(2 * dim, dim)) for _ in range(blocks))
        self.head = nn.Linear(dim, 5)

    def forward(self, img):
        x = self.embed(img).flatten(2).transpose(1, 2)
        if not self.batch_first:
            x = x.transpose(0, 1)
        for norm, attn, mlp in zip(self.norms, self.attn, self.mlp):
            y = norm(x)
            x = x + attn(y, y, y, need_weights=False)[0]
            x = x + mlp(x)
        return self.head(x.mean(1 if self.batch_first else 0))


@pytest.mark.parametrize('batch_first', [True, False])
def test_heads_of_nn_multihead_attention_are_searched_and_exported_exactly(
        batch_first):
    torch.manual_seed(0)
    model = Encoder(batch_first).eval()
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        before = model(x)
    full = mmengine_macs(model, lambda m, t: m(t), x[:1])
    space = build_search_space(model, (x[:1], ))
    assert all(isinstance(m, MultiheadAttentionUnit) for m in model.attn)
    with torch.no_grad():  # the conversion changed nothing
        torch.testing.assert_close(model(x), before, atol=1e-5, rtol=1e-5)
    heads = {n: g for n, g in space.gates.items() if g.unit > 1}
    assert sorted(heads) == ['attn.0', 'attn.1']
    assert space.full_macs == pytest.approx(full, rel=1e-3)
    compact, spec, diff, macs = export_and_compare(
        space, lambda m: m(x), keep=0.5)
    assert diff <= 1e-5
    kept = [m.num_heads for m in compact.attn]
    assert kept == [spec['groups'][n]['kept'] // 4 for n in sorted(heads)]
    assert kept != [4, 4]
    assert compact.attn[0].qkv.out_features == 3 * 4 * kept[0]
    assert macs == pytest.approx(
        mmengine_macs(compact, lambda m, t: m(t), x[:1]), rel=1e-3)


def test_an_excluded_or_unconvertible_attention_stays_as_it_was():
    model = Encoder()
    converted = convert_multihead_attention(
        model, keep=lambda name: name == 'attn.1')
    assert converted == ['attn.0']
    assert type(model.attn[1]) is nn.MultiheadAttention
    odd = Encoder()
    odd.attn[0] = nn.MultiheadAttention(16, 4, kdim=8, vdim=8,
                                        batch_first=True)
    assert convert_multihead_attention(odd) == ['attn.1']
    assert type(odd.attn[0]) is nn.MultiheadAttention


def test_a_multihead_attention_with_other_key_widths_is_refused_clearly():
    class Cross(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(16, 16)
            self.attn = nn.MultiheadAttention(16, 4, kdim=8, vdim=8,
                                              batch_first=True)

        def forward(self, x):
            memory = x[..., :8]
            return self.attn(self.proj(x), memory, memory)[0]

    with pytest.raises(UnsupportedOpError, match='multi_head_attention'):
        build_search_space(Cross(), (torch.randn(1, 5, 16), ))


def test_torchvision_vit_exports_exactly():
    from torchvision.models.vision_transformer import VisionTransformer
    torch.manual_seed(0)
    model = VisionTransformer(image_size=32, patch_size=8, num_layers=2,
                              num_heads=4, hidden_dim=32, mlp_dim=64,
                              num_classes=10).eval()
    x = torch.randn(2, 3, 32, 32)
    full = mmengine_macs(model, lambda m, t: m(t), x[:1])
    space = build_search_space(model, (x[:1], ))
    assert sum(g.unit > 1 for g in space.gates.values()) == 2
    assert space.full_macs == pytest.approx(full, rel=1e-2)
    compact, spec, diff, macs = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-4
    assert macs == pytest.approx(
        mmengine_macs(compact, lambda m, t: m(t), x[:1]), rel=1e-2)
