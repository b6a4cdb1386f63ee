"""The task's part of a gate step: the gradient as it is, or its running
mean square (the empirical Fisher), always against the cut."""
import pytest
import torch

from pas_mm.core import BudgetError
from pas_mm.core.search.task_signal import TaskSignal


def test_gradient_passes_through():
    task = [torch.tensor([1.0, -2.0])]
    assert TaskSignal()(['a'], task) is task


def test_fisher_is_the_running_mean_square_against_the_cut():
    signal = TaskSignal('fisher', momentum=0.5)
    first = [torch.tensor([1.0, -1.0, 0.0]), torch.tensor([2.0])]
    out = signal(['a', 'b'], first)
    # squares 1, 1, 0, 4; scaled to the task gradient's RMS (sqrt(6/4))
    squares = torch.tensor([1.0, 1.0, 0.0, 4.0])
    want = -squares / squares.pow(2).mean().sqrt() * (6 / 4)**0.5
    assert torch.allclose(torch.cat(out), want)
    assert all(bool((t <= 0).all()) for t in out)  # never toward the cut
    second = [torch.tensor([3.0, -1.0, 0.0]), torch.tensor([0.0])]
    out = signal(['a', 'b'], second)
    squares = torch.tensor([5.0, 1.0, 0.0, 2.0])  # the EMA at 0.5
    rms = torch.cat(second).pow(2).mean().sqrt()
    assert torch.allclose(torch.cat(out),
                          -squares / squares.pow(2).mean().sqrt() * rms)
    # its state round-trips: the next step reads the same average
    again = TaskSignal('fisher', momentum=0.5)
    again.load_state_dict(signal.state_dict())
    third = [torch.tensor([1.0, 1.0, 1.0]), torch.tensor([1.0])]
    assert all(torch.equal(a, b) for a, b in
               zip(again(['a', 'b'], third), signal(['a', 'b'], third)))


def test_no_evidence_yet_is_no_signal():
    out = TaskSignal('fisher')(['a'], [torch.zeros(3)])
    assert torch.equal(out[0], torch.zeros(3))


@pytest.mark.parametrize('kwargs, match', [
    (dict(kind='hessian'), 'task_signal'),
    (dict(kind='fisher', momentum=1.0), 'fisher_momentum'),
])
def test_bad_settings_get_one_line(kwargs, match):
    with pytest.raises(BudgetError, match=match):
        TaskSignal(**kwargs)
