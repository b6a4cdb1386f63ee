"""PaS's other paths through the OpenMMLab tools on the classification
demo: the export in place after the search (and a resume inside the
compact fine-tune), the criteria baselines, and RepVGG searched, exported
and reparameterised."""
import json
import os.path as osp
import re

import pytest
import torch
from conftest import PAS_CLS, run_tool

from pas_mm.models.utils import decode_extra_state

pytestmark = pytest.mark.slow  # runs the tools in subprocesses


def metrics_of(work_dir):
    with open(osp.join(work_dir, 'test_metrics.json')) as f:
        return json.load(f)['metrics']


def test_export_after_search_fine_tunes_the_compact_model(
        cls_baseline, tmp_path):
    opts = [f'model.pretrained={cls_baseline}',
            'custom_hooks.0.export_after_search=True',
            'train_cfg.max_epochs=5', 'train_cfg.val_interval=5',
            'default_hooks.checkpoint.interval=1',
            'default_hooks.checkpoint.max_keep_ckpts=3']
    proc = run_tool('tools/train.py', PAS_CLS, '--work-dir', tmp_path,
                    '--cfg-options', *opts)
    assert 'PaS: exported in place' in proc.stdout + proc.stderr
    plain = torch.load(cls_baseline, weights_only=False)['state_dict']
    ckpt = torch.load(tmp_path / 'epoch_5.pth', weights_only=False)
    state = ckpt['state_dict']
    assert not any('pas_gates' in k for k in state)
    spec = decode_extra_state(state['_extra_state'])
    key = 'backbone.layer1.0.conv1.weight'
    assert state['architecture.' + key].shape[0] == \
        spec['groups']['backbone.layer1.0.conv1']['kept'] < plain[key].shape[0]
    # resume inside the fine-tune: the compact model is rebuilt first
    proc = run_tool('tools/train.py', PAS_CLS, '--work-dir', tmp_path,
                    '--resume', tmp_path / 'epoch_4.pth', '--cfg-options',
                    *opts)
    assert 'resumed epoch: 4' in proc.stdout + proc.stderr
    out = tmp_path / 'compact'
    proc = run_tool('tools/export.py', PAS_CLS, tmp_path / 'epoch_5.pth',
                    '--out', out, '--cfg-options',
                    'model.transfer.width_spec=elsewhere.json')
    assert 'model.transfer.width_spec ignored: the widths come from the ' \
        'checkpoint' in proc.stderr
    # the compact spec records where the search ended, as pas_search's does
    searched = json.load(open(tmp_path / 'pas_search' / 'width_spec.json'))
    compact = json.load(open(out / 'width_spec.json'))
    for key in ('target_ratio', 'search_end_ratio', 'projection_shift'):
        assert compact[key] == searched[key]
    # no --work-dir: an exported config tests into its own folder
    run_tool('tools/test.py', out / 'config.py', out / 'compact.pth')
    assert metrics_of(out)['accuracy/top1'] > 80.0


@pytest.mark.parametrize('method', ['uniform', 'bn-gamma', 'l1'])
def test_baseline_criteria_configs(method, cls_baseline, tmp_path):
    config = (f'configs/classification/resnet/{method}_resnet18-w16_1xb64_'
              'demo-cls_flops-0.5x.py')
    proc = run_tool('tools/train.py', config, '--work-dir', tmp_path,
                    '--cfg-options', f'model.pretrained={cls_baseline}',
                    'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
                    'default_hooks.checkpoint.interval=1',
                    'train_dataloader.dataset.indices=256')
    log = proc.stdout + proc.stderr
    found = re.search(
        rf'PaS baseline {method}: pruned to MACs ratio ([0-9.]+)', log)
    assert found and abs(float(found.group(1)) - 0.5) <= 0.005
    # nothing is searched: the budget term is 0 from the first step
    budget = re.findall(r'loss_budget: ([0-9.]+)', log)
    assert budget and all(float(b) == 0 for b in budget)
    spec = json.load(open(osp.join(tmp_path, 'pas_search', 'width_spec.json')))
    assert abs(spec['macs']['ratio'] - 0.5) <= 0.01
    out = tmp_path / 'compact'
    run_tool('tools/export.py', config, tmp_path / 'epoch_1.pth', '--out',
             out)
    assert torch.load(out / 'compact.pth', weights_only=True)['meta'][
        'pas_mm']['max_rel_diff'] <= 1e-4


def test_repvgg_demo_search_export_reparameterise(tmp_path):
    """RepVGG: per-layer widths through identity branches, exported and
    merged into single 3x3 convs with the same outputs and top-1."""
    base_cfg = 'configs/classification/repvgg/repvgg-tiny_1xb64_demo-cls.py'
    pas_cfg = ('configs/classification/repvgg/'
               'pas_repvgg-tiny_1xb64_demo-cls_flops-0.5x.py')
    run_tool('tools/train.py', base_cfg, '--work-dir', tmp_path / 'base')
    run_tool('tools/train.py', pas_cfg, '--work-dir', tmp_path / 'pas',
             '--cfg-options',
             f'model.pretrained={tmp_path / "base" / "epoch_12.pth"}')
    ckpt = tmp_path / 'pas' / 'epoch_9.pth'
    out = tmp_path / 'compact'
    proc = run_tool('tools/export.py', pas_cfg, ckpt, '--out', out)
    assert '7 blocks reparameterised' in proc.stdout
    meta = torch.load(out / 'compact.pth', weights_only=True)['meta']
    assert meta['pas_mm']['max_rel_diff'] <= 1e-4
    # one channel of stage_1 is 2.9 % of RepVGG-tiny's MACs: the
    # projection lands within one channel of the target
    assert abs(meta['pas_mm']['macs']['ratio'] - 0.5) <= 0.03 * 0.5
    widths = json.load(open(out / 'width_spec.json'))['groups']
    assert len({g['kept'] for g in widths.values()}) > 2  # per-layer widths
    run_tool('tools/test.py', pas_cfg, ckpt, '--work-dir', tmp_path / 'g')
    run_tool('tools/test.py', out / 'config.py', out / 'compact.pth',
             '--work-dir', tmp_path / 'c')
    gated = metrics_of(tmp_path / 'g')['accuracy/top1']
    compact = metrics_of(tmp_path / 'c')['accuracy/top1']
    assert abs(gated - compact) <= 0.1 and compact > 80
    state = torch.load(out / 'compact.pth', weights_only=True)['state_dict']
    assert any('branch_reparam' in k for k in state)
    assert not any('branch_1x1' in k or 'branch_norm' in k for k in state)
