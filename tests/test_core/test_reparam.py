"""Reparameterisation after pruning: partial identities merge exactly."""
import torch
from _helpers import export_and_compare
from _toy_nets import RepNet, randomize_bn
from torch import nn

from pas_mm.core import build_search_space, reparameterize


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
