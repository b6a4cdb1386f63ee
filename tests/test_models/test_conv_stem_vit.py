"""ConvStemVisionTransformer: mmpretrain's ViT behind a convolutional stem
builds from a config, searches its stem widths, heads and FFN widths, and
exports exactly; a stem that does not match the patch size is refused."""
import pytest
import torch
from _helpers import export_and_compare, mmengine_macs

import pas_mm.models.utils.head_adapters  # noqa: F401 (registers adapters)
from pas_mm.core import build_search_space
from pas_mm.models.backbones import ConvStem
from pas_mm.registry import MODELS

CFG = dict(type='pas_mm.ConvStemVisionTransformer', stem_channels=(8, 16),
           arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                     feedforward_channels=64),
           img_size=16, patch_size=4)


def test_builds_from_config_and_makes_the_tokens_of_a_patch_embedding():
    torch.manual_seed(0)
    vit = MODELS.build(CFG)
    vit.init_weights()
    assert isinstance(vit.patch_embed, ConvStem)
    tokens, grid = vit.patch_embed(torch.randn(2, 3, 16, 16))
    assert tokens.shape == (2, 16, 32) and grid == (4, 4)
    (cls_token, ) = vit(torch.randn(2, 3, 16, 16))
    assert cls_token.shape == (2, 32)


def test_stem_widths_heads_and_ffn_are_searched_and_export_exactly():
    torch.manual_seed(0)
    vit = MODELS.build(CFG)
    vit.eval()  # mmpretrain's ViT.train() returns None
    x = torch.randn(1, 3, 16, 16)
    space = build_search_space(vit, (x, ))
    units = sorted((n, g.unit) for n, g in space.gates.items())
    assert ('patch_embed.convs.0.conv', 1) in units
    assert ('patch_embed.convs.1.conv', 1) in units
    assert sum(u > 1 for _, u in units) == 2  # one head gate per block
    full = mmengine_macs(vit, lambda m, t: m(t), x)
    assert space.full_macs == pytest.approx(full, rel=0.01)
    compact, _, diff, macs = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-4
    assert compact.patch_embed.projection.in_channels < 16
    assert macs == pytest.approx(mmengine_macs(compact, lambda m, t: m(t), x),
                                 rel=0.01)


@pytest.mark.parametrize('patch, stem, match', [
    (6, (8, 16), 'power of 2'), (4, (8, ), 'needs 2 widths')])
def test_a_stem_that_does_not_fit_the_patch_size_is_refused(patch, stem,
                                                            match):
    with pytest.raises(ValueError, match=match):
        ConvStem(patch_size=patch, stem_channels=stem)
