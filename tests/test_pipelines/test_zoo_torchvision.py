"""Zoo-wide exactness, torchvision: every model exports exactly (<= 1e-4) with
its MACs equal to mmengine.analysis' (<= 1 %), or is refused with one
PaSError line (pas_mm.analysis.zoo; the table is docs/zoo.md)."""
import pytest

from pas_mm.analysis.zoo import torchvision_models, zoo_failures

pytestmark = pytest.mark.slow


def test_every_torchvision_model_exports_exactly_or_is_refused_clearly():
    models = torchvision_models()
    assert len(models) >= 60
    failed = zoo_failures(models)
    assert not failed, '; '.join(failed)
