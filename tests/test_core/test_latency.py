"""The latency cost: tables over a grid of kept widths, bilinear
interpolation at the kept counts, and a search space budgeted by it."""
import json
import os
import subprocess
import sys

import pytest
import torch
from torch import nn

from pas_mm.core import BudgetError, build_search_space
from pas_mm.core.cost.latency import (PRIMITIVE_CACHE_ENV, build_latency_table,
                                      calibrate_remainder, graph_latency,
                                      interpolate, load_latency_table,
                                      median_ms, reserve_primitive_cache,
                                      save_latency_table, tabled_share,
                                      width_grid)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.dw = nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.conv = nn.Conv2d(16, 24, 3, padding=1)
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        x = torch.relu(self.dw(torch.relu(self.stem(x))))
        return self.fc(torch.relu(self.conv(x)).mean((2, 3)))


def _space():
    torch.manual_seed(0)
    net = Net().eval()
    return net, build_search_space(net, (torch.randn(1, 3, 8, 8), ))


def macs_timer(runs, repeats):
    """Milliseconds proportional to each grid point's MACs (keys are
    'c_in x c_out'): a cost whose bilinear interpolation is exact, so the
    table's arithmetic can be checked to the last digit."""
    out = {}
    for key in runs:
        i, o = (int(v) for v in key.split('x'))
        out[key] = 1e-3 * i * (o or 1)
    return out


def _gated(space):
    return lambda lay: any(g is not None for g, _ in space.segments(lay))


def test_width_grid_and_interpolation():
    assert width_grid(16, 4) == [4, 8, 12, 16]
    assert width_grid(3, 5) == [1, 2, 3] and width_grid(1, 5) == [1]
    entry = dict(ins=[4, 8], outs=[2, 6], ms=[[1.0, 3.0], [5.0, 7.0]])
    assert interpolate(entry, 4, 2) == 1.0 and interpolate(entry, 8, 6) == 7
    assert interpolate(entry, 6, 4) == pytest.approx(4.0)
    assert interpolate(entry, 100, 0) == 5.0  # clamped to the grid
    c = torch.tensor(6.0, requires_grad=True)
    interpolate(entry, c, 4).backward()
    assert float(c.grad) == pytest.approx(1.0)  # (5 - 1) / (8 - 4)


def test_a_count_on_a_grid_point_keeps_the_slope_below_it():
    # kept counts are integers and so sit on grid points, full width first:
    # there the gradient is the slope of the segment a cut moves into
    # (clamping there passed none, and a latency search never started)
    entry = dict(ins=[4, 8, 12], outs=[6], ms=[[1.0], [3.0], [9.0]])
    for at, slope in ((12.0, 1.5), (8.0, 0.5), (4.0, 0.5)):
        c = torch.tensor(at, requires_grad=True)
        interpolate(entry, c, 6).backward()
        assert float(c.grad) == pytest.approx(slope), at
    c = torch.tensor(13.0, requires_grad=True)  # past the grid: constant
    assert float(interpolate(entry, c, 6)) == 9.0
    net, space = _space()
    space.use_latency(build_latency_table(net, space.graph, _gated(space),
                                          full_ms=2.0, points=3,
                                          timer=macs_timer))
    space.budget_loss(0.5).backward()  # at full width
    assert all(float(g.latent.grad.abs().min()) > 0
               for g in space.gates.values())


def test_table_predicts_the_kept_widths_and_budgets_the_search(tmp_path):
    net, space = _space()
    table = build_latency_table(net, space.graph, _gated(space),
                                full_ms=2.0, points=4, timer=macs_timer)
    assert sorted(table['layers']) == ['conv', 'dw', 'fc', 'stem']
    assert table['layers']['stem'][0]['ins'] == [3]  # the input is fixed
    assert table['layers']['dw'][0]['outs'] == [0]  # in and out are one
    path = tmp_path / 'table.json'
    save_latency_table(table, str(path))
    table = load_latency_table(str(path))
    space.use_latency(table)
    assert space.full_cost == pytest.approx(2.0)
    # keep 10 of 16 and 15 of 24: MACs-proportional times are bilinear
    with torch.no_grad():
        for name, keep in (('stem', 10), ('conv', 15)):
            space.gates[name].latent[keep:] = 0.0
    expect = 2.0 - 1e-3 * (3 * 16 + 16 + 16 * 24 + 24 * 10) + 1e-3 * (
        3 * 10 + 10 + 10 * 15 + 15 * 10)
    assert float(space.cost()) == pytest.approx(expect)
    assert 0 < tabled_share(table) < 1
    loss = space.budget_loss(0.5, weight=1.0)
    loss.backward()
    assert space.gates['conv'].latent.grad.abs().sum() > 0
    with torch.no_grad():  # a ranking for the projection's one cut
        gen = torch.Generator().manual_seed(0)
        for gate in space.gates.values():
            gate.latent.copy_(torch.rand(gate.latent.shape, generator=gen))
    shift = space.project_to_budget(0.85, tol=0.02)
    assert shift != 0.0
    assert abs(space.cost_ratio() - 0.85) <= 0.02 * 0.85
    assert space.macs_ratio() < 1.0


@pytest.mark.parametrize('attribution, stem, conv', [
    # a stem channel: its own entry (3 inputs) and the depthwise conv it
    # feeds (one channel each), plus, marginally, one input of conv (24
    # outputs); a conv channel: its 16 inputs, plus one input of fc (10)
    ('own-layer', 3 + 1, 16), ('marginal', 3 + 1 + 24, 16 + 10)])
def test_latency_attribution_charges_like_the_macs(attribution, stem, conv):
    net, space = _space()
    space.use_latency(build_latency_table(net, space.graph, _gated(space),
                                          full_ms=2.0, points=3,
                                          timer=macs_timer))
    space.set_attribution(attribution)
    cost = space.cost()
    assert float(cost) == pytest.approx(2.0)  # the value is the same
    grads = dict(zip(space.gates, torch.autograd.grad(
        cost, [g.latent for g in space.gates.values()])))
    assert torch.allclose(grads['stem'], torch.full((16, ), 1e-3 * stem))
    assert torch.allclose(grads['conv'], torch.full((24, ), 1e-3 * conv))


def test_latency_projection_leaves_an_end_within_2_percent(tmp_path):
    # a search that ends 1.5 % above its latency target keeps its widths:
    # a table predicts no better, and one shift over a flat stretch of it
    # would cut every group for the last per cent
    net, space = _space()
    assert space.projection_tolerance == 0.01  # MACs
    space.use_latency(build_latency_table(net, space.graph, _gated(space),
                                          full_ms=2.0, points=4,
                                          timer=macs_timer))
    assert space.projection_tolerance == 0.02
    with torch.no_grad():  # a fine ranking, cut at 0.5
        gen = torch.Generator().manual_seed(0)
        for gate in space.gates.values():
            gate.latent.copy_(torch.rand(gate.latent.shape, generator=gen))
    end = space.cost_ratio()
    target = end / 1.015
    assert space.project_to_budget(target) == 0.0
    assert space.cost_ratio() == end
    assert space.project_to_budget(target, tol=0.01) < 0.0  # asked for
    assert space.cost_ratio() < end


def test_a_real_timer_and_bad_tables(tmp_path):
    net, space = _space()
    table = build_latency_table(net, space.graph, _gated(space),
                                full_ms=1.0, points=2, repeats=3,
                                timer=median_ms)
    times = [t for es in table['layers'].values() for e in es
             for row in e['ms'] for t in row]
    assert times and all(0 < t < 1e3 for t in times)
    bad = tmp_path / 'bad.json'
    bad.write_text('{"version": 1}')
    with pytest.raises(BudgetError, match='bad.json'):
        load_latency_table(str(bad))
    table['layers']['nope'] = table['layers']['conv']
    with pytest.raises(BudgetError, match="'nope'"):
        space.use_latency(table)
    assert space.metric == 'macs'  # a refused table changes nothing
    json.dumps(table)  # JSON-serialisable as saved
    with pytest.raises(BudgetError):
        graph_latency(space.graph, lambda lay: lay.size, table)


def test_remainder_calibrated_on_a_second_network(tmp_path):
    net, space = _space()
    gated = _gated(space)
    table = build_latency_table(net, space.graph, gated, full_ms=2.0,
                                points=4, timer=macs_timer)
    assert table['layers']['stem'][0]['out_positions'] == 64  # 8 x 8
    assert table['layers']['fc'][0]['out_positions'] == 1

    def half(lay):
        return lay.size / 2 if gated(lay) else lay.size

    def full(lay):
        return lay.size

    constant = float(graph_latency(space.graph, half, table))
    # the network measured 0.1 ms faster than a constant remainder says
    beta = calibrate_remainder(table, space.graph, half, constant - 0.1)
    assert 0 < beta < 1
    assert float(graph_latency(space.graph, half, table)) == pytest.approx(
        constant - 0.1)
    assert float(graph_latency(space.graph, full, table)) == \
        pytest.approx(2.0)
    path = tmp_path / 'table.json'
    save_latency_table(table, str(path))
    space.use_latency(load_latency_table(str(path)))
    with torch.no_grad():
        space.gates['conv'].latent[12:] = 0.0
    space.budget_loss(0.5, weight=1.0).backward()
    assert space.gates['stem'].latent.grad.abs().sum() > 0
    # a network measured slower than the constant: nothing shrinks
    assert calibrate_remainder(table, space.graph, half, constant) == 0.0
    del table['layers']['conv'][0]['out_positions']
    save_latency_table(table, str(path))
    with pytest.raises(BudgetError, match='out_positions'):
        load_latency_table(str(path))


_CACHE_PROBE = '''
import sys, torch
from pas_mm.core.cost.latency import reserve_primitive_cache
if sys.argv[1] == 'reserve':
    reserve_primitive_cache(4096)
torch.set_num_threads(1)
x = torch.randn(16, 3, 8, 8)
convs = [torch.nn.Conv2d(3, c, 1) for c in range(1, 1201)]
with torch.no_grad():
    for conv in convs:  # more primitives than oneDNN's default 1024
        conv(x)
    with torch.backends.mkldnn.verbose(
            torch.backends.mkldnn.VERBOSE_ON_CREATION):
        convs[0](x)
'''


def test_reserve_primitive_cache_keeps_the_first_models_primitives():
    """After 1200 distinct convolutions the first one's primitives were
    evicted under oneDNN's default cache, and are still compiled with the
    reserved one (oneDNN's verbose log says cache_miss / cache_hit)."""
    env = {k: v for k, v in os.environ.items()
           if k != PRIMITIVE_CACHE_ENV}
    logs = {}
    for mode in ('default', 'reserve'):
        out = subprocess.run([sys.executable, '-c', _CACHE_PROBE, mode],
                             env=env, capture_output=True, text=True,
                             check=True).stdout
        logs[mode] = out
    assert 'create:cache_miss' in logs['default']
    assert 'create:cache_hit' in logs['reserve']
    assert 'create:cache_miss' not in logs['reserve']


def test_reserve_primitive_cache_keeps_a_smaller_setting_and_warns(
        monkeypatch):
    monkeypatch.setenv(PRIMITIVE_CACHE_ENV, '512')
    with pytest.warns(UserWarning, match='below 65536'):
        assert reserve_primitive_cache() == 512
    monkeypatch.setenv(PRIMITIVE_CACHE_ENV, '100000')
    assert reserve_primitive_cache() == 100000
