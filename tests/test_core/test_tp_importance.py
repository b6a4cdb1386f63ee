"""Torch-Pruning's importance classes as baseline criteria: the scores are
Torch-Pruning's own, mapped onto pas-mm's groups, and cut to the budget."""
import pytest
import torch
import torch_pruning as tp  # requirements/benchmark.txt
from _helpers import rel_diff
from torchvision.models import resnet18

from pas_mm.core import (CriterionError, build_search_space, export,
                         prune_by_criterion)
from pas_mm.core.criteria.tp_importance import (TP_CRITERIA, needs_gradients,
                                                tp_channel_scores)


def _space(seed=0):
    torch.manual_seed(seed)
    model = resnet18(num_classes=10).eval()
    x = torch.randn(2, 3, 64, 64)
    return model, x, build_search_space(model, x)


def _backward(model, x):
    def run():
        labels = torch.arange(x.shape[0]) % 10
        torch.nn.functional.cross_entropy(model(x), labels).backward()
    return run


def test_scores_are_torch_prunings_own_on_each_group():
    model, x, space = _space()
    scores = tp_channel_scores(space, 'tp-magnitude', x)
    assert set(scores) == set(space.gates)
    # Torch-Pruning itself, on a plain copy of the same weights
    plain = resnet18(num_classes=10).eval()
    plain.load_state_dict({k: v for k, v in model.state_dict().items()
                           if not k.startswith('pas_gates')})
    graph = tp.DependencyGraph().build_dependency(plain, x)
    imp = tp.importance.GroupMagnitudeImportance(p=2)
    for name, layer in (('layer1.0.conv1', plain.layer1[0].conv1),
                        ('conv1', plain.conv1),
                        ('layer3.0.conv1', plain.layer3[0].conv1)):
        group = graph.get_pruning_group(
            layer, tp.prune_conv_out_channels,
            idxs=list(range(layer.out_channels)))
        assert torch.allclose(scores[name], imp(group).float(), rtol=1e-5)
    # the residual stream of layer1 is one group, scored over all of its
    # coupled layers: not the first conv's own filter norms alone
    own = model.conv1.weight.detach().pow(2).flatten(1).sum(1)
    assert not torch.allclose(scores['conv1'] / scores['conv1'].mean(),
                              own / own.mean())


@pytest.mark.parametrize('method', sorted(TP_CRITERIA))
def test_tp_criterion_hits_budget_and_exports_exactly(method):
    model, x, space = _space()
    backward = _backward(model, x) if needs_gradients(method) else None
    scores = tp_channel_scores(space, method, x, backward=backward)
    assert all(s.shape == (space.gates[n].num_channels, )
               for n, s in scores.items())
    assert all(p.grad is None for p in model.parameters())  # left clean
    ratio = prune_by_criterion(space, method, 0.5, scores=scores)
    assert abs(ratio - 0.5) <= 0.01 * 0.5 and space.frozen
    with torch.no_grad():
        gated = model(x)
    compact, _ = export(space)
    with torch.no_grad():
        assert rel_diff(gated, compact(x)) <= 1e-5


def test_the_masks_come_back_after_scoring():
    model, x, space = _space()
    space.gates['layer1.0.conv1'].latent.data[:32] = 0.0
    with torch.no_grad():
        before = model(x)
    tp_channel_scores(space, 'tp-lamp', x)
    with torch.no_grad():
        assert torch.equal(model(x), before)
    assert hasattr(model, 'pas_gates')


def test_taylor_follows_the_gradient_and_needs_it():
    model, x, space = _space()
    with pytest.raises(CriterionError, match='needs calibration batches'):
        tp_channel_scores(space, 'tp-taylor', x)
    a = tp_channel_scores(space, 'tp-taylor', x, backward=_backward(model, x))
    b = tp_channel_scores(space, 'tp-taylor', x,
                          backward=_backward(model, torch.randn(2, 3, 64, 64)))
    assert not torch.allclose(a['layer2.0.conv1'], b['layer2.0.conv1'])
    with pytest.raises(CriterionError, match='unknown Torch-Pruning'):
        tp_channel_scores(space, 'tp-hessian', x)
    with pytest.raises(CriterionError, match='scored by'):
        prune_by_criterion(space, 'tp-lamp', 0.5)


def test_a_model_trains_right_after_scoring_and_an_in_place_export():
    """Torch-Pruning's trace leaves no autograd graph alive: one would keep
    a weight's gradient accumulator at the full shape, and the first
    backward of the sliced model would fail (it did, whenever the garbage
    collector had not run in between)."""
    import gc
    model, x, space = _space()
    gc.collect()
    gc.disable()  # as if the collector did not run before the export
    try:
        tp_channel_scores(space, 'tp-taylor', x,
                          backward=_backward(model, x))
        prune_by_criterion(space, 'l1', 0.5)
        compact, _ = export(space)
        compact.train()
        loss = compact(x).square().mean()
        loss.backward()
    finally:
        gc.enable()
    assert compact.fc.weight.grad.shape == compact.fc.weight.shape
