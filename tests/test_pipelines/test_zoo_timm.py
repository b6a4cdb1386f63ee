"""Zoo-wide exactness, timm: every model exports exactly (<= 1e-4) with
its MACs equal to mmengine.analysis' (<= 1 %), or is refused with one
PaSError line (pas_mm.analysis.zoo; the table is docs/zoo.md)."""
import pytest

from pas_mm.analysis.zoo import timm_models, zoo_failures

pytestmark = pytest.mark.slow


def test_every_timm_model_exports_exactly_or_is_refused_clearly():
    models = timm_models()
    assert len(models) >= 30
    failed = zoo_failures(models)
    assert not failed, '; '.join(failed)
