"""Baseline criteria share the space, the budget cut and the exporter."""
import pytest
import torch
from _helpers import rel_diff
from torchvision.models import resnet18

from pas_mm.core import (CriterionError, build_search_space, channel_scores,
                         export, prune_by_criterion)


@pytest.mark.parametrize('method', ['uniform', 'bn-gamma', 'l1', 'random'])
def test_criterion_hits_budget_and_exports_exactly(method):
    torch.manual_seed(0)
    model = resnet18().eval()
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.data.uniform_(0.1, 1.0)
    x = torch.randn(1, 3, 64, 64)
    space = build_search_space(model, x)
    ratio = prune_by_criterion(space, method, 0.5)
    assert abs(ratio - 0.5) <= 0.01 * 0.5 and space.frozen
    with torch.no_grad():
        gated = model(x)
    compact, spec = export(space)
    with torch.no_grad():
        assert rel_diff(gated, compact(x)) <= 1e-5


def test_scores_follow_the_criterion():
    model = resnet18().eval()
    space = build_search_space(model, torch.randn(1, 3, 32, 32))
    with torch.no_grad():
        model.layer1[0].bn1.weight.copy_(torch.linspace(1, 0, 64))
    scores = channel_scores(space, 'bn_gamma')['layer1.0.conv1']
    assert torch.all(scores[:-1] >= scores[1:])  # follows |gamma|
    uniform = channel_scores(space, 'uniform')['layer2.0.conv1']
    assert torch.all(uniform[:-1] > uniform[1:])
    with pytest.raises(CriterionError, match='unknown pruning criterion'):
        channel_scores(space, 'magnitude')


def _kept_fractions(space):
    return {n: float((g.latent > 0.5).float().mean())
            for n, g in space.gates.items()}


def test_random_widths_follow_the_seed_and_differ_from_l1():
    def pruned(method, seed):
        torch.manual_seed(0)
        model = resnet18().eval()
        space = build_search_space(model, torch.randn(1, 3, 64, 64))
        prune_by_criterion(space, method, 0.5, seed=seed)
        return _kept_fractions(space)

    a, b, c = pruned('random', 0), pruned('random', 0), pruned('random', 1)
    assert a == b  # same seed, same widths
    assert a != c  # another seed, other widths
    spread = [max(w.values()) - min(w.values()) for w in (a, c)]
    assert min(spread) > 0.3  # widths vary across groups
    assert a != pruned('l1', 0)


def test_random_keeps_each_groups_strongest_filters():
    torch.manual_seed(0)
    model = resnet18().eval()
    space = build_search_space(model, torch.randn(1, 3, 32, 32))
    l1 = channel_scores(space, 'l1')
    rnd = channel_scores(space, 'random', seed=3)
    for name in space.gates:
        # in the random score's order, the L1 scores never rise
        ordered = l1[name][torch.argsort(rnd[name], descending=True)]
        assert torch.all(ordered[:-1] >= ordered[1:])
