"""Benchmark statistics: mean ± std and paired differences with a t CI."""
import math

import pytest
from scipy import stats

from pas_mm.benchmark.stats import (fmt_diff, lower_is_better, mean_std,
                                    paired_difference, t975)


def test_t_quantiles_match_scipy():
    for dof in (1, 2, 5, 30):
        assert t975(dof) == pytest.approx(stats.t.ppf(0.975, dof), abs=2e-3)
    with pytest.raises(ValueError):
        t975(0)


def test_mean_std_is_the_sample_std():
    s = mean_std([1.0, 2.0, 4.0])
    assert s['mean'] == pytest.approx(7 / 3)
    assert s['std'] == pytest.approx(math.sqrt(
        sum((v - 7 / 3) ** 2 for v in (1, 2, 4)) / 2))
    assert mean_std([3.0]) == dict(mean=3.0, std=None, n=1)


def test_paired_difference_pairs_by_seed_and_matches_scipy():
    a = {0: 80.0, 1: 82.0, 2: 79.0, 3: 90.0}
    b = {0: 78.0, 1: 81.5, 2: 78.0}  # seed 3 missing: not paired
    d = paired_difference(a, b)
    diffs = [2.0, 0.5, 1.0]
    low, high = stats.t.interval(0.95, 2, loc=sum(diffs) / 3,
                                 scale=stats.sem(diffs))
    assert d['n'] == 3 and d['mean'] == pytest.approx(7 / 6)
    assert d['low'] == pytest.approx(low, abs=1e-3)
    assert d['high'] == pytest.approx(high, abs=1e-3)
    one = paired_difference({0: 1.0}, {0: 0.5})
    assert one['low'] is None and 'no CI' in fmt_diff(one)


def test_metric_direction():
    assert lower_is_better('MAE') and lower_is_better('val/FID')
    assert not lower_is_better('accuracy/top1')
    assert not lower_is_better('coco/bbox_mAP')
