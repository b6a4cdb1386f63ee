"""SearchSpace: budget loss, width constraints, the budget projection."""
import pytest
import torch
from _toy_nets import SplitSE

from pas_mm.core import BudgetError, build_search_space, export


def test_budget_loss_moves_latents_and_bad_targets():
    model = SplitSE()
    space = build_search_space(model, torch.randn(1, 3, 8, 8))
    assert float(space.macs()) == pytest.approx(space.full_macs)
    loss = space.budget_loss(0.5, weight=5.0)
    assert loss.item() == pytest.approx(5 * 0.25)
    before = {n: g.latent.detach().clone() for n, g in space.gates.items()}
    opt = torch.optim.SGD([g.latent for g in space.gates.values()], lr=0.1)
    loss.backward()
    opt.step()
    assert all((g.latent < before[n]).all() for n, g in space.gates.items())
    assert space.budget_loss(1.0, mode='hinge').item() == 0.0
    for bad in (0, 1.5, -0.1, 'half'):
        with pytest.raises(BudgetError, match='target_ratio'):
            space.budget_loss(bad)


def test_round_to_and_min_channels_reopen_best_latents():
    model = SplitSE()
    x = torch.randn(1, 3, 8, 8)
    space = build_search_space(model, x, round_to=4, min_channels=2)
    with torch.no_grad():
        for gate in space.gates.values():
            gate.latent.copy_(torch.linspace(0.49, 0.0, gate.num_channels))
            gate.latent[0] = 0.9  # one kept channel per group
    model.eval()
    space.apply_constraints()
    with torch.no_grad():
        ref = model(x)
    compact, spec = export(space)
    with torch.no_grad():
        assert (compact(x) - ref).abs().max() <= 1e-5
    for name, group in spec['groups'].items():
        assert group['kept'] % 4 == 0 or group['kept'] == group['channels']
        # the re-opened channels are the highest latents: 0, then 1, 2, 3
        assert group['indices'][:4] == [0, 1, 2, 3]


def test_project_to_budget_keeps_ranking_and_hits_target():
    from torchvision.models import resnet18
    model = resnet18()
    space = build_search_space(model, torch.randn(1, 3, 64, 64))
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for gate in space.gates.values():
            gate.latent.copy_(torch.rand(gate.num_channels, generator=gen))
    order = {n: torch.argsort(g.latent.detach(), descending=True)
             for n, g in space.gates.items()}
    for target in (0.5, 0.25):
        space.project_to_budget(target, tol=0.01)
        assert abs(space.macs_ratio() - target) <= 0.01 * target
        for name, gate in space.gates.items():  # kept = top latents
            k = gate.kept_indices().numel()
            assert set(order[name][:k].tolist()) == \
                set(gate.kept_indices().tolist())
