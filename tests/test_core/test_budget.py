"""The budget of a search: validated once, its loss, and the two cost
attributions (marginal MACs against the original's own-layer charge)."""
import pytest
import torch
from torch import nn

from pas_mm.core import BudgetError, build_search_space
from pas_mm.core.search.budget import Budget


class Chain(nn.Module):
    """conv_a (3 -> 8) -> conv_b (8 -> 6) -> pool -> fc (6 -> 4), 8 x 8."""

    def __init__(self):
        super().__init__()
        self.conv_a = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.conv_b = nn.Conv2d(8, 6, 3, padding=1, bias=False)
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        x = torch.relu(self.conv_b(torch.relu(self.conv_a(x))))
        return self.fc(x.mean((2, 3)))


def _cost_gradients(attribution):
    space = build_search_space(Chain(), torch.zeros(1, 3, 8, 8))
    space.set_attribution(attribution)
    macs = space.macs()
    grads = torch.autograd.grad(
        macs, [g.latent for g in space.gates.values()])
    return space, float(macs), dict(zip(space.gates, grads))


def test_own_layer_charges_only_the_producing_layer():
    pos = 8 * 8
    space, macs, marginal = _cost_gradients('marginal')
    _, same_macs, own = _cost_gradients('own-layer')
    assert macs == same_macs  # the value is the same, only the charge
    # one channel of conv_a: its own MACs, plus what conv_b spends on it
    a_own, a_read = 3 * 9 * pos, 9 * 6 * pos
    assert torch.allclose(marginal['conv_a'],
                          torch.full((8, ), float(a_own + a_read)))
    assert torch.allclose(own['conv_a'], torch.full((8, ), float(a_own)))
    # one channel of conv_b: its own MACs, plus one row of the fc
    b_own, b_read = 8 * 9 * pos, 4
    assert torch.allclose(marginal['conv_b'],
                          torch.full((6, ), float(b_own + b_read)))
    assert torch.allclose(own['conv_b'], torch.full((6, ), float(b_own)))


@pytest.mark.parametrize('kwargs, match', [
    (dict(target_ratio=0), 'target_ratio'),
    (dict(target_ratio=1.5), 'target_ratio'),
    (dict(target_ratio=0.5, weight=0), 'weight'),
    (dict(target_ratio=0.5, mode='one-sided'), 'mode'),
    (dict(target_ratio=0.5, attribution='mine'), 'attribution'),
])
def test_bad_budgets_get_one_line(kwargs, match):
    with pytest.raises(BudgetError, match=match):
        Budget(**kwargs)


def test_from_dict_refuses_unknown_keys_and_the_loss_is_the_mse():
    with pytest.raises(BudgetError, match='takes only'):
        Budget.from_dict(dict(target_ratio=0.5, wieght=1.0))
    with pytest.raises(BudgetError, match='needs target_ratio'):
        Budget.from_dict(dict(weight=1.0))
    budget = Budget.from_dict(dict(target_ratio=0.25, weight=4.0))
    assert float(budget.loss(torch.tensor(50.), 100.)) == \
        pytest.approx(4.0 * 0.25**2)
    hinge = Budget(0.5, mode='hinge')
    assert float(hinge.loss(torch.tensor(40.), 100.)) == 0.0
    assert hinge.gap(0.4) == 0.0 and hinge.gap(0.6) == pytest.approx(0.1)


def test_the_projection_cuts_tied_channels_one_by_one():
    """Latents the search left tied cross the threshold together under one
    shift; the projection then cuts them one at a time, round-robin over
    the groups, and lands within a channel of the target."""
    space = build_search_space(Chain(), torch.zeros(1, 3, 8, 8))
    with torch.no_grad():
        for gate in space.gates.values():
            gate.latent.fill_(0.8)
    space.project_to_budget(0.5)
    assert space.tie_cuts > 0
    # one channel of conv_a (with what conv_b spends on it) is 11 % here
    assert abs(space.cost_ratio() - 0.5) <= 0.06
    kept = {n: int(g.kept_indices().numel()) for n, g in space.gates.items()}
    assert 0 < kept['conv_a'] < 8 and 0 < kept['conv_b'] < 6


def test_flat_pushes_every_channel_alike_and_joins_the_own_layer_term():
    """``'flat'``: the budget term (and what it puts in the latents'
    gradient) is the own-layer one, but the push the rule applies is its
    mean per channel, the same on every latent."""
    space = build_search_space(Chain(), torch.zeros(1, 3, 8, 8))
    names = list(space.gates)
    budget = Budget(0.5, attribution='flat')
    space.set_attribution(budget.attribution)
    got = budget.gradients(space, names, weight=2.0)
    own_budget = Budget(0.5, attribution='own-layer')
    space.set_attribution('own-layer')
    own = own_budget.gradients(space, names, weight=2.0)
    assert got.ratio == own.ratio == 1.0
    for a, b in zip(got.joined, own.joined):
        assert torch.equal(a, b)
    pos = 8 * 8
    a_own, b_own = 3 * 9 * pos, 8 * 9 * pos  # per channel, 8 and 6 of them
    mean = (8 * a_own + 6 * b_own) / 14 / space.full_cost
    for d, p in zip(got.direction, got.push):
        assert torch.allclose(d, torch.full_like(d, mean))
        assert torch.allclose(p, 2 * 2.0 * 0.5 * d)
    # the pushes add up to the own-layer charge's total
    total = sum(float(p.sum()) for p in got.push)
    assert total == pytest.approx(sum(float(p.sum()) for p in own.push))
