"""The three plain baselines train and test with tools/train.py and
tools/test.py; resume and 2-process distributed training work."""
import json
import math
import os
import os.path as osp
import subprocess
import sys

import pytest
from conftest import CLS, REPO, run_tool

pytestmark = pytest.mark.slow  # runs the tools in subprocesses

DET = ('configs/instance_segmentation/mask_rcnn/'
       'mask-rcnn_r50_fpn_1xb4_demo-coco.py')
GAN = ('configs/image_translation/pix2pix/'
       'pix2pix_unet-w32_1xb4_demo-edges2photo.py')


def metrics_of(work_dir):
    with open(osp.join(work_dir, 'test_metrics.json')) as f:
        return json.load(f)['metrics']


def test_classification_baseline_beats_chance(cls_baseline, tmp_path):
    run_tool('tools/test.py', CLS, cls_baseline, '--work-dir', tmp_path,
             '--out', tmp_path / 'preds.pkl')
    top1 = metrics_of(tmp_path)['accuracy/top1']
    assert top1 > 60.0  # chance is 10 %
    assert osp.getsize(tmp_path / 'preds.pkl') > 0


def test_resume(tmp_path, demo_data):
    small = ['train_dataloader.dataset.indices=128', 'val_cfg=None',
             'val_dataloader=None', 'val_evaluator=None']
    run_tool('tools/train.py', CLS, '--work-dir', tmp_path, '--cfg-options',
             'train_cfg.max_epochs=1', 'default_hooks.checkpoint.interval=1',
             *small)
    proc = run_tool('tools/train.py', CLS, '--work-dir', tmp_path, '--resume',
                    '--cfg-options', 'train_cfg.max_epochs=2',
                    'default_hooks.checkpoint.interval=1', *small)
    log = proc.stdout + proc.stderr
    assert 'resumed epoch: 1' in log
    assert 'Epoch(train) [1]' not in log and 'Epoch(train) [2]' in log
    assert osp.isfile(tmp_path / 'epoch_2.pth')


def test_dist_train_two_cpu_processes(tmp_path, demo_data):
    env = dict(os.environ, PYTHON=sys.executable, PORT='29533')
    res = subprocess.run(
        ['bash', 'tools/dist_train.sh', CLS, '2', '--work-dir', str(tmp_path),
         '--cfg-options', 'train_cfg.max_epochs=1',
         'default_hooks.checkpoint.interval=1',
         'train_dataloader.dataset.indices=256',
         'val_dataloader.dataset.indices=64'],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-4000:]
    log = res.stdout + res.stderr
    assert "dist_cfg: {'backend': 'gloo'}" in log
    assert 'Distributed training: True' in log
    assert log.count('Epoch(train) [1]') >= 1
    assert osp.isfile(tmp_path / 'epoch_1.pth')


def test_mask_rcnn_trains_and_reports_bbox_and_segm(tmp_path, demo_data):
    run_tool('tools/train.py', DET, '--work-dir', tmp_path, '--cfg-options',
             'train_cfg.max_epochs=1', 'train_dataloader.dataset.indices=8',
             'val_cfg=None', 'val_dataloader=None', 'val_evaluator=None',
             'default_hooks.checkpoint.interval=1')
    ckpt = osp.join(tmp_path, 'epoch_1.pth')
    run_tool('tools/test.py', DET, ckpt, '--work-dir', tmp_path,
             '--cfg-options', 'test_dataloader.dataset.indices=8')
    m = metrics_of(tmp_path)
    for key in ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/segm_mAP',
                'coco/segm_mAP_50'):
        assert 0.0 <= m[key] <= 1.0


def test_pix2pix_trains_and_reports_pixel_metrics(tmp_path, demo_data):
    run_tool('tools/train.py', GAN, '--work-dir', tmp_path, '--cfg-options',
             'train_cfg.max_iters=2', 'train_cfg.val_interval=100',
             'default_hooks.checkpoint.interval=2')
    ckpt = osp.join(tmp_path, 'iter_2.pth')
    run_tool('tools/test.py', GAN, ckpt, '--work-dir', tmp_path)
    m = metrics_of(tmp_path)
    assert m['PSNR'] > 3 and math.isfinite(m['PSNR'])
    assert -1 <= m['SSIM'] <= 1 and 0 <= m['MAE'] <= 1


def test_test_tool_show_dir_draws_predictions(cls_baseline, tmp_path):
    run_tool('tools/test.py', CLS, cls_baseline, '--work-dir', tmp_path,
             '--show-dir', 'vis', '--cfg-options',
             'test_dataloader.dataset.indices=4')
    drawn = [f for _, _, fs in os.walk(tmp_path) for f in fs
             if f.endswith('.png')]
    assert len(drawn) >= 4, drawn
