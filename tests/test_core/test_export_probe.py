"""A trial export before a search of residual widths: a module that reads
the stream's width as a number and shapes another tensor by it is found
and kept whole (with its class; its MACs still count), so the search's
export runs and is exact; a model that exports as it is keeps all."""
import warnings

import pytest
import torch
from _helpers import export_and_compare, mmengine_macs
from torch import nn

from pas_mm.core import (PaSSearch, UnsupportedOpError, build_search_space,
                         probe_export)


class Reduction(nn.Module):
    """PVT's spatial reduction: a C -> C conv whose output is reshaped by
    the width of the block's input (a number the trace cannot follow)."""

    def __init__(self, dim):
        super().__init__()
        self.sr = nn.Conv2d(dim, dim, 2, stride=2)
        self.norm = nn.LayerNorm(dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, size):
        batch, tokens, channels = x.shape
        y = x.transpose(1, 2).reshape(batch, channels, *size)
        y = self.sr(y).reshape(batch, channels, -1).transpose(1, 2)
        return self.proj(self.norm(y)).mean(1, keepdim=True)


class Block(nn.Module):

    def __init__(self, dim, reduce):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.attn = Reduction(dim) if reduce else nn.Linear(dim, dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(),
                                 nn.Linear(2 * dim, dim))

    def forward(self, x, size):
        y = self.norm(x)
        y = self.attn(y, size) if isinstance(self.attn, Reduction) else \
            self.attn(y)
        x = x + y
        return x + self.mlp(self.norm(x))


class TokenNet(nn.Module):

    def __init__(self, reduce=True, dim=16):
        super().__init__()
        self.embed = nn.Conv2d(3, dim, 4, stride=4)
        self.blocks = nn.ModuleList([Block(dim, reduce), Block(dim, reduce)])
        self.head = nn.Linear(dim, 10)

    def forward(self, x):
        x = self.embed(x)
        size = x.shape[2:]
        x = x.flatten(2).transpose(1, 2)
        for block in self.blocks:
            x = block(x, size)
        return self.head(x.mean(1))


def test_a_module_that_reads_the_stream_width_is_kept_whole():
    torch.manual_seed(0)
    model = TokenNet().eval()
    x = torch.randn(2, 3, 16, 16)
    with pytest.warns(UserWarning, match="fails in 'blocks.0.attn'"):
        added = probe_export(model, (x[:1], ), prune_residual=True)
    assert added == ['blocks.0.attn', 'blocks.1.attn']  # the whole class
    # the model itself is untouched, and searches with them kept whole
    assert not hasattr(model, 'pas_gates')
    full = mmengine_macs(model, lambda m, t: m(t), x[:1])
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        space = build_search_space(model, (x[:1], ), prune_residual=True,
                                   keep_whole=added)
    assert space.gates
    # kept whole, not excluded: their MACs still count
    assert abs(space.full_macs - full) / full <= 0.01
    compact, spec, diff, macs = export_and_compare(space, lambda m: m(x))
    assert diff <= 1e-4, diff
    counted = mmengine_macs(compact, lambda m, t: m(t), x[:1])
    assert abs(macs - counted) / counted <= 0.01, (macs, counted)
    assert spec['keep_whole'] == added


def test_without_the_probe_that_export_fails():
    model = TokenNet().eval()
    x = torch.randn(1, 3, 16, 16)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        space = build_search_space(model, (x, ), prune_residual=True)
    with pytest.raises(RuntimeError):
        export_and_compare(space, lambda m: m(x))


def test_a_model_that_exports_needs_no_exclusion_and_search_probes():
    model = TokenNet(reduce=False).eval()
    x = torch.randn(1, 3, 16, 16)
    assert probe_export(model, (x, ), prune_residual=True) == []
    with pytest.warns(UserWarning, match='fails in'):
        search = PaSSearch(TokenNet().eval(), x, budget=dict(
            target_ratio=0.5), prune_residual=True)
    assert search.space.graph.keep_whole == ('blocks.0.attn',
                                             'blocks.1.attn')


class FailsAtTheRoot(nn.Module):
    """Reshapes by its own width constant in its own forward."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 1)
        self.norm = nn.LayerNorm(8)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        y = self.norm(self.conv(x).flatten(2).transpose(1, 2))
        return self.head(y.reshape(x.shape[0], -1, 8).mean(1))


def test_a_failure_in_the_models_own_forward_is_refused():
    with pytest.raises(UnsupportedOpError, match='its own forward'):
        probe_export(FailsAtTheRoot().eval(), torch.randn(1, 3, 4, 4),
                     prune_residual=True)
