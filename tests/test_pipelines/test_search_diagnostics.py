"""tools/analysis/search_diagnostics.py on the classification demo: the
search against its budget-only control, the gate statistics and the
oracle, and a config without a PaS hook refused in one line."""
import json
import os.path as osp

import pytest
from conftest import CLS, PAS_CLS, run_tool

pytestmark = pytest.mark.slow  # runs the tools in subprocesses


# a third of the demo's training images: 3 search epochs of 8 steps
SUBSET = ['--cfg-options', 'train_dataloader.dataset.indices=512']


def test_diagnostics_of_a_demo_search(cls_baseline, tmp_path):
    work = tmp_path / 'diag'
    proc = run_tool('tools/analysis/search_diagnostics.py', PAS_CLS,
                    cls_baseline, '--work-dir', work, '--oracle-groups', '2',
                    '--label', 'demo', *SUBSET)
    result = json.load(open(work / 'diagnostics.json'))
    search, control = result['search'], result['control']
    assert search['rule'] == 'descent' and search['steps'] == 24
    assert search['equilibrium_step'] is None
    gates = json.load(open(work / 'control' / 'pas_search' /
                           'gate_diagnostics.json'))
    assert gates['use_task_gradient'] is False
    assert set(search['groups']) == set(control['groups'])
    comp = result['comparison']
    assert 0 <= comp['mean_abs_diff'] <= 1
    assert comp['rho'] is None or -1 <= comp['rho'] <= 1
    for group in search['groups'].values():
        assert group['snr_median'] >= 0
        assert group['on_to_off'] >= 0 and group['off_to_on'] >= 0
    # the search really ran to its target, each run on its own
    for run in (search, control):
        assert abs(run['search_end_ratio'] / 0.5 - 1) <= 0.05
    oracle = result['oracle']
    assert oracle['supported'] and 1 <= len(oracle['groups']) <= 2
    for row in oracle['groups'].values():
        assert 0 < row['kept'] < row['channels']
        assert all(isinstance(row[k], float)
                   for k in ('searched', 'l1', 'random'))
    assert '| demo | descent |' in proc.stdout
    # a second call reuses both runs
    again = run_tool('tools/analysis/search_diagnostics.py', PAS_CLS,
                     cls_baseline, '--work-dir', work, '--oracle-groups',
                     '2', *SUBSET)
    assert json.load(open(work / 'diagnostics.json'))['comparison'] == comp
    assert again.returncode == 0


def test_a_config_without_a_search_is_refused(cls_baseline, tmp_path):
    proc = run_tool('tools/analysis/search_diagnostics.py', CLS,
                    cls_baseline, '--work-dir', tmp_path, check=False)
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if 'PaSSearchHook' in ln]
    assert len(lines) == 1 and 'Traceback' not in proc.stderr
    assert not osp.exists(tmp_path / 'search')
