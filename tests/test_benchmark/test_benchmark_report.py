"""benchmark_report.py on a suite work dir laid out as run_suite.py writes
it: results.csv rows, paired differences and Pareto plots."""
import csv
import json
import os.path as osp
import runpy

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TASK = dict(name='classification', metrics=['accuracy/top1'],
            baseline=dict(config='b.py', final='epoch_1.pth'),
            methods={'pas': 'p.py', 'l1': 'l.py', 'pas+kd': 'k.py'},
            budgets=[0.5], seeds=[0, 1, 2], final='epoch_1.pth',
            shape=[32, 32])
TOP1 = {'pas': (80.0, 81.0, 79.0), 'l1': (78.0, 80.5, 77.0),
        'pas+kd': (81.0, 81.5, 80.0)}


def _write(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))


@pytest.fixture
def work(tmp_path):
    _write(tmp_path / 'suite.json', dict(suite='s.py', tasks=[TASK]))
    tdir = tmp_path / 'classification'
    _write(tdir / 'baseline' / 'test_metrics.json',
           dict(metrics={'accuracy/top1': 84.0}))
    _write(tdir / 'baseline' / 'flops.json', dict(params=2.0e6, macs=1e8))
    ms = {'baseline': 2.0}
    for method, values in TOP1.items():
        for seed, top1 in enumerate(values):
            tag = f'{method}@0.5-seed{seed}'
            cdir = tdir / tag / 'compact'
            _write(cdir / 'test_metrics.json',
                   dict(metrics={'accuracy/top1': top1}))
            _write(cdir / 'val' / 'test_metrics.json',
                   dict(metrics={'accuracy/top1': top1 + 1}))
            _write(cdir / 'flops.json', dict(params=1.0e6, macs=5e7))
            _write(cdir / 'width_spec.json',
                   dict(macs=dict(ratio=0.5 + seed * 1e-3)))
            search = dict(macs=dict(ratio=0.5 + seed * 1e-3))
            if method != 'l1':  # written at the end of a search
                search.update(search_end_ratio=0.52, projection_shift=-0.01)
            _write(tdir / tag / 'pas_search' / 'width_spec.json', search)
            ms[tag] = 1.0 + seed * 0.1
    ms32 = {k: 10 * v for k, v in ms.items()}
    _write(tdir / 'timing' / 'latency.json',
           dict(ms_per_batch={'1': ms, '32': ms32}))
    return tmp_path


def test_report_rows_differences_and_plots(work, tmp_path):
    out = tmp_path / 'report'
    main = runpy.run_path(osp.join(REPO, 'tools/analysis/'
                                   'benchmark_report.py'))['main']
    main([str(work), '--out', str(out)])
    with open(out / 'results.csv') as f:
        rows = list(csv.DictReader(f))
    assert rows[0].keys() == {
        'task', 'method', 'budget', 'seed', 'macs_ratio', 'params_m',
        'metric', 'value', 'latency_ms_b1', 'latency_ms_b32',
        'search_end_ratio', 'projection_shift', 'latency_ms_b8'}
    assert len(rows) == 1 + 9
    base = rows[0]
    assert (base['method'], base['budget'], base['macs_ratio'],
            base['latency_ms_b1']) == ('baseline', '1.0', '1.0', '2.0')
    pas1 = next(r for r in rows if r['method'] == 'pas' and r['seed'] == '1')
    assert float(pas1['value']) == 81.0 and pas1['search_end_ratio'] == \
        '0.52' and float(pas1['latency_ms_b32']) == pytest.approx(11.0)
    assert next(r for r in rows if r['method'] == 'l1')[
        'search_end_ratio'] == ''
    with open(out / 'results_val.csv') as f:
        val = list(csv.DictReader(f))  # the baseline has no val metrics
    assert (val[0]['method'], val[0]['seed'], float(val[0]['value'])) == \
        ('pas', '0', 81.0)
    report = (out / 'report.md').read_text()
    # PaS - l1 per seed: 2, 0.5, 2 -> mean 1.5; l1 is the best other
    assert '| classification (accuracy/top1) | 0.5 | 80.00 ± 1.00 | l1 | ' \
        '+1.50 [' in report
    assert '| 0.5 | pas+kd | -0.83 [' in report  # PaS minus PaS+KD
    for key in ('macs_ratio', 'latency_ms_b1', 'latency_ms_b32'):
        assert (out / f'pareto_classification_{key}.png').stat().st_size > 0
    assert 'Not finished' not in report
    assert '**Runs finished: 10 of 10** (the full suite).' in report
    # search end 0.52 for a 0.5 target: +4 %, inside the +-5 % protocol
    assert '| classification | pas | 3 | +4.0% | none | -0.0100 |' in report


def test_report_lists_unfinished_runs(work, tmp_path):
    (work / 'classification' / 'l1@0.5-seed2' / 'compact' /
     'test_metrics.json').unlink()
    main = runpy.run_path(osp.join(REPO, 'tools/analysis/'
                                   'benchmark_report.py'))['main']
    main([str(work), '--out', str(tmp_path / 'r')])
    report = (tmp_path / 'r' / 'report.md').read_text()
    assert 'classification/l1@0.5-seed2' in report.split('Not finished')[1]
    assert '**Runs finished: 9 of 10** (a partial run' in report


def test_val_split_report_of_a_tuning_sweep(work, tmp_path):
    """--split val: tables from val, no results.csv; the report runs on a
    sweep that never evaluated on test."""
    tdir = work / 'classification'
    for path in [tdir / 'baseline' / 'test_metrics.json',
                 *tdir.glob('*/compact/test_metrics.json')]:
        path.unlink()
    out = tmp_path / 'sweep'
    main = runpy.run_path(osp.join(REPO, 'tools/analysis/'
                                   'benchmark_report.py'))['main']
    main([str(work), '--out', str(out), '--split', 'val'])
    assert not (out / 'results.csv').exists()
    report = (out / 'report.md').read_text()
    assert 'Metrics on the **val** split' in report
    # val top-1 is test + 1 for every run: the same paired differences
    assert '| classification (accuracy/top1) | 0.5 | 81.00 ± 1.00 | l1 | ' \
        '+1.50 [' in report
    # the baseline has no val metrics here: listed, not guessed
    assert 'classification/baseline' in report.split('Not finished')[1]
    # nothing on test: one error line, exit status 2
    assert main([str(work), '--out', str(tmp_path / 'x')]) == 2


def test_carry_over_fills_the_runs_a_lost_work_dir_held(work, tmp_path):
    """A suite run in parts: the second machine's work dir lacks the l1
    runs; --carry-over takes them from the earlier report's CSVs, says so,
    and keeps the earlier width section."""
    main = runpy.run_path(osp.join(REPO, 'tools/analysis/'
                                   'benchmark_report.py'))['main']
    out = tmp_path / 'docs'
    main([str(work), '--out', str(out)])
    with open(out / 'results.csv') as f:
        full = list(csv.DictReader(f))
    (out / 'report.md').write_text(
        '# Benchmark report\n\n## Do the searched widths differ by task?'
        '\n\n| family | rho |\n|---|---|\n| r18 | 0.24 |\n\n## Not finished\n')
    import shutil
    for seed in range(3):
        shutil.rmtree(work / 'classification' / f'l1@0.5-seed{seed}')
    main([str(work), '--out', str(out), '--carry-over', str(out)])
    with open(out / 'results.csv') as f:
        again = list(csv.DictReader(f))
    key = ('method', 'seed', 'value', 'latency_ms_b1')
    assert sorted(tuple(r[k] for k in key) for r in again) == \
        sorted(tuple(r[k] for k in key) for r in full)
    report = (out / 'report.md').read_text()
    assert '**Runs finished: 10 of 10** (the full suite).' in report
    assert '3 of them are carried over' in report
    assert 'classification/l1@0.5-seed2' in report.split(
        'Carried over from the earlier report\n')[1]
    assert '| classification (accuracy/top1) | 0.5 | 80.00 ± 1.00 | l1 | ' \
        '+1.50 [' in report
    assert '| r18 | 0.24 |' in report.split(
        'Do the searched widths differ by task?')[1]
    with open(out / 'results_val.csv') as f:
        assert sum(r['method'] == 'l1' for r in csv.DictReader(f)) == 3
    (out / 'results.csv').write_text('a,b\n1,2\n')
    # not a results file: one clear error
    assert main([str(work), '--out', str(tmp_path / 'y'), '--carry-over',
                 str(out)]) == 2


def test_metrics_on_a_unit_scale_get_three_decimals(work, tmp_path):
    for path in (work / 'classification').glob('*/compact/'
                                               'test_metrics.json'):
        top1 = json.loads(path.read_text())['metrics']['accuracy/top1']
        path.write_text(json.dumps(dict(metrics={
            'accuracy/top1': top1 / 100})))
    (work / 'classification' / 'baseline' / 'test_metrics.json').write_text(
        json.dumps(dict(metrics={'accuracy/top1': 0.84})))
    main = runpy.run_path(osp.join(REPO, 'tools/analysis/'
                                   'benchmark_report.py'))['main']
    main([str(work), '--out', str(tmp_path / 'r')])
    report = (tmp_path / 'r' / 'report.md').read_text()
    assert '| 0.5 | 0.800 ± 0.010 | l1 | +0.015 [' in report


def test_v2_rows_ceiling_widths_only_and_v1_beside(work, tmp_path):
    """baseline+ is the ceiling column, not another method; scratch-* rows
    are their own widths-only table; an earlier version's results.csv
    (without the newer latency column) is shown beside the headline."""
    task = dict(TASK, methods=dict(
        TASK['methods'], **{'baseline+': dict(config='u.py', budgets=[1.0]),
                            'scratch-pas': dict(config='s.py',
                                                widths_from='pas',
                                                pretrained=False),
                            'scratch-l1': dict(config='s.py',
                                               widths_from='l1',
                                               pretrained=False)}))
    _write(work / 'suite.json', dict(suite='s.py', tasks=[task]))
    tdir = work / 'classification'
    scores = {'baseline+@1': (90.0, 91.0, 92.0),
              'scratch-pas@0.5': (70.0, 71.0, 72.0),
              'scratch-l1@0.5': (99.0, 99.0, 99.0)}
    for prefix, values in scores.items():
        for seed, top1 in enumerate(values):
            cdir = tdir / f'{prefix}-seed{seed}' / 'compact'
            _write(cdir / 'test_metrics.json',
                   dict(metrics={'accuracy/top1': top1}))
            _write(cdir / 'flops.json', dict(params=1.0e6, macs=5e7))
            _write(cdir / 'width_spec.json', dict(macs=dict(ratio=0.5)))
    main = runpy.run_path(osp.join(REPO, 'tools/analysis/'
                                   'benchmark_report.py'))['main']
    v1 = tmp_path / 'v1'
    main([str(work), '--out', str(v1)])
    # an earlier version's file: the columns before latency_ms_b8
    text = (v1 / 'results.csv').read_text().splitlines()
    (v1 / 'results.csv').write_text('\n'.join(
        line.rsplit(',', 1)[0] for line in text) + '\n')
    out = tmp_path / 'v2'
    main([str(work), '--out', str(out), '--beside', str(v1)])
    report = (out / 'report.md').read_text()
    head = report.split('## Headline')[1].split('\n## ')[0]
    # scratch-l1's 99 is not "the best other method"; baseline+ is shown
    assert '| 0.5 | 80.00 ± 1.00 | l1 | +1.50 [' in head
    assert '| 91.00 ± 1.00 |' in head
    assert f'The same headline in `{v1}`' in head
    assert head.count('| classification (accuracy/top1) | 0.5 |') == 2
    widths = report.split('widths only (from random init')[1]
    assert '| pas | 0.5 | 3 | 71.00 ± 1.00 |' in widths
    assert '| l1 | 0.5 | 3 | 99.00' in widths and '28.00 [' in widths
    main_table = report.split('## classification')[1].split('### ')[0]
    assert 'scratch' not in main_table and '| baseline+ | 1 | 3 |' in \
        main_table


DET_TASK = dict(name='instance_segmentation', metrics=['coco/bbox_mAP'],
                baseline=dict(config='b.py', final='epoch_1.pth'),
                methods={'pas': 'p.py', 'uniform': 'u.py'}, budgets=[0.5],
                seeds=[0, 1], final='epoch_1.pth', shape=[128, 128])


def test_detector_timing_table_is_in_the_report(tmp_path):
    """A detector's timing (backbone + FPN, the primary figure; the whole
    test step with fixed head work) gets its own table: mean over seeds
    and the ratio to the baseline."""
    _write(tmp_path / 'suite.json', dict(suite='s.py', tasks=[DET_TASK]))
    tdir = tmp_path / 'instance_segmentation'
    _write(tdir / 'baseline' / 'test_metrics.json',
           dict(metrics={'coco/bbox_mAP': 0.3}))
    _write(tdir / 'baseline' / 'flops.json', dict(params=2.0e6, macs=1e9))
    feat = {'baseline': 10.0, 'pas@0.5-seed0': 6.0, 'pas@0.5-seed1': 7.0,
            'uniform@0.5-seed0': 5.0, 'uniform@0.5-seed1': 5.0}
    for tag in feat:
        if tag == 'baseline':
            continue
        cdir = tdir / tag / 'compact'
        _write(cdir / 'test_metrics.json',
               dict(metrics={'coco/bbox_mAP': 0.25}))
        _write(cdir / 'flops.json', dict(params=1.0e6, macs=5e8))
        _write(cdir / 'width_spec.json', dict(macs=dict(ratio=0.5)))
    _write(tdir / 'timing' / 'latency.json', dict(
        timed='backbone+fpn on real val images',
        ms_per_batch={'1': feat, '8': {k: 8 * v for k, v in feat.items()}},
        test_step_ms_per_batch={'1': {k: 100 + v for k, v in feat.items()},
                                '8': {k: 800 + v for k, v in feat.items()}}))
    out = tmp_path / 'report'
    main = runpy.run_path(osp.join(REPO, 'tools/analysis/'
                                   'benchmark_report.py'))['main']
    main([str(tmp_path), '--out', str(out)])
    md = (out / 'report.md').read_text()
    assert '### instance_segmentation: latency of what was pruned' in md
    assert ('| method | budget | seeds | backbone+FPN b1 | backbone+FPN b8 '
            '| test step b1 | test step b8 |') in md
    assert '| baseline | 1 | 1 | 10.0 (1.00×) | 80.0 (1.00×) | 110.0 (1.00×) '\
        '| 810.0 (1.00×) |' in md
    assert '| pas | 0.5 | 2 | 6.5 (0.65×) | 52.0 (0.65×) | 106.5 (0.97×) | '\
        '806.5 (1.00×) |' in md
    assert '| uniform | 0.5 | 2 | 5.0 (0.50×) |' in md
