"""Timing tools open a model as deployed: a RepVGG baseline's blocks are
merged (as the exported runs' are), with the same outputs."""
import os.path as osp

import torch
from conftest import REPO

from pas_mm.apis.model_runner import load_for_timing, load_model
from pas_mm.core.compact.reparam import is_rep_block

MINI = osp.join(REPO, 'configs/classification/repvgg/'
                'repvgg-mini_1xb64-30e_proxy-cls.py')


def test_load_for_timing_merges_a_repvgg_baseline(tmp_path):
    torch.manual_seed(0)
    model, _, _ = load_model(MINI)
    for bn in model.modules():  # BN statistics a merge must fold in
        if isinstance(bn, torch.nn.BatchNorm2d):
            bn.running_mean.normal_(0, 0.1)
            bn.running_var.uniform_(0.5, 1.5)
            bn.weight.data.uniform_(0.5, 1.5)
    ckpt = tmp_path / 'baseline.pth'
    torch.save({'state_dict': model.state_dict()}, ckpt)
    reference, _, _ = load_model(MINI, str(ckpt))
    deployed, scope, shape = load_for_timing(MINI, str(ckpt))
    assert any(is_rep_block(m) for m in reference.modules())
    assert not any(is_rep_block(m) for m in deployed.modules())
    x = torch.randn(2, 3, *shape)
    with torch.no_grad():
        want = reference.extract_feat(x)[-1]
        got = deployed.extract_feat(x)[-1]
    assert scope == 'mmpretrain'
    assert torch.allclose(got, want, atol=1e-4, rtol=1e-4)
