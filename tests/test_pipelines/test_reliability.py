"""Reliability: interrupted search resumes to the same result, two
processes agree on the masks, exports are atomic, bad inputs get one line."""
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest
import torch
from conftest import PAS_CLS, REPO, run_tool
from test_errors import one_line_error

pytestmark = pytest.mark.slow  # runs the tools in subprocesses

SMALL = ['train_dataloader.dataset.indices=256',
         'val_dataloader.dataset.indices=64', 'train_cfg.max_epochs=4',
         'train_cfg.val_interval=4', 'custom_hooks.0.search_epochs=3',
         'default_hooks.checkpoint.interval=1',
         'default_hooks.checkpoint.max_keep_ckpts=4',
         'default_hooks.logger.interval=1']


def gates_of(ckpt):
    state = torch.load(ckpt, weights_only=False)['state_dict']
    return {k: v for k, v in state.items() if 'pas_gates' in k}


def macs_curve(work):
    """iter -> logged macs_ratio, over every run (log folder) in work."""
    curve = {}
    for root, _, files in os.walk(work):
        if 'scalars.json' in files:
            for line in open(osp.join(root, 'scalars.json')):
                rec = json.loads(line)
                if 'macs_ratio' in rec:
                    curve[rec['iter']] = rec['macs_ratio']
    return curve


def test_interrupted_search_resumes_to_the_same_result(cls_baseline,
                                                       tmp_path):
    opts = ['--cfg-options', f'model.pretrained={cls_baseline}', *SMALL]
    run_tool('tools/train.py', PAS_CLS, '--work-dir', tmp_path / 'whole',
             *opts)
    # the same run, killed (SIGKILL) in the middle of the search ...
    cut = tmp_path / 'cut'
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.Popen([sys.executable, 'tools/train.py', PAS_CLS,
                             '--work-dir', str(cut), *opts], cwd=REPO,
                            env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while not osp.exists(cut / 'epoch_1.pth') and proc.poll() is None:
        assert time.time() < deadline
        time.sleep(0.2)
    time.sleep(0.5)  # into epoch 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not osp.exists(cut / 'epoch_4.pth')
    # ... and resumed from its last checkpoint
    run_tool('tools/train.py', PAS_CLS, '--work-dir', cut, '--resume',
             cut / 'epoch_1.pth', *opts)
    whole, resumed = gates_of(tmp_path / 'whole' / 'epoch_4.pth'), \
        gates_of(cut / 'epoch_4.pth')
    assert whole.keys() == resumed.keys() and whole
    for key in whole:
        assert torch.equal(whole[key], resumed[key]), key
    spec = [json.load(open(d / 'pas_search' / 'width_spec.json'))
            for d in (tmp_path / 'whole', cut)]
    assert spec[0]['groups'] == spec[1]['groups']
    assert spec[0]['macs'] == spec[1]['macs']
    a, b = macs_curve(tmp_path / 'whole'), macs_curve(cut)
    assert len(a) == 16 and a == b  # 4 epochs x 4 iterations


def test_two_processes_agree_on_the_masks(cls_baseline, tmp_path):
    """2 gloo processes: the search under DDP, the export in place, a new
    DDP wrapper without find_unused_parameters for the fine-tune, and a
    resume from the exported checkpoint (re-wrapped again)."""
    env = dict(os.environ, PYTHON=sys.executable, PORT='29541',
               PYTHONPATH=REPO)
    opts = [f'model.pretrained={cls_baseline}',
            'train_dataloader.dataset.indices=256',
            'val_dataloader.dataset.indices=64', 'train_cfg.max_epochs=2',
            'train_cfg.val_interval=2', 'custom_hooks.0.search_epochs=1',
            'custom_hooks.0.export_after_search=True',
            'default_hooks.checkpoint.interval=1']
    res = subprocess.run(
        ['bash', 'tools/dist_train.sh', PAS_CLS, '2', '--work-dir',
         str(tmp_path), '--cfg-options', *opts],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-4000:]
    log = res.stdout + res.stderr
    assert "dist_cfg: {'backend': 'gloo'}" in log
    assert 'PaS: masks identical on all 2 ranks' in log
    assert 'PaS: exported in place' in log
    assert 're-wrapped for the fine-tune (find_unused_parameters=False)' \
        in log
    assert osp.isfile(tmp_path / 'epoch_2.pth')
    resumed = subprocess.run(
        ['bash', 'tools/dist_train.sh', PAS_CLS, '2', '--work-dir',
         str(tmp_path / 'resumed'), '--resume', str(tmp_path / 'epoch_1.pth'),
         '--cfg-options', *opts],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stderr[-4000:]
    log = resumed.stdout + resumed.stderr
    assert 're-wrapped for the fine-tune' in log
    assert osp.isfile(tmp_path / 'resumed' / 'epoch_2.pth')


def test_empty_dataset_one_line(tmp_path):
    for split in ('train', 'val'):
        for cls in ('0', '1'):
            (tmp_path / split / cls).mkdir(parents=True)
    line = one_line_error(run_tool(
        'tools/train.py', 'configs/classification/resnet/'
        'resnet18-w16_1xb64_demo-cls.py', '--work-dir', tmp_path / 'w',
        '--cfg-options', f'train_dataloader.dataset.data_root={tmp_path}',
        f'val_dataloader.dataset.data_root={tmp_path}', check=False))
    assert 'empty dataset: no files under' in line and str(tmp_path) in line


def test_empty_coco_annotations_one_line(tmp_path):
    ann = tmp_path / 'empty.json'
    ann.write_text(json.dumps(dict(images=[], annotations=[],
                                   categories=[])))
    line = one_line_error(run_tool(
        'tools/train.py', 'configs/instance_segmentation/mask_rcnn/'
        'mask-rcnn_r50_fpn_1xb4_demo-coco.py', '--work-dir', tmp_path / 'w',
        '--cfg-options', f'train_dataloader.dataset.ann_file={ann}',
        check=False))
    assert 'lists no images' in line and 'empty.json' in line


def test_foreign_width_spec_one_line(tmp_path):
    """A compact config pointing at a width spec of another model."""
    spec = dict(format='pas-mm/width-spec@1', input_shapes=[[1, 3, 32, 32]],
                scope=None, groups={'backbone.layer9.conv1': dict(
                    channels=7, kept=1, indices=[0])})
    (tmp_path / 'width_spec.json').write_text(json.dumps(spec))
    cfg = tmp_path / 'config.py'
    cfg.write_text(
        "_base_ = ['%s/configs/classification/resnet/"
        "resnet18-w16_1xb64_demo-cls.py']\n"
        "custom_imports = dict(imports=['pas_mm'])\n"
        "arch = _base_.model\n"
        "model = dict(_delete_=True, type='pas_mm.PaSCompact',\n"
        "             arch_type='ImageClassifier', backbone=arch.backbone,\n"
        "             neck=arch.neck, head=arch.head,\n"
        "             width_spec='{{ fileDirname }}/width_spec.json')\n"
        % REPO)
    ckpt = tmp_path / 'c.pth'
    torch.save({'state_dict': {}}, ckpt)
    line = one_line_error(run_tool('tools/test.py', cfg, ckpt, '--work-dir',
                                   tmp_path / 'w', check=False))
    assert 'WidthSpecError' in line and \
        'width spec does not match ImageClassifier' in line
