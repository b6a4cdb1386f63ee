"""``run_suite.py --only TASK/RUN-PATTERN``: a part of a suite, selected
by run, with its task's baseline steps; bad selections are one line."""
import os.path as osp
import re
import runpy

import pytest

from pas_mm.apis.errors import SuiteError
from pas_mm.benchmark.check import load_suite

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SUITE = osp.join(REPO, 'configs/benchmark/proxy_suite_v2.py')


@pytest.fixture(scope='module')
def script():
    return runpy.run_path(osp.join(REPO, 'tools/benchmark/run_suite.py'))


def _tags(script, only, tmp_path):
    tasks, patterns = script['select_runs'](load_suite(SUITE), only)
    steps = script['plan'](tasks, str(tmp_path), [], patterns)
    return {(s[0]['name'], s[1]) for s in steps}


def test_runs_are_selected_by_pattern_with_their_baseline(script, tmp_path):
    got = _tags(script, ['classification/[!s]*@0.25-seed*',
                         'classification/baseline+*'], tmp_path)
    tags = {t for _, t in got}
    assert {n for n, _ in got} == {'classification'}
    assert 'baseline' in tags and 'timing' not in tags  # a part: no timing
    assert 'pas@0.25-seed2' in tags and 'tp-taylor@0.25-seed0' in tags
    assert 'baseline+@1-seed1' in tags
    assert not any(t.startswith('scratch') or '@0.5' in t for t in tags)
    assert len(tags) == 1 + 10 * 3
    whole = {t for _, t in _tags(script, ['classification'], tmp_path)}
    assert 'timing' in whole and 'scratch-pas@0.25-seed0' in whole
    both = _tags(script, ['classification_repvgg', 'image_translation/pas*'],
                 tmp_path)
    assert ('image_translation', 'pas@0.25-seed0') in both
    assert ('image_translation', 'l1@0.25-seed0') not in both


@pytest.mark.parametrize('only, message', [
    (['detection'], "--only detection: no task 'detection' in the suite"),
    (['classification/pas@0.1*'],
     "no run of classification matches 'pas@0.1*'"),
])
def test_a_bad_selection_is_one_line(script, only, message, capsys):
    with pytest.raises(SuiteError, match=re.escape(message)):
        script['select_runs'](load_suite(SUITE), only)
    # the tool turns it into one line
    assert script['main'](['configs/benchmark/proxy_suite_v2.py', '--only',
                           *only, '--list']) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
