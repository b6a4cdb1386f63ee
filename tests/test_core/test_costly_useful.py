"""Real searches over a costly useful group and a cheap useless one: where
the cost comes from, and which rule gets it right.

- Producer cost (``CostlyUsefulCheapUseless``): ``useful`` reads the input
  at full resolution (4x the MACs per channel of ``useless``, which reads
  it pooled) and alone reaches the logits. The budget's gradient on a gate
  is proportional to its channel's own cost under either attribution, so
  the projection cuts the costly useful channels and keeps the cheap
  useless ones, exactly as its budget-only control does. An evidence cut
  ranked by the root mean square of the task gradient keeps the useful
  group and cuts the useless one to its floor.
- Consumer cost (``CostlyConsumer``): ``useful`` is a cheap 1x1 conv, but
  the 3x3 output conv reads its channels, and that conv's own channels
  (the logits) cannot be cut. Charged its marginal MACs (pas-mm's rule
  until protocol C of docs/search_evidence.md), the useful group looks
  the costlier, and the search cuts it and keeps the useless group whole.
  Charged its own layer's MACs (the original PaS code's rule, the default
  since protocol C), it is the cheaper, and the search cuts the useless
  group to its floor and keeps the useful one whole.

In both, the cost attribution, not the task, decides: the rule is right
where the attribution puts the cost where a cut saves it.

- Protocol D's candidate (``attribution='flat'``, ``task_signal=
  'fisher'``): the budget pushes every channel alike and the running mean
  square of a channel's task gradient holds it back, so the channels the
  task never uses fall first whatever they cost: on both nets the useless
  group goes (to its floor on the producer net) and the useful group
  stays (nearly) whole."""
import warnings

import pytest
import torch
import torch.nn.functional as F
from test_gate_rule_task_signal import UsefulAndUseless, _data
from torch import nn

from pas_mm.core.pas_search import PaSSearch


class CostlyUsefulCheapUseless(UsefulAndUseless):
    """``UsefulAndUseless`` with ``useless`` reading the input pooled."""

    def forward(self, x):
        a = F.relu(self.useful(x)).mean((2, 3))
        b = F.relu(self.useless(F.avg_pool2d(x, 2))).mean((2, 3))
        return self.head(a) + 0 * self.head_useless(b)


class CostlyConsumer(nn.Module):
    """Per channel: ``useful`` 256 MACs of its own and 1,152 in ``out``,
    which reads it; ``useless`` (a 3x3 conv on the pooled input, reaching
    nothing) 576 of its own and 2 in its head."""

    def __init__(self):
        super().__init__()
        self.useful = nn.Conv2d(4, 16, 1)
        self.out = nn.Conv2d(16, 2, 3, padding=1)  # the logits, pinned
        self.useless = nn.Conv2d(4, 16, 3, padding=1)
        self.head_useless = nn.Linear(16, 2)

    def forward(self, x):
        a = self.out(F.relu(self.useful(x))).mean((2, 3))
        b = F.relu(self.useless(F.avg_pool2d(x, 2))).mean((2, 3))
        return a + 0 * self.head_useless(b)


def _widths(seed, cut, use_task_gradient=True, steps=60,
            net_cls=CostlyUsefulCheapUseless, task_signal='gradient',
            **budget):
    torch.manual_seed(seed)
    net, (x, y) = net_cls(), _data()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    for _ in range(150):  # the trained net
        idx = torch.randint(0, len(x), (64, ))
        loss = F.cross_entropy(net(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    target = budget.setdefault('target_ratio', 0.5)
    search = PaSSearch(net, torch.zeros(1, 4, 8, 8), budget=budget,
                       steps=steps, min_ratio=0.1,
                       gate=dict(use_task_gradient=use_task_gradient,
                                 task_signal=task_signal))
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
    # one channel of a costly group is up to 5 % of the MACs: the cut
    # lands on the target within one channel
    assert abs(spec['macs']['ratio'] / target - 1) <= 0.05
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


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_the_default_charges_the_consumer_to_itself(seed):
    # 75 %: the useless group at its floor meets the target
    default = _widths(seed, 'projection', net_cls=CostlyConsumer,
                      target_ratio=0.75)
    assert default == dict(useful=16, useless=2)
    marginal = _widths(seed, 'projection', net_cls=CostlyConsumer,
                       target_ratio=0.75, attribution='marginal')
    assert marginal == dict(useful=10, useless=16)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_the_fisher_flat_rule_lets_the_task_order_the_cut(seed):
    producer = _widths(seed, 'projection', attribution='flat',
                       task_signal='fisher')
    assert producer == dict(useful=10, useless=2)  # useless at its floor
    consumer = _widths(seed, 'projection', net_cls=CostlyConsumer,
                       target_ratio=0.75, attribution='flat',
                       task_signal='fisher')
    # a few useful channels carry little Fisher and go with the useless
    assert consumer['useful'] >= 14 and consumer['useless'] <= 7
