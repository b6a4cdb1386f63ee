"""Baseline criteria share the space, the budget cut and the exporter."""
import pytest
import torch
from _helpers import rel_diff
from torchvision.models import resnet18

from pas_mm.core import (CriterionError, build_search_space, channel_scores,
                         export, prune_by_criterion)


@pytest.mark.parametrize('method', ['uniform', 'bn-gamma', 'l1'])
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
        channel_scores(space, 'random')
