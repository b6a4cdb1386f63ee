"""mmengine.analysis' MACs beside the search space's when a PaS model is
built: silent when they agree, one warning naming the modules when not."""
import torch
from torchvision.models import resnet18

from pas_mm.core import build_search_space
from pas_mm.models.utils import macs_crosscheck
from pas_mm.models.utils.macs_crosscheck import mmengine_macs_warnings


def _space():
    torch.manual_seed(0)
    model = resnet18(num_classes=10).eval()
    x = torch.randn(1, 3, 32, 32)
    return build_search_space(model, (x, )), x


def _run(model, x):
    return model(x)


def test_a_whole_model_and_a_scope_agree_with_mmengine():
    space, x = _space()
    assert mmengine_macs_warnings(space, (x, ), _run) == []
    torch.manual_seed(0)
    model = resnet18(num_classes=10).eval()
    scoped = build_search_space(model, (x, ), scope=['layer1', 'layer2'])
    assert mmengine_macs_warnings(scoped, (x, ), _run,
                                  scope=['layer1', 'layer2']) == []


def test_a_difference_names_the_module_and_the_second_opinion(monkeypatch):
    space, x = _space()
    real = macs_crosscheck._mmengine_by_module

    def miscounted(model, inputs, forward_fn):
        counts = real(model, inputs, forward_fn)
        extra = counts['layer1.0.conv1']  # mmengine counts it twice
        for name in ('', 'layer1', 'layer1.0', 'layer1.0.conv1'):
            counts[name] += extra
        return counts

    monkeypatch.setattr(macs_crosscheck, '_mmengine_by_module', miscounted)
    lines = mmengine_macs_warnings(space, (x, ), _run)
    assert len(lines) == 1
    assert 'modules that differ most (pas-mm vs mmengine): layer1.0.conv1' \
        in lines[0]
    assert "FlopCounterMode agrees with the search space" in lines[0]


def test_a_model_mmengine_cannot_trace_is_not_compared(monkeypatch):
    space, x = _space()

    def fails(model, inputs, forward_fn):
        raise RuntimeError('cannot trace')

    monkeypatch.setattr(macs_crosscheck, '_mmengine_by_module', fails)
    assert mmengine_macs_warnings(space, (x, ), _run) == []
