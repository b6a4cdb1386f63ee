"""torchvision's Swin window attention: its heads are searched (the module
runs an equal forward that calls qkv and proj as modules), export cuts the
relative-position table per head, exact, MACs equal to mmengine's."""
import warnings

import pytest
import torch
from _helpers import export_and_compare, mmengine_macs
from torchvision.models import swin_t
from torchvision.models.swin_transformer import ShiftedWindowAttention

from pas_mm.core import build_search_space
from pas_mm.core.trace.torchvision_heads import window_attention_of_kept_heads


@pytest.mark.parametrize('shift', [[0, 0], [2, 2]])
def test_the_kept_heads_forward_is_torchvisions(shift):
    torch.manual_seed(0)
    attn = ShiftedWindowAttention(32, [4, 4], shift, 4).eval()
    with torch.no_grad():
        attn.relative_position_bias_table.normal_()
        x = torch.randn(2, 9, 10, 32)  # padded to whole windows
        want = attn(x)
        got = window_attention_of_kept_heads(attn, x)
    torch.testing.assert_close(got, want)


def test_torchvision_swin_heads_are_searched_and_export_exactly():
    torch.manual_seed(0)
    model = swin_t(weights=None, num_classes=10).eval()
    x = torch.randn(2, 3, 64, 64)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        space = build_search_space(model, (x[:1], ))
    heads = [n for n, g in space.gates.items() if g.unit == 32]
    assert len(heads) == 12  # every block's attention
    assert space.reach().ratio <= 0.25
    compact, spec, diff, macs = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-4, diff
    attn = compact.features[1][0].attn
    kept = spec['groups'][heads[0]]['kept'] // 32
    assert attn.num_heads == kept < 3
    assert attn.relative_position_bias_table.shape[1] == kept
    counted = mmengine_macs(compact, lambda m, t: m(t), x[:1])
    assert abs(macs - counted) / counted <= 0.01, (macs, counted)
