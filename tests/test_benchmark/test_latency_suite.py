"""A suite task with latency-budget methods: its latency tables are built
alone before the runs, each latency-budget run reads its table, the suite
check names a bad table, and the report meets the MACs-budget runs at
equal measured latency."""
import os.path as osp
import runpy

import pytest

from pas_mm.apis.errors import SuiteError
from pas_mm.benchmark.check import load_suite
from pas_mm.benchmark.latency_budget import (equal_latency,
                                             equal_latency_lines,
                                             interpolate_at)
from pas_mm.benchmark.scheduler import dependencies
from pas_mm.benchmark.suite import latency_budget_methods, suite_runs

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SUITE = osp.join(REPO, 'configs/benchmark/latency_suite.py')


def _plan(tasks, work):
    script = runpy.run_path(osp.join(REPO, 'tools/benchmark/run_suite.py'))
    return script['plan'](tasks, work, []), script['schedule']


def test_latency_suite_plans_tables_before_the_runs_that_read_them():
    task, mobilenet = load_suite(SUITE)
    assert latency_budget_methods(task) == {'pas-latency-b32': 'b32',
                                            'pas-latency-b1': 'b1'}
    assert len(suite_runs(task)) == 3 * 3 * 3
    assert mobilenet['shape'] == (64, 64) and latency_budget_methods(
        mobilenet) == latency_budget_methods(task)
    steps, schedule = _plan([task], 'w')
    tables = [s for s in steps if s[1].startswith('table-')]
    assert [s[1] for s in tables] == ['table-b1', 'table-b32']
    assert tables[1][4][-2:] == ['--batch', '32']
    first_run = next(i for i, s in enumerate(steps)
                     if s[1].startswith('pas'))
    assert all(steps.index(t) < first_run for t in tables)
    train = next(s for s in steps if s[1] == 'pas-latency-b32@0.5-seed1'
                 and s[2] == 'train')
    assert 'model.budget.table=w/classification_latency/tables/b32/' \
        'table.json' in train[4]
    assert 'model.budget.target_ratio=0.5' in train[4]
    export = next(s for s in steps if s[1] == 'pas-latency-b32@0.5-seed1'
                  and s[2] == 'export')
    assert export[4][-3:] == [
        '--cfg-options', 'model.budget.table=w/classification_latency/'
        'tables/b32/table.json', 'model.budget.target_ratio=0.5']
    macs = next(s for s in steps if s[1] == 'pas@0.5-seed1' and
                s[2] == 'train')
    assert not any(a.startswith('model.budget.table') for a in macs[4])
    groups, _ = schedule(steps, 2, {}, 0.0)
    deps = dependencies(groups)
    assert 'w/classification_latency/tables/b32' in deps[
        'w/classification_latency/pas-latency-b32@0.5-seed1']
    barriers = {g.run_dir for g in groups if g.barrier}
    assert 'w/classification_latency/tables/b1' in barriers


@pytest.mark.parametrize('change, message', [
    ("tasks[0]['methods']['pas-latency-b1']['latency_table'] = 'b8'",
     "latency_table='b8' is not in the task's latency_tables"),
    ("tasks[0]['latency_tables']['b1']['batch'] = 8",
     'batch 8 is not a timed batch size'),
    ("tasks[0]['methods']['pas-latency-b1']['budgets'] = [1.5]",
     'must be latency ratios in (0, 1]'),
])
def test_bad_latency_tables_are_one_error_line(tmp_path, capsys, change,
                                               message):
    bad = tmp_path / 'bad_suite.py'
    bad.write_text(f"_base_ = ['{SUITE}']\ntasks = _base_.tasks\n{change}\n")
    with pytest.raises(SuiteError) as e:
        load_suite(str(bad))
    assert message in str(e.value) and '\n' not in str(e.value)


def _row(method, budget, seed, value, ms):
    return dict(task='t', method=method, budget=budget, seed=seed,
                metric='acc', value=value, latency_ms_b32=ms,
                latency_ms_b1=None)


def test_equal_latency_reads_the_macs_curve_of_each_seed():
    assert interpolate_at([(0.4, 70.0), (0.8, 80.0)], 0.5) == \
        pytest.approx(72.5)
    assert interpolate_at([(0.4, 70.0), (0.8, 80.0)], 0.9) is None
    task = dict(name='t', metrics=['acc'],
                latency_tables=dict(b32=dict(config='c.py', batch=32)),
                methods={'pas': 'p.py',
                         'lat': dict(config='l.py', latency_table='b32',
                                     budgets=[0.5])},
                budgets=[0.5, 0.25])
    rows = [_row('baseline', 1.0, None, 90.0, 100.0)]
    for seed, shift in ((0, 0.0), (1, 1.0), (2, -1.0)):
        rows += [_row('pas', 0.5, seed, 80.0 + shift, 80.0),
                 _row('pas', 0.25, seed, 70.0 + shift, 40.0),
                 # at 0.6 of the latency: pas reads 75 + shift there
                 _row('lat', 0.5, seed, 76.0 + shift + 0.1 * seed, 60.0)]
    rows.append(_row('lat', 0.5, 3, 50.0, 90.0))  # beyond pas's range
    (found, ) = equal_latency(task, rows)
    assert found['batch'] == 32 and found['outside'] == [3]
    assert found['reached']['mean'] == pytest.approx((3 * 0.6 + 0.9) / 4)
    assert found['at_equal_latency']['mean'] == pytest.approx(75.0)
    assert found['difference']['mean'] == pytest.approx(1.1)
    assert found['difference']['n'] == 3
    lines = equal_latency_lines(task, rows)
    assert any(line.startswith('| lat | 0.5 | 32 |') and '| 3 |' in line
               for line in lines)
    assert equal_latency_lines(dict(task, methods={'pas': 'p.py'}),
                               rows) == []
