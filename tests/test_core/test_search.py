"""PaSSearch, the whole search for a plain PyTorch model: the user's
optimizer holds every parameter, the rule moves the gates, finish()
exports a compact net on the budget; bad budgets are refused."""
import warnings

import pytest
import torch
import torch.nn.functional as F
from test_gate_optimizer import Net

from pas_mm.core import BudgetError
from pas_mm.core.search import PaSSearch


def _data(seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(64, 3, 16, 16, generator=g)
    y = (x[:, 0].mean((1, 2)) > 0).long() + 2 * (x[:, 1].mean((1, 2)) > 0)
    return x, y


def _search(steps=60, target=0.5, **kw):
    torch.manual_seed(0)
    net = Net(16)
    search = PaSSearch(net, torch.zeros(1, 3, 16, 16),
                       budget=dict(target_ratio=target), steps=steps,
                       min_ratio=0.1, **kw)
    # the user's optimizer holds every parameter, the gates included
    opt = torch.optim.SGD(net.parameters(), lr=0.02, momentum=0.9,
                          weight_decay=5e-4)
    search.attach(opt)
    x, y = _data()
    for _ in range(steps):
        idx = torch.randint(0, 64, (16, ))
        loss = F.cross_entropy(net(x[idx]), y[idx]) + search.loss()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return net, search, x


def test_search_reaches_the_budget_and_exports_exactly():
    net, search, x = _search()
    assert abs(search.ratio() / 0.5 - 1) <= 0.05
    assert search.rule.rule == 'descent'  # the default
    full = sum(p.numel() for p in net.parameters())
    compact, spec = search.finish()
    assert compact is net and search.finished
    assert abs(spec['macs']['ratio'] / 0.5 - 1) <= 0.01
    assert abs(spec['search_end_ratio'] / 0.5 - 1) <= 0.05
    assert spec['summary'][0].startswith('PaS final widths per stage')
    assert any(g['kept'] < g['channels'] for g in spec['groups'].values())
    assert sum(p.numel() for p in compact.parameters()) < full
    assert float(search.loss()) == 0.0 and search.step() is False
    assert compact.eval()(x[:4]).shape == (4, 4)


def test_the_compact_net_equals_the_frozen_gated_one():
    net, search, x = _search()
    space = search.space
    space.freeze()
    space.apply_floor()
    space.project_to_budget(0.5)
    space.apply_constraints()
    with torch.no_grad():
        gated = net.eval()(x)
    compact, _ = search.finish()  # the projection is a no-op now
    with torch.no_grad():
        out = compact.eval()(x)
    assert torch.allclose(out, gated, atol=1e-5, rtol=1e-5)


def test_state_round_trips_and_an_unreached_target_warns():
    net, search, _ = _search(steps=60)
    state = search.state_dict()
    _, other, _ = _search(steps=1)
    other.load_state_dict(state)
    assert other.rule.steps == 60 and other.rule.phase == search.rule.phase
    assert other.rule.weight == search.rule.weight
    # 2 steps of 1e-4 latent units: nowhere near 0.3
    _, short, _ = _search(steps=2, target=0.3, gate=dict(lr=1e-4))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        short.finish()
    assert any('off the target' in str(w.message) for w in caught)
    _, strict, _ = _search(steps=2, target=0.3, gate=dict(lr=1e-4))
    with pytest.raises(BudgetError, match='off the target'):
        strict.finish(strict=True)


@pytest.mark.parametrize('budget, match', [
    (dict(weight=1.0), 'target_ratio'),
    (dict(target_ratio=0.5, wieght=1.0), 'target_ratio'),
    (dict(target_ratio=0.001), 'cannot be met'),
])
def test_bad_budgets_are_refused(budget, match):
    with pytest.raises(BudgetError, match=match):
        PaSSearch(Net(8), torch.zeros(1, 3, 16, 16), budget=budget, steps=5,
                  min_ratio=0.1)
