"""timm's ViT attention: whole heads searched (num_heads and attn_dim
updated at export), exact, MACs equal to mmengine.analysis'; a unit that
normalises its whole attention output stays whole. Swin's window attention
(its bias table cut per head) and SwiGLU ViTs (heads and the gated FFN)."""
import warnings

import pytest
import timm
import torch
from _helpers import export_and_compare, mmengine_macs
from torch import nn

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


def test_swin_window_heads_are_searched_with_their_bias_columns():
    torch.manual_seed(0)
    model = timm.create_model('swin_tiny_patch4_window7_224',
                              pretrained=False, num_classes=10, img_size=64,
                              window_size=4).eval()
    x = torch.randn(2, 3, 64, 64)
    space = _space(model, x[:1])
    heads = [n for n, g in space.gates.items() if g.unit == 32]
    assert len(heads) == 12, list(space.gates)  # every block's attention
    assert space.reach().ratio <= 0.25
    compact, spec, diff, macs = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-4, diff
    attn = compact.layers[0].blocks[0].attn
    kept = spec['groups'][heads[0]]['kept'] // 32
    assert attn.num_heads == kept < 3
    assert attn.relative_position_bias_table.shape[1] == kept
    counted = mmengine_macs(compact, lambda m, t: m(t), x[:1])
    assert abs(macs - counted) / counted <= 0.01, (macs, counted)


@pytest.mark.parametrize('packed', [True, False])
def test_a_swiglu_vit_searches_heads_and_the_gated_ffn(packed):
    """SwiGLU FFNs: one fc1 chunked into value and gate (packed, as
    DINOv2's), or two fc1s multiplied (as EVA-02's)."""
    from timm.layers import SwiGLU, SwiGLUPacked
    from timm.models.vision_transformer import VisionTransformer
    torch.manual_seed(0)
    model = VisionTransformer(
        img_size=64, patch_size=16, embed_dim=96, depth=3, num_heads=3,
        mlp_ratio=2.66667 * (2 if packed else 1),
        mlp_layer=SwiGLUPacked if packed else SwiGLU, act_layer=nn.SiLU,
        num_classes=10).eval()
    x = torch.randn(2, 3, 64, 64)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        space = build_search_space(model, (x[:1], ), prune_residual=True)
    ffn = 'mlp.fc1' if packed else 'mlp.fc1_g'
    assert {f'blocks.{i}.{part}' for i in range(3)
            for part in ('attn', ffn)} <= set(space.gates)
    assert space.gates['blocks.0.attn'].unit == 32
    assert space.reach().ratio <= 0.25
    compact, spec, diff, macs = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-4, diff
    hidden = spec['groups'][f'blocks.0.{ffn}']['kept']
    fc1 = compact.blocks[0].mlp.fc1 if packed else compact.blocks[0].mlp.fc1_x
    assert fc1.out_features == (2 * hidden if packed else hidden) < \
        (512 if packed else 256)
    counted = mmengine_macs(compact, lambda m, t: m(t), x[:1])
    assert abs(macs - counted) / counted <= 0.01, (macs, counted)
