"""The report's headline pairs PaS with the best other method: another
setting of PaS (pas-marginal, pas-original, ...) is never that method."""
from pas_mm.benchmark.tables import headline, pas_variant


def _rows(method, values, budget=0.25):
    return [dict(task='cls', method=method, budget=budget, seed=seed,
                 metric='accuracy/top1', value=value)
            for seed, value in enumerate(values)]


def test_variants_of_pas_are_not_the_best_other_method():
    assert all(pas_variant(m) for m in (
        'pas+kd', 'pas-residual', 'pas-marginal', 'pas-original',
        'pas-original-2.7k'))
    assert not any(pas_variant(m) for m in ('pas', 'uniform', 'tp-taylor'))
    rows = (_rows('pas', [80.0, 81.0, 82.0]) +
            _rows('pas-original', [90.0, 90.0, 90.0]) +
            _rows('pas-marginal', [85.0, 85.0, 85.0]) +
            _rows('uniform', [81.0, 81.0, 82.0]))
    methods = ('pas', 'pas-original', 'pas-marginal', 'uniform')
    task = dict(name='cls', metrics=['accuracy/top1'], budgets=[0.25],
                methods={m: f'{m}.py' for m in methods})
    lines = headline([task], rows)
    assert len(lines) == 3, lines
    # PaS 81.00 against uniform's 81.33: -0.33, paired by seed
    assert '| uniform | -0.33 [' in lines[2].replace('−', '-'), lines[2]
