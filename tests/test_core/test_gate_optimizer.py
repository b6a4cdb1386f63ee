"""The scale-free gate rule: the search reaches its target by itself on
small and wide nets, under SGD, AdamW and Adam for the weights."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from pas_mm.core import BudgetError, build_search_space
from pas_mm.core.search.budget import Budget
from pas_mm.core.search.gate_optimizer import GateOptimizer


class Net(nn.Module):

    def __init__(self, width):
        super().__init__()

        def block(cin, cout, stride):
            return nn.Sequential(
                nn.Conv2d(cin, cout, 3, stride, 1, bias=False),
                nn.BatchNorm2d(cout), nn.ReLU())
        self.body = nn.Sequential(
            block(3, width, 1), block(width, 2 * width, 2),
            block(2 * width, 4 * width, 2), block(4 * width, 4 * width, 1))
        self.fc = nn.Linear(4 * width, 4)

    def forward(self, x):
        return self.fc(self.body(x).mean((2, 3)))


def search(width, optimizer, steps=60, target=0.5, seed=0, **gate_cfg):
    torch.manual_seed(seed)
    net = Net(width)
    space = build_search_space(net, torch.zeros(1, 3, 16, 16),
                               min_ratio=0.1)
    gates = [g.latent for g in space.gates.values()]
    weights = [p for p in net.parameters()
               if all(p is not g for g in gates)]
    opt = optimizer([{'params': weights}, {'params': gates}])
    rule = GateOptimizer(space, Budget(target, weight=5.0), steps, **gate_cfg)
    opt.register_step_pre_hook(lambda *_: rule.step() and None)
    x = torch.randn(64, 3, 16, 16)
    y = (x[:, 0].mean((1, 2)) > 0).long() + 2 * (x[:, 1].mean((1, 2)) > 0)
    for i in range(steps):
        idx = torch.randint(0, 64, (16, ))
        loss = F.cross_entropy(net(x[idx]), y[idx]) + rule.loss()
        opt.zero_grad()
        loss.backward()
        opt.step()
        assert all(g.grad is None for g in gates)  # the toolkit skipped them
    return space, rule


OPTIMIZERS = {
    'sgd': lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9,
                                     weight_decay=5e-4),
    'adamw': lambda p: torch.optim.AdamW(p, lr=1e-4, weight_decay=0.05),
    'adam': lambda p: torch.optim.Adam(p, lr=2e-4, betas=(0.5, 0.999)),
}


@pytest.mark.parametrize('width', [32, 64])
@pytest.mark.parametrize('name', sorted(OPTIMIZERS))
def test_search_reaches_target_whatever_width_and_optimizer(width, name):
    space, rule = search(width, OPTIMIZERS[name])
    ratio = space.macs_ratio()
    assert abs(ratio - 0.5) <= 0.05 * 0.5, (width, name, ratio)
    # latents stay in [0, 1] and every group keeps its floor
    for gate in space.gates.values():
        assert 0 <= float(gate.latent.min()) and float(gate.latent.max()) <= 1
        assert gate.kept_indices().numel() >= space.floor(gate.num_channels)
    assert rule.steps == 60 and rule.weight > 0


def test_fixed_weight_keeps_original_semantics_and_bad_args():
    space, rule = search(8, OPTIMIZERS['sgd'], steps=5, adapt_weight=False)
    assert rule.weight == 5.0
    with pytest.raises(BudgetError, match='total_steps'):
        GateOptimizer(space, Budget(0.5), 0)
    with pytest.raises(BudgetError, match='gate lr'):
        GateOptimizer(space, Budget(0.5), 10, lr=-1)


def test_non_finite_gradients_skip_the_step_and_state_round_trips():
    space, rule = search(8, OPTIMIZERS['sgd'], steps=4)
    gate = next(iter(space.gates.values()))
    before = gate.latent.detach().clone()
    gate.latent.grad = torch.full_like(gate.latent, float('inf'))
    assert rule.step() is False
    assert torch.equal(gate.latent.detach(), before) and gate.latent.grad \
        is None
    state = rule.state_dict()
    other = GateOptimizer(space, Budget(0.5), 4)
    other.load_state_dict(state)
    assert other.steps == rule.steps and other.weight == rule.weight
    assert set(other._avg) == set(rule._avg)


def test_search_steps_under_bf16_autocast():
    """AMP: the straight-through gates and the budget survive autocast; the
    budget loss stays fp32 and finite, and the gates move."""
    torch.manual_seed(0)
    net = Net(16)
    space = build_search_space(net, torch.zeros(1, 3, 16, 16))
    gates = [g.latent for g in space.gates.values()]
    opt = torch.optim.SGD(net.parameters(), lr=0.02)
    rule = GateOptimizer(space, Budget(0.5), 10)
    opt.register_step_pre_hook(lambda *_: rule.step() and None)
    x, y = torch.randn(16, 3, 16, 16), torch.randint(0, 4, (16, ))
    start = torch.cat([g.detach().clone() for g in gates])
    for _ in range(10):
        with torch.autocast('cpu', dtype=torch.bfloat16):
            logits = net(x)
            budget = rule.loss()
        assert budget.dtype == torch.float32 and torch.isfinite(budget)
        loss = F.cross_entropy(logits.float(), y) + budget
        opt.zero_grad()
        loss.backward()
        opt.step()
    moved = torch.cat([g.detach() for g in gates]) - start
    assert moved.abs().max() > 0.05 and rule.steps == 10


def _fixed_rule(space, lr=0.01):
    """One plain step per call: no momentum, no weight adaptation, a
    negligible budget term of its own, and a long schedule so that the lr
    stays ``lr``."""
    return GateOptimizer(space, Budget(0.5, weight=1e-12), 10_000, lr=lr,
                         momentum=0.0, adapt_weight=False)


def _step_with(rule, space, grads):
    for name, gate in space.gates.items():
        gate.latent.grad = grads[name].clone()
    start = {n: g.latent.detach().clone() for n, g in space.gates.items()}
    assert rule.step()
    return {n: start[n] - g.latent.detach() for n, g in space.gates.items()}


def test_blocked_latents_do_not_set_the_step_of_the_others():
    """A latent clamped at 0 and pushed further down, or put back by the
    floor, leaves the RMS: however large its gradient, every other latent
    still moves by the lr (here all their gradients are 1)."""
    torch.manual_seed(0)
    space = build_search_space(Net(8), torch.zeros(1, 3, 16, 16),
                               min_ratio=0.1)
    names = sorted(space.gates)
    clamped, floored = space.gates[names[0]], space.gates[names[1]]
    keep = space.floor(floored.num_channels)
    with torch.no_grad():
        clamped.latent[0] = 0.0
        floored.latent.zero_()
        floored.latent[:keep] = 0.55  # what the floor re-opens
    grads = {n: torch.ones_like(g.latent) for n, g in space.gates.items()}
    grads[names[0]][0] = 1e6
    grads[names[1]].fill_(1e6)
    rule = _fixed_rule(space)
    first = _step_with(rule, space, grads)
    # the clamped latent left the RMS at once; the floored ones only once
    # the floor had undone their step, so the free latents moved little
    assert float(clamped.latent[0]) == 0.0
    assert torch.all(floored.latent[:keep] == 0.55)
    assert float(first[names[2]].max()) < 0.01 / 10
    second = _step_with(rule, space, grads)
    for name in names[2:]:
        assert torch.allclose(second[name], torch.full_like(
            second[name], 0.01), rtol=1e-3), name
    assert float(second[names[0]][1:].mean()) == pytest.approx(0.01, 1e-3)


def test_blocked_state_round_trips():
    space, rule = search(8, OPTIMIZERS['sgd'], steps=4)
    other = GateOptimizer(space, Budget(0.5), 4)
    other.load_state_dict(rule.state_dict())
    assert set(other._undone) == set(rule._undone) and other._undone
