"""PaS through the OpenMMLab tools on the classification demo:
search -> freeze -> fine-tune -> export -> test, and the bad-input errors.
The other paths (export in place after the search, the criteria
baselines, RepVGG) are in test_pas_variants.py, so that the two files can
run on two workers."""
import json
import os.path as osp

import pytest
import torch
from conftest import CLS, PAS_CLS, run_tool

pytestmark = pytest.mark.slow  # runs the tools in subprocesses


@pytest.fixture(scope='module')
def pas_run(cls_baseline, tmp_path_factory):
    work = tmp_path_factory.mktemp('pas_cls')
    proc = run_tool('tools/train.py', PAS_CLS, '--work-dir', work,
                    '--cfg-options', f'model.pretrained={cls_baseline}')
    return work, proc.stdout + proc.stderr


def metrics_of(work_dir):
    with open(osp.join(work_dir, 'test_metrics.json')) as f:
        return json.load(f)['metrics']


def test_search_then_finetune(pas_run):
    work, log = pas_run
    assert 'PaS: loaded trained weights from' in log
    assert 'PaS: search ended at epoch 3' in log
    assert 'loss_budget' in log and 'macs_ratio' in log
    spec = json.load(open(osp.join(work, 'pas_search', 'width_spec.json')))
    assert abs(spec['macs']['ratio'] - 0.5) <= 0.02 * 0.5  # within 2 %
    # the search itself, not the projection, reached the target
    assert abs(spec['search_end_ratio'] / 0.5 - 1) <= 0.05
    assert 'PaS: the search itself ended at MACs ratio' in log
    widths = json.load(open(osp.join(work, 'pas_search', 'widths.json')))
    layers = widths['layers']
    assert set(layers) == set(spec['groups'])
    assert all(v['total'] == spec['groups'][n]['channels'] and
               v['kept'] == spec['groups'][n]['kept']
               for n, v in layers.items())
    assert any(v['kept'] < v['total'] for v in layers.values())
    assert osp.getsize(osp.join(work, 'pas_search', 'widths.png')) > 1000
    # final widths are logged per stage and per layer, with the spec path
    assert 'PaS final widths per stage: stem' in log
    assert 'PaS: width spec written to' in log
    # the fine-tune logs loss_budget 0 (not the last search value), and
    # the logged loss is the total (task + budget), task part loss_task
    finetune = [ln for ln in log.splitlines() if 'Epoch(train) [9]' in ln]
    assert finetune and all('loss_budget: 0.0000' in ln and 'loss_task'
                            in ln for ln in finetune)


def test_compact_speed_times_baseline_and_export_in_turns(pas_run,
                                                          cls_baseline):
    work, _ = pas_run
    proc = run_tool('tools/analysis/benchmark_compact_speed.py', PAS_CLS,
                    osp.join(work, 'epoch_9.pth'), CLS, cls_baseline,
                    '--round-to', '1', '8', '--batch-sizes', '2',
                    '--iters', '2', '--warmup', '1')
    rows = {ln.split()[0]: ln.split() for ln in proc.stdout.splitlines()
            if ln.startswith(('baseline', 'round_to='))}
    assert set(rows) == {'baseline', 'round_to=1', 'round_to=8'}
    # model, batch, GMACs, ms/img, MACs ratio, latency ratio, P5
    assert rows['baseline'][4:6] == ['1.000', '1.000']
    assert abs(float(rows['round_to=1'][4]) - 0.5) <= 0.03
    assert float(rows['round_to=8'][4]) >= float(rows['round_to=1'][4])
    assert all(float(r[3]) > 0 for r in rows.values())


def test_export_is_exact_and_safe_to_load(pas_run, cls_baseline, tmp_path):
    work, _ = pas_run
    out = tmp_path / 'compact'
    proc = run_tool('tools/export.py', PAS_CLS, osp.join(work, 'epoch_9.pth'),
                    '--out', out)
    assert 'max rel diff vs gated model' in proc.stdout
    ckpt = torch.load(out / 'compact.pth', weights_only=True)
    assert ckpt['meta']['pas_mm']['max_rel_diff'] <= 1e-4
    assert not any('pas_gates' in k for k in ckpt['state_dict'])
    # same top-1 through tools/test.py: gated search model vs compact model
    run_tool('tools/test.py', PAS_CLS, osp.join(work, 'epoch_9.pth'),
             '--work-dir', tmp_path / 'gated')
    run_tool('tools/test.py', out / 'config.py', out / 'compact.pth',
             '--work-dir', tmp_path / 'compact_test')
    gated = metrics_of(tmp_path / 'gated')['accuracy/top1']
    compact = metrics_of(tmp_path / 'compact_test')['accuracy/top1']
    assert abs(gated - compact) <= 0.1
    assert compact > 80.0

    def params(state):
        return sum(v.numel() for k, v in state.items()
                   if 'running' not in k and 'num_batches' not in k)

    plain = torch.load(cls_baseline, weights_only=False)['state_dict']
    # MACs halve; params fall less (early, high-resolution layers go first)
    assert params(ckpt['state_dict']) < 0.9 * params(plain)


@pytest.mark.parametrize('override, message', [
    ('model.budget.target_ratio=1.5', 'target_ratio must be in (0, 1]'),
    ('model.search_scope=[nope]', "search scope 'nope' names no module"),
    ('model.search_scope=[neck]', 'has no prunable channel group'),
    ('model.pretrained=/nonexistent.pth', 'cannot read checkpoint'),
    ('model.budjet=0.5', "unknown arguments ['budjet']"),
    ('model.criterion=magnitude', "criterion must be pas or one of"),
])
def test_bad_pas_config_one_line(override, message, tmp_path):
    proc = run_tool('tools/train.py', PAS_CLS, '--work-dir', tmp_path,
                    '--cfg-options', override, 'train_cfg.max_epochs=1',
                    check=False)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines()
             if ln.startswith('pas-mm: error:')]
    assert len(lines) == 1 and message in lines[0], proc.stderr[-2000:]


def test_corrupt_checkpoint_export(tmp_path):
    bad = tmp_path / 'bad.pth'
    bad.write_bytes(b'not a checkpoint')
    proc = run_tool('tools/export.py', PAS_CLS, bad, '--out', tmp_path / 'o',
                    '--cfg-options', 'model.pretrained=None', check=False)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines()
             if ln.startswith('pas-mm: error:')]
    assert len(lines) == 1 and 'Traceback' not in proc.stderr
    assert 'cannot read checkpoint' in lines[0] and 'bad.pth' in lines[0]
