"""The detector timing runs on real val images, times backbone + FPN, and
fixes the heads' work so that every detector sees the same boxes."""
import os.path as osp

import torch

from pas_mm.apis.det_latency import FIXED_HEAD_WORK, detector_runs, real_images
from pas_mm.apis.model_runner import load_model

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs/instance_segmentation/mask_rcnn/'
                  'mask-rcnn_r18-w16_fpn_1xb8-24e_proxy-coco.py')


def test_detector_runs_time_real_images_with_fixed_head_work(monkeypatch):
    monkeypatch.chdir(REPO)  # the config's data_root is relative
    model, cfg, scope = load_model(CONFIG)
    assert scope == 'mmdet'
    runs = detector_runs(model, cfg, batch=2)
    data = real_images(cfg, 2)
    # real val images (not noise): the first two files of the val split
    paths = [s.img_path for s in data['data_samples']]
    assert all('val' in p and osp.isfile(p) for p in paths)
    assert len(set(paths)) == 2
    with torch.no_grad():
        feats = runs['backbone+fpn']()
        results = runs['test_step']()
    assert len(feats) == 5 and feats[0].shape[0] == 2
    # an untrained detector still returns exactly the fixed detections
    want = FIXED_HEAD_WORK['rcnn']['max_per_img']
    assert [len(r.pred_instances) for r in results] == [want, want]
    # a batch larger than the split cycles through its images
    big = real_images(cfg, 150)
    assert len(big['inputs']) == 150
