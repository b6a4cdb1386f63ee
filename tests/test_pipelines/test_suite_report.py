"""The cross-task suite on a reduced suite (short schedules, two tasks):
run_suite.py runs every step through the tools, resumes by skipping
finished steps, prints cluster commands; cross_task_report.py writes
report.md / report.csv / PNGs from the real results."""
import csv
import json
import os.path as osp

import pytest
from conftest import REPO, run_tool

pytestmark = pytest.mark.slow  # runs the tools in subprocesses

REDUCED = '''
tasks = [
    dict(name='classification', family='resnet18-w16',
         baseline=dict(
             config='configs/classification/resnet/resnet18-w16_1xb64_demo-cls.py',
             final='epoch_2.pth',
             train_options=['train_cfg.max_epochs=2',
                            'train_cfg.val_interval=2',
                            'default_hooks.checkpoint.interval=2']),
         methods=dict(
             pas='configs/classification/resnet/pas_resnet18-w16_1xb64_demo-cls_flops-0.5x.py',
             uniform='configs/classification/resnet/'
             'uniform_resnet18-w16_1xb64_demo-cls_flops-0.5x.py'),
         train_options=['train_cfg.max_epochs=2', 'train_cfg.val_interval=2',
                        'custom_hooks.0.search_epochs=1',
                        'default_hooks.checkpoint.interval=2',
                        'train_dataloader.dataset.indices=512',
                        'custom_hooks.0.export_after_search=True'],
         budgets=[0.5], final='epoch_2.pth', metrics=['accuracy/top1'],
         shape=(32, 32)),
    dict(name='image_translation', family='unet',
         baseline=dict(
             config='configs/image_translation/pix2pix/'
             'pix2pix_unet-w32_1xb4_demo-edges2photo.py',
             final='iter_40.pth',
             train_options=['train_cfg.max_iters=40',
                            'train_cfg.val_interval=40',
                            'default_hooks.checkpoint.interval=40']),
         methods=dict(pas='configs/image_translation/pix2pix/'
                      'pas_pix2pix_unet-w32_1xb4_demo-edges2photo_flops-0.25x.py'),
         train_options=['train_cfg.max_iters=40', 'train_cfg.val_interval=40',
                        'custom_hooks.0.search_iters=20',
                        'default_hooks.checkpoint.interval=40',
                        'custom_hooks.0.export_after_search=True'],
         budgets=[0.25], final='iter_40.pth',
         metrics=['PSNR', 'SSIM', 'MAE'], shape=(128, 128)),
]
'''


@pytest.fixture(scope='module')
def suite_run(tmp_path_factory, demo_data):
    tmp = tmp_path_factory.mktemp('suite')
    suite = tmp / 'reduced_suite.py'
    suite.write_text(REDUCED)
    work = tmp / 'work'
    proc = run_tool('tools/benchmark/run_suite.py', suite, '--work-dir',
                    work, timeout=3600)
    return suite, work, proc.stdout


def test_suite_runs_every_step_and_resumes(suite_run):
    suite, work, out = suite_run
    # 2 tasks: 4 baseline steps each; 3 runs x 5 steps
    assert '[23/23] image_translation pas@0.25: latency' in out
    assert 'suite finished' in out
    # the steps of a run share one process, each with its own log
    assert ('[7/23] classification pas@0.5: test' in out and
            'same process as the previous step' in out)
    for run in ('classification/pas@0.5', 'image_translation/pas@0.25'):
        train_log = (work / run / 'train.log').read_text()
        assert 'PaS: exported in place' in train_log, run
        assert 'accuracy/top1' in (work / run / 'test.log').read_text() or \
            'PSNR' in (work / run / 'test.log').read_text()
    again = run_tool('tools/benchmark/run_suite.py', suite, '--work-dir',
                     work).stdout
    assert again.count('(done, skipped)') == 23
    # --only reruns one task; the report still sees the whole suite
    only = run_tool('tools/benchmark/run_suite.py', suite, '--work-dir',
                    work, '--only', 'image_translation').stdout
    assert only.count('(done, skipped)') == 9
    assert len(json.load(open(work / 'suite.json'))['tasks']) == 2
    spec = json.load(open(work / 'classification' / 'pas@0.5' / 'compact' /
                          'width_spec.json'))
    assert abs(spec['macs']['ratio'] - 0.5) <= 0.01


def test_cluster_commands(suite_run):
    suite, work, _ = suite_run
    out = run_tool('tools/benchmark/run_suite.py', suite, '--work-dir',
                   work / 'x', '--emit', 'dist', '--gpus', '8').stdout
    lines = out.strip().splitlines()
    assert len(lines) == 23
    assert lines[0].startswith(
        'bash tools/dist_train.sh configs/classification/resnet/'
        'resnet18-w16_1xb64_demo-cls.py 8')
    assert any('tools/export.py' in ln for ln in lines)
    assert not osp.exists(work / 'x')  # nothing was run


def test_cross_task_report(suite_run):
    _, work, _ = suite_run
    out = run_tool('tools/analysis/cross_task_report.py', work).stdout
    assert '3 runs' in out or 'runs, 0 missing' in out
    report = work / 'report'
    md = (report / 'report.md').read_text()
    assert '## classification' in md and '## image_translation' in md
    assert '| pas@0.5 |' in md and '| uniform@0.5 |' in md
    assert 'Per-stage kept-width ratio' in md
    for png in ('widths_classification.png', 'widths_image_translation.png'):
        data = (report / png).read_bytes()
        assert data[:8] == b'\x89PNG\r\n\x1a\n' and len(data) > 5000
    rows = list(csv.DictReader(open(report / 'report.csv')))
    by = {(r['task'], r['method']): r for r in rows}
    assert set(by) == {('classification', 'baseline'),
                       ('classification', 'pas@0.5'),
                       ('classification', 'uniform@0.5'),
                       ('image_translation', 'baseline'),
                       ('image_translation', 'pas@0.25')}
    metrics = json.load(open(work / 'classification' / 'pas@0.5' / 'compact'
                             / 'test_metrics.json'))['metrics']
    # the report carries the measured numbers, not made-up ones
    assert float(by[('classification', 'pas@0.5')]['metric:accuracy/top1']) \
        == pytest.approx(metrics['accuracy/top1'])
    base_macs = float(by[('classification', 'baseline')]['macs'])
    pas_macs = float(by[('classification', 'pas@0.5')]['macs'])
    assert 0.4 < pas_macs / base_macs < 0.6
    assert float(by[('image_translation', 'pas@0.25')]['latency_ms']) > 0


@pytest.mark.parametrize('task, tag, shape', [
    ('classification', 'pas@0.5', '32'),
    ('image_translation', 'pas@0.25', '128'),
])
def test_onnx_export_matches_pytorch(suite_run, task, tag, shape, tmp_path):
    _, work, _ = suite_run
    compact = work / task / tag / 'compact'
    out = tmp_path / 'model.onnx'
    proc = run_tool('tools/deploy/export_onnx.py', compact / 'config.py',
                    compact / 'compact.pth', '--out', out, '--shape', shape,
                    shape)
    assert 'onnxruntime vs PyTorch max rel diff' in proc.stdout
    assert 'outputs output;' in proc.stdout  # named, not '566'
    import onnx
    model = onnx.load(str(out))
    onnx.checker.check_model(model)
    assert [o.name for o in model.graph.output] == ['output']
    # the ONNX graph has the compact widths, not the full ones
    spec = json.load(open(compact / 'width_spec.json'))
    pruned = {g['kept'] for g in spec['groups'].values()
              if g['kept'] < g['channels']}
    first_dims = {int(init.dims[0]) for init in model.graph.initializer
                  if init.dims}
    assert pruned & first_dims


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
    proc = run_tool('tools/benchmark/run_suite.py', bad, '--work-dir',
                    tmp_path / 'w', '--emit', 'local', check=False)
    assert proc.returncode != 0 and 'trains 6 epochs after the baseline' \
        in proc.stderr


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
    proc = run_tool('tools/benchmark/run_suite.py', bad, '--work-dir',
                    tmp_path / 'w', '--emit', 'local', check=False)
    assert proc.returncode != 0 and "widths_from='classification/pas': " \
        "no task 'classification' before this one" in proc.stderr
