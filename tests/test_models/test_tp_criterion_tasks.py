"""The best Torch-Pruning criterion (tp-taylor) on the other benchmark v2
tasks: RepVGG-mini (decoupled per-layer widths, merged blocks) and Mask
R-CNN (backbone + FPN, traced through extract_feat) score every group
with Torch-Pruning's own importance and cut to the budget."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from pas_mm.models.algorithms.criterion_pruning import prune_by_settings
from pas_mm.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = {
    'repvgg-mini': ('configs/classification/repvgg/tp-taylor_repvgg-mini_'
                    '1xb64-15e_proxy-cls_flops-0.25x.py', 'mmpretrain'),
    'mask-rcnn': ('configs/instance_segmentation/mask_rcnn/tp-taylor_mask-'
                  'rcnn_r18-w16_fpn_1xb8-12e_proxy-coco_flops-0.5x.py',
                  'mmdet'),
}


@pytest.mark.parametrize('task', sorted(CONFIGS))
def test_tp_taylor_scores_every_group_and_hits_the_budget(task):
    path, scope = CONFIGS[task]
    cfg = Config.fromfile(osp.join(REPO, path))
    assert cfg.model.criterion == 'tp-taylor'
    init_default_scope(scope)
    torch.manual_seed(0)
    model = MODELS.build(dict(cfg.model, pretrained=None))
    space = model.space
    state = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.randn(2, *model.settings.input_shape[1:])

    def backward():  # a task-like loss: every output depends on the widths
        out = model.search_forward(model.search_module, x)
        outs = out if isinstance(out, (tuple, list)) else (out, )
        sum(o.float().pow(2).mean() for o in outs).backward()

    ratio = prune_by_settings(space, model.settings, backward)
    target = model.settings.target_ratio
    assert abs(ratio / target - 1) <= 0.01, (ratio, target)
    assert space.frozen
    kept = [int(g.kept()) for g in space.gates.values()]
    assert 0 < min(kept) and any(k < g.num_channels for k, g in
                                 zip(kept, space.gates.values()))
    for k, v in model.state_dict().items():  # scoring changed no weight
        if 'pas_gates' not in k and k in state:
            assert torch.equal(v, state[k]), k
