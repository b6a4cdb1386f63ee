"""After export, the compact model's MACs are counted again (PyTorch's
FlopCounterMode) against what the search space predicted at the kept
widths: PaSSearch.finish warns, naming modules, when they differ."""
import warnings

import torch
from test_gate_optimizer import Net

from pas_mm.core import build_search_space, export
from pas_mm.core.cost.macs_check import export_disagreements, kept_mixing_macs
from pas_mm.core.pas_search import PaSSearch


def _half_closed(space):
    with torch.no_grad():
        for gate in space.gates.values():
            gate.latent[::2] = 0.2


def test_the_prediction_at_kept_widths_matches_the_export():
    torch.manual_seed(0)
    net = Net(16).eval()
    x = torch.zeros(1, 3, 16, 16)
    space = build_search_space(net, x)
    _half_closed(space)
    predicted = kept_mixing_macs(space)
    compact, _ = export(space)
    assert export_disagreements(predicted, compact, x) == []
    # a prediction that is off names the module that differs most
    wrong = dict(predicted)
    layer = max(wrong, key=wrong.get)
    wrong[layer] *= 3
    lines = export_disagreements(wrong, compact, x)
    assert len(lines) == 1 and layer in lines[0]
    assert 'FlopCounterMode' in lines[0]


def test_finish_counts_the_export_and_stays_quiet_when_it_agrees():
    torch.manual_seed(0)
    net = Net(16)
    search = PaSSearch(net, torch.zeros(1, 3, 16, 16),
                       budget=dict(target_ratio=0.5), min_ratio=0.1)
    _half_closed(search.space)
    lines = []
    compact, spec = search.finish(searched=False, warn=lines.append)
    assert lines == []
    assert spec['macs']['ratio'] < 1
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        compact(torch.zeros(2, 3, 16, 16))
