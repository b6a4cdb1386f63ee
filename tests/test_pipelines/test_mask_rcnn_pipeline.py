"""PaS on Mask R-CNN through the tools, on the demo COCO-format data:
baseline -> search (backbone + FPN) -> freeze -> fine-tune -> export ->
CocoMetric (bbox + segm) for the gated and the compact detector, and mmdet's
own init_detector / inference_detector on the compact one.

The run is shortened to keep the suite's time (60 iterations in all: one
baseline epoch on half the training images, then a search epoch and a
fine-tune epoch on a quarter; no validation inside training, the tests run
tools/test.py); the full demo is tools/run_demo.sh."""
import json
import os.path as osp

import numpy as np
import pytest
import torch
from conftest import DEMO, run_tool

pytestmark = pytest.mark.slow  # runs the tools in subprocesses

DET = 'configs/instance_segmentation/mask_rcnn/'
BASE = DET + 'mask-rcnn_r50_fpn_1xb4_demo-coco.py'
PAS = DET + 'pas_mask-rcnn_r50_fpn_1xb4_demo-coco_flops-0.5x.py'
NO_VAL = ['val_cfg=None', 'val_dataloader=None', 'val_evaluator=None']
BASE_SHORT = ['train_dataloader.dataset.indices=120', 'train_cfg.max_epochs=1',
              'default_hooks.checkpoint.interval=1', *NO_VAL]
PAS_SHORT = ['train_dataloader.dataset.indices=60', 'train_cfg.max_epochs=2',
             *NO_VAL]
TEST_SUBSET = ['--cfg-options', 'test_dataloader.dataset.indices=30']


@pytest.fixture(scope='module')
def pas_detector(tmp_path_factory, demo_data):
    work = tmp_path_factory.mktemp('mask_rcnn')
    run_tool('tools/train.py', BASE, '--work-dir', work / 'base',
             '--cfg-options', *BASE_SHORT)
    proc = run_tool('tools/train.py', PAS, '--work-dir', work / 'pas',
                    '--cfg-options', *PAS_SHORT,
                    f'model.pretrained={work / "base" / "epoch_1.pth"}')
    ckpt = work / 'pas' / 'epoch_2.pth'
    out = work / 'compact'
    export = run_tool('tools/export.py', PAS, ckpt, '--out', out)
    return work, ckpt, out, proc.stdout + proc.stderr + export.stdout


def coco_metrics(work_dir):
    with open(osp.join(work_dir, 'test_metrics.json')) as f:
        return json.load(f)['metrics']


def test_search_prunes_backbone_and_fpn_to_budget(pas_detector):
    work, _, out, log = pas_detector
    assert 'PaS: search ended at epoch 1' in log
    spec = json.load(open(out / 'width_spec.json'))
    assert spec['scope'] == ['backbone', 'neck']
    # backbone+neck MACs within 2 % of the 50 % target
    assert abs(spec['macs']['ratio'] - 0.5) <= 0.02 * 0.5
    groups = spec['groups']
    assert any(n.startswith('neck.') for n in groups)  # FPN inner channels
    assert any(g['kept'] < g['channels'] for n, g in groups.items()
               if n.startswith('backbone.'))
    state = torch.load(out / 'compact.pth', weights_only=True)
    assert state['meta']['pas_mm']['max_rel_diff'] <= 1e-4


def test_compact_map_equals_gated(pas_detector, tmp_path):
    _, ckpt, out, _ = pas_detector
    run_tool('tools/test.py', PAS, ckpt, '--work-dir', tmp_path / 'gated',
             *TEST_SUBSET)
    run_tool('tools/test.py', out / 'config.py', out / 'compact.pth',
             '--work-dir', tmp_path / 'compact', *TEST_SUBSET)
    gated = coco_metrics(tmp_path / 'gated')
    compact = coco_metrics(tmp_path / 'compact')
    for key in ('coco/bbox_mAP', 'coco/segm_mAP'):
        # within 0.2 mAP points (CocoMetric reports mAP in [0, 1])
        assert abs(gated[key] - compact[key]) <= 0.002, (key, gated,
                                                         compact)
        assert compact[key] > 0.05, compact  # it really detects


def test_init_detector_and_inference_match_gated(pas_detector):
    """mmdet's own API on the exported files; same boxes, scores, labels
    and masks as the gated search model on a fixed image."""
    from mmdet.apis import inference_detector, init_detector
    from mmengine.config import Config
    from mmengine.registry import MODELS
    from mmengine.runner import load_checkpoint

    import pas_mm  # noqa: F401  (registers PaSCompact)
    _, ckpt, out, _ = pas_detector
    image = osp.join(DEMO, 'coco', 'val', sorted(
        f for f in __import__('os').listdir(osp.join(DEMO, 'coco', 'val'))
        if f.endswith('.png') or f.endswith('.jpg'))[0])
    compact = init_detector(str(out / 'config.py'),
                            str(out / 'compact.pth'), device='cpu')
    cfg = Config.fromfile(PAS)
    cfg.model.pretrained = None
    gated = MODELS.build(cfg.model)
    load_checkpoint(gated, str(ckpt), map_location='cpu')
    gated.cfg = cfg
    gated.eval()
    a = inference_detector(gated, image).pred_instances
    b = inference_detector(compact, image).pred_instances
    assert len(a) == len(b) > 0
    assert torch.equal(a.labels, b.labels)
    assert torch.allclose(a.scores, b.scores, atol=1e-4)
    assert torch.allclose(a.bboxes, b.bboxes, atol=1e-2)
    differ = (a.masks != b.masks).float().mean().item()
    assert differ < 1e-3
    assert np.isfinite(b.bboxes.numpy()).all()
