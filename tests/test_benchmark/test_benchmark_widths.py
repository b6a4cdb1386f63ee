"""Cross-task widths of a benchmark run: PaS's per-group kept ratios of
one backbone family on two tasks, rank-correlated across tasks and between
seeds, and the report section built from them."""
import json
import os.path as osp
import runpy

import pytest

from pas_mm.benchmark.widths import compare_tasks, cross_task_widths

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
GROUPS = [f'backbone.layer{i}.conv' for i in range(1, 6)]
# kept out of 10 channels per group: classification keeps late layers,
# detection early ones; seeds differ by one channel in one group
KEPT = {'cls': [[2, 4, 6, 8, 10], [2, 4, 6, 9, 10]],
        'det': [[10, 8, 6, 4, 2], [10, 8, 5, 4, 2]]}


def _task(name, **kw):
    return dict(dict(name=name, family='r18', methods={'pas': 'p.py'},
                     budgets=[0.5], seeds=[0, 1]), **kw)


@pytest.fixture
def work(tmp_path):
    for task, runs in KEPT.items():
        for seed, kept in enumerate(runs):
            path = (tmp_path / task / f'pas@0.5-seed{seed}' / 'compact' /
                    'width_spec.json')
            path.parent.mkdir(parents=True)
            groups = {g: dict(channels=10, kept=k, indices=list(range(k)))
                      for g, k in zip(GROUPS, kept)}
            if task == 'det':  # a group only the detector has
                groups['neck.lateral'] = dict(channels=8, kept=4,
                                              indices=[0, 1, 2, 3])
            path.write_text(json.dumps(dict(groups=groups,
                                            macs=dict(ratio=0.5))))
    return tmp_path


def test_rho_across_tasks_and_between_seeds(work):
    found = cross_task_widths(str(work), [_task('cls'), _task('det'),
                                          _task('gan', family='unet')])
    assert len(found) == 1
    c = found[0]
    assert (c['task_a'], c['task_b'], c['budget']) == ('cls', 'det', 0.5)
    assert c['groups'] == GROUPS  # the neck group is the detector's own
    assert c['rho_cross'] == pytest.approx(-1.0)
    assert c['rho_within_a'] == pytest.approx(1.0)
    assert c['mean_a'] == pytest.approx([0.2, 0.4, 0.6, 0.85, 1.0])


def test_too_few_shared_groups_or_runs():
    assert compare_tasks({}, {0: {'a': 1.0}}) is None
    assert compare_tasks({0: {'a': 1.0, 'b': 0.5}},
                         {0: {'a': 0.5, 'b': 1.0}}) is None


def test_report_section(work, tmp_path):
    suite = dict(suite='s.py', tasks=[
        _task(name, metrics=['accuracy/top1'], shape=[32, 32],
              final='e.pth', baseline=dict(config='b.py', final='e.pth'))
        for name in KEPT])
    (work / 'suite.json').write_text(json.dumps(suite))
    for task in KEPT:  # one finished run per task, for the tables
        run = work / task / 'pas@0.5-seed0' / 'compact'
        (run / 'test_metrics.json').write_text(json.dumps(
            dict(metrics={'accuracy/top1': 50.0})))
        (run / 'flops.json').write_text(json.dumps(dict(params=1e6)))
    out = tmp_path / 'report'
    runpy.run_path(osp.join(REPO, 'tools/analysis/benchmark_report.py'))[
        'main']([str(work), '--out', str(out)])
    report = (out / 'report.md').read_text()
    assert '## Do the searched widths differ by task?' in report
    assert '| r18 | 0.5 | cls | det | 5 | -1.000 | 1.000 | 1.000 |' in \
        report
    assert (out / 'widths_r18_0.5.png').stat().st_size > 0
