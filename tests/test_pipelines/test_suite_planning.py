"""run_suite.py without a full run: the cluster commands of the real
suite, a failed step named in its shared process, the tuning sweep and the
cross-task transfer's planning. The run itself (every step, resume,
--only, cross_task_report.py, ONNX) is tested on the reduced proxy suite's
run in test_proxy_benchmark.py."""
import pytest
from conftest import REPO, run_tool

pytestmark = pytest.mark.slow  # runs the tools in subprocesses


def refusal(suite, tmp_path):
    """run_suite.py --emit local on a bad suite: it exits non-zero; its
    stderr."""
    proc = run_tool('tools/benchmark/run_suite.py', suite, '--work-dir',
                    tmp_path / 'w', '--emit', 'local', check=False)
    assert proc.returncode != 0
    return proc.stderr


def test_real_suite_emits_cluster_commands(tmp_path):
    out = run_tool('tools/benchmark/run_suite.py',
                   'configs/benchmark/real_suite.py', '--work-dir', tmp_path,
                   '--emit', 'slurm', '--partition', 'gpu').stdout
    lines = out.strip().splitlines()
    train = [ln for ln in lines if 'slurm_train.sh' in ln]
    # ImageNet, COCO search at 50 % + transfer + search at the transfer's
    # MACs, facades x2, horse2zebra x2
    assert len(train) == 8
    assert all(ln.startswith('GPUS=8 bash tools/slurm_train.sh gpu ')
               for ln in train)
    assert any('transfer_mask-rcnn_r50_fpn_8xb2-1x_coco' in ln and
               'imagenet-resnet50/pas@0.4866/compact/width_spec.json' in ln
               for ln in train)
    # the transfer runs before the equal-MACs search that reads its spec
    transfer = next(i for i, ln in enumerate(train)
                    if 'transfer_mask-rcnn' in ln)
    equal = [i for i, ln in enumerate(train) if
             'model.budget.target_from=' in ln and
             'coco-mask-rcnn/transfer/compact/width_spec.json' in ln]
    assert len(equal) == 1 and equal[0] > transfer
    assert '/coco-mask-rcnn/pas@transfer ' in train[equal[0]]
    # baselines are published checkpoints: tested, not trained
    assert any(ln.startswith('python tools/test.py mmdet::mask_rcnn/') and
               'download.openmmlab.com' in ln for ln in lines)
    assert not list(tmp_path.iterdir())


def test_failed_step_in_shared_process_is_named(tmp_path, demo_data):
    """The steps after training share one process; the one that fails is
    named, the steps before it keep their markers and those after it do
    not run."""
    suite = tmp_path / 'broken_suite.py'
    suite.write_text(
        "tasks = [dict(name='cls', family='resnet18-w16', baseline=dict(\n"
        "    config='configs/classification/resnet/'\n"
        "    'resnet18-w16_1xb64_demo-cls.py',\n"
        f"    checkpoint='{tmp_path}/missing.pth', final='x'),\n"
        "    methods=dict(), budgets=[0.5], final='x',\n"
        "    metrics=['accuracy/top1'], shape=(32, 32))]\n")
    work = tmp_path / 'work'
    proc = run_tool('tools/benchmark/run_suite.py', suite, '--work-dir',
                    work, check=False)
    assert proc.returncode == 2  # pas-mm's one-line error
    err = proc.stderr.strip().splitlines()[-1]
    assert '[1/3] cls baseline: test failed (exit 1)' in err
    assert 'checkpoint not found' in err and 'missing.pth' in err
    assert not (work / 'cls' / 'baseline' / '.done-test').exists()
    assert not (work / 'cls' / 'baseline' / 'flops.log').exists()


def test_tuning_sweep_runs_variants_and_never_tests(tmp_path):
    """configs/benchmark/proxy_sweep.py: each variant's options reach its
    training run only, and nothing is evaluated on the test split."""
    out = run_tool('tools/benchmark/run_suite.py',
                   'configs/benchmark/proxy_sweep.py', '--work-dir', tmp_path,
                   '--emit', 'local').stdout
    lines = out.strip().splitlines()
    train = [ln for ln in lines if ln.startswith('python tools/train.py')]
    assert len(train) == 7 * 2  # 7 variants x seeds 0, 1 at 25 % MACs
    assert all('model.budget.target_ratio=0.25' in ln for ln in train)
    weight20 = [ln for ln in train if '/pas-weight20@0.25-seed' in ln]
    assert len(weight20) == 2 and all(
        ln.endswith('model.budget.weight=20.0') for ln in weight20)
    search3 = next(ln for ln in train if '/pas-search3@0.25-seed1' in ln)
    assert 'custom_hooks.0.search_epochs=3 param_scheduler.0.end=3' in \
        search3
    assert sum('budget.weight' in ln for ln in train) == 4
    tests = [ln for ln in lines if ln.startswith('python tools/test.py')]
    assert tests and all('--split val' in ln for ln in tests)
    # the variants keep the protocol's 4 post-baseline epochs: a variant
    # that changes its schedule is refused
    bad = tmp_path / 'bad_sweep.py'
    bad.write_text(
        f"_base_ = ['{REPO}/configs/benchmark/proxy_sweep.py']\n"
        "tasks = [dict(_base_.tasks[0], methods=dict(pas=dict(\n"
        "    config=_base_.tasks[0].methods['pas'],\n"
        "    options=['train_cfg.max_epochs=6'])))]\n")
    assert 'trains 6 epochs after the baseline' in refusal(bad, tmp_path)


def test_cross_task_transfer_per_budget_and_seed(tmp_path):
    """widths_from='classification/pas': the detector's transfer row reads
    the classification search of the same budget and seed, and a source
    task that does not come first is refused."""
    out = run_tool('tools/benchmark/run_suite.py',
                   'configs/benchmark/proxy_suite.py', '--work-dir', tmp_path,
                   '--emit', 'local', '--only',
                   'instance_segmentation').stdout
    train = [ln for ln in out.splitlines()
             if ln.startswith('python tools/train.py') and
             '/transfer@0.5-seed' in ln]
    assert len(train) == 3
    for seed, ln in enumerate(train):
        assert (f'model.transfer.width_spec={tmp_path}/classification/'
                f'pas@0.5-seed{seed}/compact/width_spec.json') in ln
        assert 'model.budget.target_ratio=0.5' in ln
    bad = tmp_path / 'bad_suite.py'
    bad.write_text(
        f"_base_ = ['{REPO}/configs/benchmark/proxy_suite.py']\n"
        "_det = _base_.tasks[2]\n"
        "tasks = [dict(_det, methods=dict(transfer=dict(\n"
        "    config=_det.methods['transfer']['config'],\n"
        "    widths_from='classification/pas')))]\n")
    assert "widths_from='classification/pas': no task 'classification' " \
        'before this one' in refusal(bad, tmp_path)
