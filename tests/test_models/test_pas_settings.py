"""PaSSettings: one validated home for the PaS arguments."""
import pytest
from torch import nn

from pas_mm.core import (BudgetError, CriterionError, SettingsError,
                         TransferError)
from pas_mm.models import PaSAlgorithm
from pas_mm.models.algorithms import PaSSettings


class _Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 8, 3)
        self.b = nn.Conv2d(8, 4, 1)

    def forward(self, x, data_samples=None, mode='tensor'):
        return self.b(self.a(x).relu())


def test_defaults_and_names():
    s = PaSSettings()
    assert s.budget == dict(target_ratio=0.5, weight=1.0, mode='two-sided',
                            attribution='own-layer', metric='macs')
    assert s.search_budget().attribution == 'own-layer'
    assert s.target_ratio == 0.5 and not s.hinge
    assert s.latency_table is None
    assert 'target_groups' not in PaSSettings.names()
    assert 'latency_table' not in PaSSettings.names()
    assert set(PaSSettings.names()) >= {'budget', 'input_shape', 'criterion',
                                        'transfer', 'min_ratio', 'fold'}


@pytest.mark.parametrize('kwargs, error, match', [
    (dict(budget=dict(target_ratio=1.5)), BudgetError, 'target_ratio'),
    (dict(budget=dict(ratio=0.5)), BudgetError, 'unknown budget keys'),
    (dict(budget=dict(mode='soft')), BudgetError, 'budget.mode'),
    (dict(min_ratio=1.0), BudgetError, 'min_ratio'),
    (dict(round_to=0), BudgetError, 'round_to'),
    (dict(criterion='magnitude'), CriterionError, "got 'magnitude'"),
    (dict(distill=dict(module='b'), pretrained=None), SettingsError,
     'distill needs pretrained'),
    (dict(distill=dict(module='b', loss='kd'), pretrained='x.pth'),
     SettingsError, 'distill.loss'),
    (dict(distill=dict(layer='b'), pretrained='x.pth'), SettingsError,
     'distill needs dict'),
    (dict(transfer=dict(spec='x.json')), TransferError, 'width_spec=PATH'),
    (dict(transfer=dict(width_spec='x.json'), criterion='l1'), TransferError,
     'either transfer or criterion'),
])
def test_bad_settings_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        PaSSettings(**kwargs)


def test_from_kwargs_pops_pas_arguments_and_refuses_others():
    kwargs = dict(budget=dict(target_ratio=0.4), generator=dict(type='G'))
    s = PaSSettings.from_kwargs('PaSPix2Pix', kwargs, strict=False,
                                input_shape=(1, 3, 64, 64))
    assert kwargs == dict(generator=dict(type='G'))
    assert s.input_shape == (1, 3, 64, 64) and s.target_ratio == 0.4
    with pytest.raises(SettingsError, match=r"unknown arguments \[.budjet.\]"):
        PaSSettings.from_kwargs('PaSAlgorithm', dict(budjet=None))


def test_algorithm_keeps_one_settings_object():
    model = PaSAlgorithm(_Tiny(), input_shape=(1, 3, 12, 12),
                         budget=dict(target_ratio=0.6))
    assert isinstance(model.settings, PaSSettings)
    assert model.settings.target_ratio == 0.6
    assert model.search_state()['widths'] == {'a': 8}
    with pytest.raises(SettingsError, match='unknown arguments'):
        PaSAlgorithm(_Tiny(), input_shape=(1, 3, 12, 12), budjet=None)
