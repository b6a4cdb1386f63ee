"""tools/benchmark/gpu_check.sh --device cpu --tiny: the one-shot GPU
check runs end to end at toy sizes, so it cannot rot before a GPU run."""
import json
import os
import subprocess
import sys

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow  # runs the tools in subprocesses


def test_gpu_check_tiny_on_cpu(tmp_path):
    env = dict(os.environ, PYTHON=sys.executable)
    proc = subprocess.run(
        ['bash', 'tools/benchmark/gpu_check.sh', '--device', 'cpu', '--tiny',
         '--out', str(tmp_path)], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    res = json.load(open(tmp_path / 'gpu_check.json'))
    assert set(res['steps']) == {'gated-plain', 'masked-compact'}
    assert all(r['ratio'] > 0 for r in res['steps'].values())
    assert len(res['latency']) == 4
    for row in res['latency'].values():
        assert 0.3 < row['macs_ratio'] < 0.7 and row['latency_ratio'] > 0
    (recipe, ) = res['recipes'].values()
    assert recipe['step_s'] > 0 and recipe['img_per_s'] > 0
    assert '| recipe (1 GPU) |' in proc.stdout
    assert 'masked / compact step time' in proc.stdout
