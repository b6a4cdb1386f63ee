"""The metafiles' Results are the committed benchmark figures, kept in
sync by tools/analysis/metafile_results.py."""
import glob
import os.path as osp
import statistics

import pytest
import yaml

from pas_mm.benchmark.metafile_results import metafile_text, results_for
from pas_mm.benchmark.results import read_rows_csv

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
METAFILES = sorted(glob.glob(osp.join(REPO, 'configs', '**', 'metafile.yml'),
                             recursive=True))


@pytest.fixture(scope='module')
def results():
    return results_for(REPO)


@pytest.mark.parametrize('path', METAFILES,
                         ids=lambda p: osp.relpath(osp.dirname(p), REPO))
def test_committed_metafiles_hold_the_committed_results(path, results):
    text, _, _ = metafile_text(path, results)
    with open(path) as f:
        assert f.read() == text, (
            f'{path} is stale: run tools/analysis/metafile_results.py')


def _model(folder, name):
    with open(osp.join(REPO, 'configs', folder, 'metafile.yml')) as f:
        meta = yaml.safe_load(f)
    return next(m for m in meta['Models'] if m['Name'] == name)


def test_a_figure_is_the_mean_over_seeds_of_the_results_file():
    rows = [r for r in read_rows_csv(osp.join(REPO, 'docs', 'artifacts',
                                              'benchmark', 'results.csv'))
            if r['task'] == 'classification' and r['method'] == 'pas' and
            r['budget'] == 0.25]
    assert len(rows) == 3
    model = _model('classification/resnet',
                   'pas_resnet18-w16_1xb64-15e_proxy-cls_flops-0.5x')
    v2 = [e for e in model['Results'] if 'benchmark v2,' in e['Dataset'] and
          e['Metrics']['MACs ratio'] == 0.25]
    assert len(v2) == 1 and v2[0]['Task'] == 'Image Classification'
    values = [r['value'] for r in rows]
    assert v2[0]['Metrics']['Top 1 Accuracy'] == round(
        statistics.mean(values), 2)
    assert v2[0]['Metrics']['Top 1 Accuracy std'] == round(
        statistics.stdev(values), 2)
    assert v2[0]['Metrics']['Seeds'] == 3


def test_an_unmeasured_config_says_so_and_quotes_no_figure():
    model = _model('classification/resnet',
                   'pas_resnet50_8xb64_in1k_flops-2.0G')
    assert 'Results' not in model
    assert model['Metadata']['Measured'].startswith('no: a paper-scale')


def test_the_demo_configs_figures_are_the_committed_demo_run():
    import json
    with open(osp.join(REPO, 'docs', 'artifacts', 'demo',
                       'results.json')) as f:
        runs = json.load(f)['runs']
    assert {r['role'] for r in runs} == {'baseline', 'pas'}
    for run in runs:
        folder = osp.basename(osp.dirname(run['config']))
        name = osp.splitext(osp.basename(run['config']))[0]
        entry, = _model(f'classification/{folder}', name)['Results']
        assert 'tools/run_demo.sh' in entry['Dataset']
        assert entry['Metrics']['Top 1 Accuracy'] == round(
            run['metrics']['accuracy/top1'], 2)
        assert entry['Metrics']['MACs ratio'] == run['macs_ratio']
        assert entry['Metrics']['Seeds'] == 1
