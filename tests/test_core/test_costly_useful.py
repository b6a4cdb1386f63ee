"""A real search over a costly useful group and a cheap useless one.

``useful`` reads the input at full resolution (4x the MACs per channel
of ``useless``, which reads it pooled) and alone reaches the logits. The
budget's gradient on a gate is proportional to its channel's cost, so a
search whose latents set the widths (the projection) cuts the costly
useful channels and keeps the cheap useless ones, exactly as its
budget-only control does. An evidence cut ranked by the root mean
square of the task gradient keeps the useful group and cuts the useless
one to its floor, seed after seed."""
import warnings

import pytest
import torch
import torch.nn.functional as F
from test_gate_rule_task_signal import UsefulAndUseless, _data

from pas_mm.core.pas_search import PaSSearch


class CostlyUsefulCheapUseless(UsefulAndUseless):
    """``UsefulAndUseless`` with ``useless`` reading the input pooled."""

    def forward(self, x):
        a = F.relu(self.useful(x)).mean((2, 3))
        b = F.relu(self.useless(F.avg_pool2d(x, 2))).mean((2, 3))
        return self.head(a) + 0 * self.head_useless(b)


def _widths(seed, cut, use_task_gradient=True, steps=60):
    torch.manual_seed(seed)
    net, (x, y) = CostlyUsefulCheapUseless(), _data()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    for _ in range(150):  # the trained net
        idx = torch.randint(0, len(x), (64, ))
        loss = F.cross_entropy(net(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    search = PaSSearch(net, torch.zeros(1, 4, 8, 8),
                       budget=dict(target_ratio=0.5), steps=steps,
                       min_ratio=0.1,
                       gate=dict(use_task_gradient=use_task_gradient))
    opt = torch.optim.SGD(net.parameters(), lr=0.02, momentum=0.9)
    search.attach(opt)
    for _ in range(steps):
        idx = torch.randint(0, len(x), (64, ))
        loss = F.cross_entropy(net(x[idx]), y[idx]) + search.loss()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # a short search: little evidence
        _, spec = search.finish(cut=cut, export_model=False)
    # one channel of the costly group is 5 % of the MACs: the cut lands
    # on the target within one channel
    assert abs(spec['macs']['ratio'] / 0.5 - 1) <= 0.05
    return {n: g['kept'] for n, g in spec['groups'].items()}


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_the_projection_follows_the_cost_like_its_control(seed):
    searched = _widths(seed, 'projection')
    assert searched == dict(useful=6, useless=16)
    assert _widths(seed, 'projection', use_task_gradient=False) == searched


@pytest.mark.parametrize('cut', ['evidence-rms', 'evidence-rms-per-mac'])
@pytest.mark.parametrize('seed', [0, 1, 2])
def test_the_rms_evidence_cut_keeps_the_useful_group(cut, seed):
    widths = _widths(seed, cut)
    assert widths['useless'] == 2  # its floor (min_ratio 0.1)
    assert widths['useful'] >= 9
