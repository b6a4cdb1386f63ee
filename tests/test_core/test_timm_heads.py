"""timm's ViT attention: whole heads searched (num_heads and attn_dim
updated at export), exact, MACs equal to mmengine.analysis'; a unit that
normalises its whole attention output stays whole."""
import warnings

import timm
import torch
from _helpers import export_and_compare, mmengine_macs

from pas_mm.core import build_search_space


def _deit(**kwargs):
    torch.manual_seed(0)
    return timm.create_model('deit_tiny_patch16_224', pretrained=False,
                             num_classes=10, img_size=32, **kwargs).eval()


def _space(model, x):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return build_search_space(model, (x, ))


def test_timm_vit_heads_are_searched_and_export_exactly():
    model = _deit()
    x = torch.randn(2, 3, 32, 32)
    space = _space(model, x[:1])
    heads = [n for n, g in space.gates.items() if g.unit > 1]
    assert len(heads) == 12 and space.gates[heads[0]].unit == 64
    compact, spec, diff, macs = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-4, diff
    attn = compact.blocks[0].attn
    kept = spec['groups'][heads[0]]['kept'] // 64
    assert attn.num_heads == kept and attn.attn_dim == 64 * kept
    counted = mmengine_macs(compact, lambda m, t: m(t), x[:1])
    assert abs(macs - counted) / counted <= 0.01, (macs, counted)


def test_a_normalised_or_gated_attention_output_keeps_its_heads():
    from timm.layers import Attention
    from torch import nn

    from pas_mm.core.trace.heads import find_head_units
    assert find_head_units(Attention(64, num_heads=4))
    assert not find_head_units(Attention(64, num_heads=4, scale_norm=True,
                                         norm_layer=nn.LayerNorm))
    assert not find_head_units(Attention(64, num_heads=4, gated=True))
