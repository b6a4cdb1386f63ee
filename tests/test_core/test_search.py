"""PaSSearch, the whole search for a plain PyTorch model: the user's
optimizer holds every parameter, the rule moves the gates, finish()
exports a compact net on the budget; bad budgets are refused."""
import warnings

import pytest
import torch
import torch.nn.functional as F
from test_gate_optimizer import Net

from pas_mm.core import BudgetError
from pas_mm.core.pas_search import PaSSearch


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


def test_a_cut_that_misses_its_tolerance_is_said():
    # one channel of a body conv is 2.8 % of the MACs: no cut lands within
    # 0.01 % of the target, and finish() says so instead of staying quiet
    _, search, _ = _search()
    said = []
    search.finish(tolerance=1e-4, warn=said.append)
    missed = [m for m in said if 'keep the cut from landing closer' in m]
    assert len(missed) == 1 and 'off the target 0.5 (tolerance ±0.01 %)' \
        in missed[0], said
    # within a 5 % band nothing is said
    _, search, _ = _search()
    said = []
    search.finish(tolerance=0.05, warn=said.append)
    assert not [m for m in said if 'landing closer' in m], said


def test_search_reaches_the_budget_and_exports_exactly():
    net, search, x = _search()
    assert abs(search.ratio() / 0.5 - 1) <= 0.05
    assert search.rule.rule == 'descent'  # the default
    full = sum(p.numel() for p in net.parameters())
    compact, spec = search.finish()
    assert compact is net and search.finished
    # one channel of a body conv is 2.8 % of the MACs: the projection
    # lands on the nearest ratio its ranking reaches, within 1.4 %
    assert abs(spec['macs']['ratio'] / 0.5 - 1) <= 0.014
    assert abs(spec['search_end_ratio'] / 0.5 - 1) <= 0.05
    assert spec['summary'][0].startswith('PaS reached MACs ratio 0.')
    assert any(line.startswith('PaS final widths per stage')
               for line in spec['summary'])
    assert spec['rule'] == 'descent'
    evidence = spec['evidence']
    assert evidence['steps'] == 60 and evidence['decisions'] == sum(
        g.latent.numel() for g in search.space.gates.values())
    assert 0 <= evidence['clear'] <= evidence['decisions']
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


def _original(steps=40, target=0.5, use_task_gradient=True, weight=20.0):
    """The original rule: one SGD (lr 0.02 constant, momentum 0.9, weight
    decay 1e-4) for weights and gates, fixed weight, own-layer cost."""
    torch.manual_seed(0)
    net = Net(16)
    search = PaSSearch(
        net, torch.zeros(1, 3, 16, 16),
        budget=dict(target_ratio=target, weight=weight,
                    attribution='own-layer'),
        steps=steps, gate=dict(rule='original',
                               use_task_gradient=use_task_gradient))
    opt = torch.optim.SGD(net.parameters(), lr=0.02, momentum=0.9,
                          weight_decay=1e-4)
    search.attach(opt)
    x, y = _data()
    for _ in range(steps):
        idx = torch.randint(0, 64, (16, ))
        loss = F.cross_entropy(net(x[idx]), y[idx]) + search.loss()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return net, search


def test_the_original_rule_leaves_the_gates_to_the_optimizer():
    net, search = _original()
    assert search.original and search.rule is None
    assert search.space.attribution == 'own-layer'
    latents = torch.cat([g.latent.detach() for g in
                         search.space.gates.values()])
    # SGD moved them, and nothing clamped them to [0, 1]
    assert float(latents.max()) > 1.0 and float(latents.min()) < 0.0
    loss = float(search.loss())
    assert loss == pytest.approx(20.0 * (search.ratio() - 0.5)**2)
    _, spec = search.finish()
    assert spec['rule'] == 'original' and spec['equilibrium_step'] is None
    assert spec['evidence']['steps'] == 40
    # the projection's one shift; the toy net's channels are coarse steps
    assert abs(spec['macs']['ratio'] / 0.5 - 1) <= 0.03


def test_the_original_rule_with_a_flat_push_writes_it_into_the_gradient():
    """``attribution='flat'`` under the original rule: the optimizer moves
    the latents by the task gradient plus the even push, not by the joined
    own-layer term's gradient."""
    torch.manual_seed(0)
    net = Net(16)
    search = PaSSearch(net, torch.zeros(1, 3, 16, 16),
                       budget=dict(target_ratio=0.5, weight=20.0,
                                   attribution='flat'),
                       steps=5, gate=dict(rule='original'))
    x, y = _data()
    net.zero_grad()
    F.cross_entropy(net(x[:16]), y[:16]).backward()
    gates = search.space.gates
    task = {n: g.latent.grad.clone() for n, g in gates.items()}
    net.zero_grad()
    (F.cross_entropy(net(x[:16]), y[:16]) + search.loss()).backward()
    joined = {n: g.latent.grad.clone() for n, g in gates.items()}
    assert search.step()
    push = search.budget.gradients(search.space, list(gates), 20.0).push
    assert len(torch.cat(push).unique()) == 1  # every channel alike
    for (name, gate), p in zip(gates.items(), push):
        assert torch.allclose(gate.latent.grad, task[name] + p * gate.unit,
                              atol=1e-6), name
    # the own-layer term charged the groups differently
    assert any(not torch.allclose(joined[n] - task[n],
                                  p.to(joined[n]) * g.unit, atol=1e-6)
               for (n, g), p in zip(gates.items(), push))


def test_the_original_rules_budget_only_control_sees_no_task_gradient():
    """use_task_gradient=False: the optimizer steps the latents on the
    budget term's gradient alone, so two controls on different data
    end with the same latents."""
    _, a = _original(steps=10, use_task_gradient=False)
    torch.manual_seed(1)
    _, b = _original(steps=10, use_task_gradient=False)
    for name, gate in a.space.gates.items():
        assert torch.allclose(gate.latent, b.space.gates[name].latent,
                              atol=1e-6), name
    _, c = _original(steps=10)
    assert any(not torch.allclose(g.latent, c.space.gates[n].latent)
               for n, g in a.space.gates.items())


def test_the_original_rule_takes_only_its_control_and_resumes():
    with pytest.raises(BudgetError, match='only use_task_gradient'):
        PaSSearch(Net(8), torch.zeros(1, 3, 16, 16),
                  budget=dict(target_ratio=0.5), steps=5,
                  gate=dict(rule='original', lr=0.1))
    _, search = _original(steps=5)
    state = search.state_dict()
    assert 'rule' not in state and state['evidence']['stats']
    _, other = _original(steps=1)
    other.load_state_dict(state)
    assert other.evidence()['steps'] == 5
    ruled = PaSSearch(Net(8), torch.zeros(1, 3, 16, 16),
                      budget=dict(target_ratio=0.5), steps=5)
    with pytest.raises(BudgetError, match='original rule'):
        ruled.load_state_dict(state)


def test_too_little_evidence_warns_and_enough_does_not():
    """Pure-noise task gradients: few decisions stand clear, and the end
    of the search says so; a steady gradient stands clear everywhere."""
    for noise, warned in ((True, True), (False, False)):
        search = PaSSearch(Net(8), torch.zeros(1, 3, 16, 16),
                           budget=dict(target_ratio=0.9), steps=50)
        gates = search.space.gates
        on = {n: g.latent.detach() > 0.5 for n, g in gates.items()}
        g = torch.Generator().manual_seed(0)
        for _ in range(50):
            task = [torch.randn(gate.latent.shape, generator=g) +
                    (0.0 if noise else 10.0) for gate in gates.values()]
            search.evidence_recorder.record(search.space, list(gates),
                                            task, on, 'descent')
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            _, spec = search.finish()
        share = spec['evidence']['share']
        assert (share < 0.5) == warned and spec['evidence']['steps'] == 50
        assert any('width decisions' in str(w.message)
                   for w in caught) == warned
        if not warned:
            assert share == 1.0
