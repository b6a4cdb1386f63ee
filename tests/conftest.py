import fcntl
import os
import os.path as osp
import shutil
import subprocess
import sys
from contextlib import contextmanager

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CLS = 'configs/classification/resnet/resnet18-w16_1xb64_demo-cls.py'
PAS_CLS = ('configs/classification/resnet/'
           'pas_resnet18-w16_1xb64_demo-cls_flops-0.5x.py')
DEMO = osp.join(REPO, 'data', 'demo')
PROXY = osp.join(REPO, 'data', 'proxy')

# Runner checkpoints written by the tests are trusted (see pas_mm.compat).
os.environ.setdefault('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')

# Under pytest-xdist (README: -n auto) every worker gets its share of the
# cores, in process and in the tools it runs: OpenMP threads that outnumber
# the cores spin-wait on each other and run many times slower.
_WORKERS = int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1'))
THREADS = max(1, (os.cpu_count() or 1) // _WORKERS)
if _WORKERS > 1:
    os.environ.setdefault('OMP_NUM_THREADS', str(THREADS))
    import torch
    torch.set_num_threads(THREADS)


# The slowest files, slowest first (seconds of one worker, 2026-12-07):
# under --dist loadfile a worker takes a whole file at a time, so starting
# the long ones first keeps both workers busy to the end. The two files
# that train on the shared classification baseline come second and third,
# so that one worker trains it while the other runs the proxy suite.
SLOWEST_FIRST = (
    'test_pipelines/test_proxy_benchmark.py',  # 610
    'test_pipelines/test_pas_variants.py',  # 470, with the baseline
    'test_pipelines/test_pas_pipeline.py',  # 300
    'test_pipelines/test_mask_rcnn_pipeline.py',  # 350
    'test_pipelines/test_real_task_configs.py',  # 310
    'test_pipelines/test_translation_pipeline.py',  # 210
    'test_pipelines/test_zoo_torchvision.py',  # 172
    'test_pipelines/test_reliability.py',  # 150
)


def pytest_collection_modifyitems(session, config, items):
    def rank(item):
        path = osp.relpath(str(item.path), osp.join(REPO, 'tests'))
        return SLOWEST_FIRST.index(path) if path in SLOWEST_FIRST else \
            len(SLOWEST_FIRST)
    items.sort(key=rank)  # stable: the rest keep their order


@contextmanager
def _locked(path):
    """One xdist worker at a time through what ``path`` (a lock file)
    guards: the data preparers build in a fixed ``.tmp`` folder next to
    their target, and the shared baseline is trained once."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def run_tool(*args, timeout=1800, check=True, env=None):
    """Run a repository tool in a subprocess, as a user would."""
    cmd = [sys.executable] + [str(a) for a in args]
    full_env = dict(os.environ, PYTHONPATH=REPO, **(env or {}))
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=full_env)
    if check and proc.returncode != 0:
        raise AssertionError(
            f'{" ".join(cmd)} failed ({proc.returncode}):\n'
            f'{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}')
    return proc


@pytest.fixture(scope='session')
def demo_data():
    with _locked(osp.join(REPO, 'data', '.demo.lock')):
        if not osp.isfile(osp.join(DEMO, 'VERSION')):
            run_tool('tools/data/prepare_demo.py', '--out', DEMO)
    return DEMO


@pytest.fixture(scope='session')
def proxy_data():
    with _locked(osp.join(REPO, 'data', '.proxy.lock')):
        if not osp.isfile(osp.join(PROXY, 'cls', 'VERSION')):
            run_tool('tools/data/prepare_proxy.py', '--out', PROXY)
    return PROXY


@pytest.fixture(scope='session')
def cls_baseline(tmp_path_factory, demo_data):
    """The full classification demo baseline (a minute or two), trained
    once per test run: under xdist the workers share one copy in the run's
    common temp folder (the first to need it trains it, under a lock)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get('PYTEST_XDIST_WORKER'):
        root = root.parent  # the folder every worker's basetemp is in
    work = root / 'cls_baseline'
    ckpt = work / 'epoch_12.pth'
    with _locked(str(root / 'cls_baseline.lock')):
        if not ckpt.is_file():
            # trained aside and renamed: a failed run leaves no
            # half-written baseline for the other worker
            partial = root / 'cls_baseline.partial'
            shutil.rmtree(partial, ignore_errors=True)
            run_tool('tools/train.py', CLS, '--work-dir', partial)
            os.rename(partial, work)
    return str(ckpt)
