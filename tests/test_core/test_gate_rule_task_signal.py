"""The gate rule lets the task choose between groups of equal cost: a
useless group is cut, a useful one kept, and the budget-only control (the
gates moved by the budget term alone) cannot tell them apart, under both
rules. Also: the stiffness's meaning and the exact split of the latents'
gradient."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from pas_mm.core import build_search_space
from pas_mm.core.search.budget import Budget
from pas_mm.core.search.gate_optimizer import GateOptimizer


class UsefulAndUseless(nn.Module):
    """Two 1x1-conv branches of equal cost; only ``useful`` reaches the
    logits (``useless``'s head is multiplied by 0)."""

    def __init__(self):
        super().__init__()
        self.useful = nn.Conv2d(4, 16, 1)
        self.useless = nn.Conv2d(4, 16, 1)
        self.head = nn.Linear(16, 2)
        self.head_useless = nn.Linear(16, 2)

    def forward(self, x):
        a = F.relu(self.useful(x)).mean((2, 3))
        b = F.relu(self.useless(x)).mean((2, 3))
        return self.head(a) + 0 * self.head_useless(b)


def _data(n=256, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, 8, 8, generator=g)
    w = torch.randn(4, generator=g)
    y = ((x.mean((2, 3)) @ w) > 0).long()
    return x, y


def _group(space, module):
    return next(n for n, grp in space.groups.items()
                if f'{module}' in grp.producers)


def _search(use_task_gradient, steps=300, seed=0, rule='equilibrium'):
    torch.manual_seed(seed)
    net = UsefulAndUseless()
    x, y = _data()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    for _ in range(150):  # the baseline
        idx = torch.randint(0, len(x), (64, ))
        loss = F.cross_entropy(net(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    space = build_search_space(net, torch.zeros(1, 4, 8, 8), min_ratio=0.1)
    gates = [g.latent for g in space.gates.values()]
    weights = [p for p in net.parameters() if all(p is not g for g in gates)]
    opt = torch.optim.SGD([{'params': weights}, {'params': gates}], lr=0.02,
                          momentum=0.9)
    rule = GateOptimizer(space, Budget(0.6), steps, lr=0.03, rule=rule,
                         use_task_gradient=use_task_gradient, record=True)
    opt.register_step_pre_hook(lambda *_: rule.step() and None)
    for _ in range(steps):
        idx = torch.randint(0, len(x), (64, ))
        loss = F.cross_entropy(net(x[idx]), y[idx]) + rule.loss()
        opt.zero_grad()
        loss.backward()
        opt.step()
    kept = {m: space.gates[_group(space, m)].kept_indices().numel()
            for m in ('useful', 'useless')}
    return space, rule, kept


@pytest.mark.parametrize('rule', ['descent', 'equilibrium'])
def test_the_search_cuts_the_useless_group_and_the_control_cannot(rule):
    space, gates, kept = _search(use_task_gradient=True, rule=rule)
    if rule == 'equilibrium':
        assert gates.phase == 'equilibrium' and gates.equilibrium_step < 150
    else:
        assert gates.phase == 'descent' and gates.equilibrium_step is None
    assert abs(space.macs_ratio() - 0.6) <= 0.05 * 0.6
    assert kept['useful'] >= 14 and kept['useless'] <= 6, kept
    summary = gates.diagnostics.summary(space)
    assert sum(g['on_to_off'] for g in summary.values()) >= 10
    space, gates, kept = _search(use_task_gradient=False, rule=rule)
    assert abs(space.macs_ratio() - 0.6) <= 0.05 * 0.6
    assert abs(kept['useful'] - kept['useless']) <= 2, kept


def _toy_space():
    torch.manual_seed(0)
    net = UsefulAndUseless()
    return build_search_space(net, torch.zeros(1, 4, 8, 8))


def test_the_rule_splits_the_gradient_into_task_and_its_own_budget():
    """With ``loss()`` joined, the task part the rule records is the
    latents' gradient minus exactly that term's gradient."""
    space = _toy_space()
    rule = GateOptimizer(space, Budget(0.5, weight=3.0), 10, record=True,
                         adapt_weight=False)
    task = {n: torch.randn_like(g.latent) for n, g in space.gates.items()}
    budget = rule.loss()
    latents = [g.latent for g in space.gates.values()]
    grads = torch.autograd.grad(budget, latents)
    for (name, gate), g in zip(space.gates.items(), grads):
        gate.latent.grad = task[name] + g
    assert rule.step()
    for name, stats in rule.diagnostics.stats.items():
        assert torch.allclose(stats['sum'].float(), task[name], atol=1e-6)
    # not joined: the whole gradient is the task's
    task2 = {n: torch.randn_like(g.latent) for n, g in space.gates.items()}
    for name, gate in space.gates.items():
        gate.latent.grad = task2[name].clone()
    assert rule.step()
    for name, stats in rule.diagnostics.stats.items():
        assert torch.allclose(stats['sum'].float(), task[name] + task2[name],
                              atol=1e-6)


@pytest.mark.parametrize('stiffness', [0.5, 4.0])
def test_stiffness_is_the_restoring_force_in_task_gradient_units(stiffness):
    """Entering the equilibrium fixes the weight so that one band off the
    target the budget gradient's RMS is ``stiffness`` x the task
    gradient's; it is then no longer adapted."""
    space = _toy_space()
    rule = GateOptimizer(space, Budget(0.999), 10, stiffness=stiffness,
                         band=0.02, rule='equilibrium')
    grad = {n: torch.full_like(g.latent, 0.01)
            for n, g in space.gates.items()}
    for name, gate in space.gates.items():  # ratio 1.0: within the band
        gate.latent.grad = grad[name].clone()
    assert rule.step() and rule.phase == 'equilibrium'
    names = list(space.gates)
    direction = rule._budget_grads(names, rule.weight).direction
    d_rms = float(torch.cat(direction).pow(2).mean().sqrt())
    budget_rms = 2 * rule.weight * rule.band * rule.target_ratio * d_rms
    assert budget_rms / rule._task_rms == pytest.approx(stiffness, rel=1e-5)
    weight = rule.weight
    for _ in range(3):
        for name, gate in space.gates.items():
            gate.latent.grad = grad[name].clone()
        rule.step()
    assert rule.weight == weight  # fixed in the equilibrium
    # latents hover around the threshold
    for gate in space.gates.values():
        assert float(gate.latent.min()) >= 0.5 - rule.hover - 1e-6
        assert float(gate.latent.max()) <= 0.5 + rule.hover + 1e-6


def test_descent_rule_never_enters_the_equilibrium_and_state_round_trips():
    space = _toy_space()
    rule = GateOptimizer(space, Budget(0.999), 10)  # the default
    for name, gate in space.gates.items():
        gate.latent.grad = torch.full_like(gate.latent, 0.01)
    assert rule.step() and rule.phase == 'descent' and rule.rule == 'descent'
    eq = GateOptimizer(space, Budget(0.999), 10, record=True,
                       rule='equilibrium')
    for name, gate in space.gates.items():
        gate.latent.grad = torch.full_like(gate.latent, 0.01)
    assert eq.step() and eq.phase == 'equilibrium'
    other = GateOptimizer(space, Budget(0.999), 10, record=True,
                          rule='equilibrium')
    other.load_state_dict(eq.state_dict())
    assert other.phase == 'equilibrium' and other.weight == eq.weight
    assert other.equilibrium_step == 0 and set(
        other.diagnostics.stats) == set(eq.diagnostics.stats)
