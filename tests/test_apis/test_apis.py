"""The package layer under tools/: config loading, suites, one-line errors."""
import os.path as osp

import pytest
import torch

from pas_mm.apis import error_line, load_config, one_line_errors
from pas_mm.apis.errors import ConfigError
from pas_mm.benchmark.suite import suite_runs
from pas_mm.core import BudgetError

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CLS = osp.join(REPO, 'configs/classification/resnet/'
               'resnet18-w16_1xb64_demo-cls.py')


def test_gloo_only_for_distributed_launchers():
    cfg = load_config(CLS, loaders=())
    backend = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('backend')
    assert backend != 'gloo' and 'model_wrapper_cfg' not in cfg
    dist = load_config(CLS, loaders=(), launcher='pytorch')
    if torch.cuda.is_available():  # NCCL stays: the fall-back is CPU-only
        assert 'model_wrapper_cfg' not in dist
    else:
        assert dist.env_cfg.dist_cfg.backend == 'gloo'
        assert dist.model_wrapper_cfg.device_ids is None


def test_bad_config_and_pas_errors_are_one_line(tmp_path, capsys):
    with pytest.raises(ConfigError) as e:  # library code raises
        load_config(str(tmp_path / 'nope.py'))
    assert error_line(e.value) == (f'pas-mm: error: config file not found: '
                                   f'{tmp_path / "nope.py"}')

    @one_line_errors  # a tool's main prints one line and returns 2
    def main(error):
        raise error

    assert main(BudgetError('target_ratio must be in (0, 1], got 2\nmore')
                ) == 2
    assert capsys.readouterr().err.strip() == \
        'pas-mm: error: BudgetError: target_ratio must be in (0, 1], got 2'
    with pytest.raises(ValueError):  # not an input error: a traceback
        main(ValueError('a bug'))


def test_suite_runs_with_seeds_and_transfer():
    task = dict(methods={'pas': 'a.py', 'transfer': 'b.py'},
                budgets=[0.5, 'transfer'], seeds=[0, 1])
    runs = suite_runs(task)
    assert [r.tag for r in runs] == [
        'transfer', 'pas@0.5-seed0', 'pas@0.5-seed1', 'pas@transfer-seed0',
        'pas@transfer-seed1']
    assert runs[1].seed == 0 and runs[0].seed is None
    plain = suite_runs(dict(methods={'pas': 'a.py'}, budgets=[0.25]))
    assert [(r.tag, r.seed) for r in plain] == [('pas@0.25', None)]


def test_criteria_suite_runs_four_methods_two_budgets_three_seeds():
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, 'configs/benchmark/'
                                   'criteria_suite.py'))
    (task, ) = cfg.tasks
    runs = suite_runs(task)
    assert len(runs) == 4 * 2 * 3
    assert {r.method for r in runs} == {'pas', 'uniform', 'bn-gamma', 'l1'}
    assert all(osp.isfile(osp.join(REPO, c))
               for c in task['methods'].values())


def test_proxy_suite_methods_budgets_and_scratch_widths():
    from mmengine.config import Config

    from pas_mm.benchmark.suite import method_spec
    cfg = Config.fromfile(osp.join(REPO, 'configs/benchmark/'
                                   'proxy_suite.py'))
    task = cfg.tasks[0]
    runs = suite_runs(task)
    methods = {r.method for r in runs}
    assert methods == {'pas', 'uniform', 'bn-gamma', 'l1', 'random',
                       'pas+kd', 'scratch'}
    # 6 methods x 3 budgets x 3 seeds, and scratch at 0.25 only
    assert len(runs) == 6 * 3 * 3 + 3
    scratch = method_spec(task, 'scratch')
    assert scratch['widths_from'] == 'pas' and not scratch['pretrained']
    assert [r.tag for r in runs if r.method == 'scratch'] == [
        'scratch@0.25-seed0', 'scratch@0.25-seed1', 'scratch@0.25-seed2']
    tags = [r.tag for r in runs]
    assert tags.index('pas@0.25-seed2') < tags.index('scratch@0.25-seed0')
    for m in methods:
        assert osp.isfile(osp.join(REPO, method_spec(task, m)['config']))
