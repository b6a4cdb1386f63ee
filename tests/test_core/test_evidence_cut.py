"""Evidence cuts: a costly useful group and a cheaper useless one. A cut
by the latents a cost-greedy search left (cheap channels kept, costly ones
pushed down) drops the useful channels; a cut by the task evidence drops
the useless ones and lands on the target."""
import warnings

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from pas_mm.core import BudgetError
from pas_mm.core.pas_search import PaSSearch
from pas_mm.core.search.evidence_cut import evidence_gain, marginal_unit_cost


class TwoPaths(nn.Module):
    """``useful``: 8 channels at 16 x 16; ``useless``: 8 channels at 8 x 8
    (a quarter of the cost per channel)."""

    def __init__(self):
        super().__init__()
        self.useful = nn.Conv2d(3, 8, 3, padding=1)
        self.useless = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(16, 2)

    def forward(self, x):
        a = self.useful(x).relu().mean((2, 3))
        b = self.useless(F.avg_pool2d(x, 2)).relu().mean((2, 3))
        return self.fc(torch.cat([a, b], 1))


def _search(cut_target=True):
    torch.manual_seed(0)
    search = PaSSearch(TwoPaths(), torch.zeros(1, 3, 16, 16),
                       budget=dict(target_ratio=0.99), steps=1)
    space = search.space
    if cut_target:  # the ratio with one useless channel left (its floor)
        with torch.no_grad():
            space.gates['useless'].latent[1:] = 0.0
        target = space.cost_ratio()
        with torch.no_grad():
            space.gates['useless'].latent.fill_(1.0)
        search.budget = search.budget.__class__(target_ratio=target)
    # what a cost-greedy search leaves: the costly channels pushed down
    with torch.no_grad():
        space.gates['useful'].latent.copy_(torch.linspace(0.55, 0.6, 8))
        space.gates['useless'].latent.fill_(0.9)
    g = torch.Generator().manual_seed(0)
    on = {n: gate.latent.detach() > 0.5 for n, gate in space.gates.items()}
    for _ in range(50):  # useful: switching off raises the loss
        task = [-1.0 + 0.1 * torch.randn(8, generator=g),
                0.1 * torch.randn(8, generator=g)]
        search.evidence_recorder.record(space, ['useful', 'useless'], task,
                                        on, 'descent')
    return search


@pytest.mark.parametrize('cut', ['evidence', 'evidence-per-mac'])
def test_the_evidence_cut_keeps_the_costly_useful_group(cut):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # 1 step: far off the target
        _, spec = _search().finish(cut=cut, export_model=False)
    widths = {n: g['kept'] for n, g in spec['groups'].items()}
    assert widths == dict(useful=8, useless=1)
    assert abs(spec['macs']['ratio'] / spec['target_ratio'] - 1) <= 0.01
    assert spec['cut'] == cut


def test_the_latents_projection_cuts_the_useful_group():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        _, spec = _search().finish(export_model=False)
    widths = {n: g['kept'] for n, g in spec['groups'].items()}
    assert widths['useful'] < 8 and widths['useless'] == 8
    assert spec['cut'] == 'projection'


def test_gains_and_unit_costs():
    search = _search(cut_target=False)
    gains = evidence_gain(search.evidence_recorder, search.space)
    assert float(gains['useful'].min()) > 0.9
    assert float(gains['useless'].abs().max()) < 0.1
    costs = marginal_unit_cost(search.space)
    ratio = costs['useful'] / costs['useless']
    assert torch.allclose(ratio, torch.full_like(ratio, 4.0), rtol=0.01)
    # the latents are left as they were
    assert float(search.space.gates['useless'].latent.detach().min()) == \
        pytest.approx(0.9)


def test_an_evidence_cut_needs_a_two_sided_projection():
    search = _search(cut_target=False)
    with pytest.raises(BudgetError, match='two-sided'):
        search.finish(cut='evidence', project=False)
    with pytest.raises(BudgetError, match='cut must be one of'):
        search.finish(cut='magnitude')
