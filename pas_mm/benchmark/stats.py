"""Summary statistics of a benchmark: mean ± std over seeds, and paired
differences with a t-based 95 % confidence interval."""
import math
from typing import Dict, Optional, Sequence

# two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262,
         2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101,
         2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052,
         2.048, 2.045, 2.042)
# metrics where lower is better; all others: higher is better
LOWER_IS_BETTER = ('MAE', 'MSE', 'FID', 'LPIPS', 'loss')


def t975(dof: int) -> float:
    """The 0.975 quantile of Student's t with ``dof`` degrees of freedom
    (the normal 1.96 beyond the table)."""
    if dof < 1:
        raise ValueError('a confidence interval needs at least 2 values')
    return _T975[dof - 1] if dof <= len(_T975) else 1.96


def lower_is_better(metric: str) -> bool:
    return metric.rsplit('/', 1)[-1] in LOWER_IS_BETTER


def mean_std(values: Sequence[float]) -> Dict[str, Optional[float]]:
    """``dict(mean, std, n)``; std is the sample std (n - 1), None for one
    value."""
    n = len(values)
    if n == 0:
        return dict(mean=None, std=None, n=0)
    mean = sum(values) / n
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) \
        if n > 1 else None
    return dict(mean=mean, std=std, n=n)


def paired_difference(a: Dict, b: Dict) -> Dict[str, Optional[float]]:
    """Mean of ``a[k] - b[k]`` over the keys (seeds) both have, with its
    95 % CI (t with n - 1 dof): ``dict(mean, low, high, n)``."""
    keys = sorted(set(a) & set(b))
    diffs = [a[k] - b[k] for k in keys]
    stats = mean_std(diffs)
    if stats['n'] < 2:
        return dict(mean=stats['mean'], low=None, high=None, n=stats['n'])
    half = t975(stats['n'] - 1) * stats['std'] / math.sqrt(stats['n'])
    return dict(mean=stats['mean'], low=stats['mean'] - half,
                high=stats['mean'] + half, n=stats['n'])


def fmt_mean_std(stats: Dict, digits: int = 2) -> str:
    if stats['mean'] is None:
        return '–'
    if stats['std'] is None:
        return f'{stats["mean"]:.{digits}f} (n=1)'
    return f'{stats["mean"]:.{digits}f} ± {stats["std"]:.{digits}f}'


def fmt_diff(diff: Dict, digits: int = 2) -> str:
    if diff['mean'] is None:
        return '–'
    if diff['low'] is None:
        return f'{diff["mean"]:+.{digits}f} (n={diff["n"]}, no CI)'
    return (f'{diff["mean"]:+.{digits}f} [{diff["low"]:+.{digits}f}, '
            f'{diff["high"]:+.{digits}f}]')
