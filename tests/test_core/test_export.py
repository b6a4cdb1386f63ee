"""export and apply_width_spec: the compact net equals the gated one."""
import json

import pytest
import torch
from _helpers import export_and_compare
from _toy_nets import SplitSE, UNetLike, randomize_bn

from pas_mm.core import WidthSpecError, apply_width_spec, build_search_space


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
