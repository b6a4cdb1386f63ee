"""Cross-task transfer: a width spec searched on an ImageNet ResNet-50
classifier applied to the ResNet-50 backbone of mmdet's Mask R-CNN."""
import json

import pytest
import torch
from _helpers import build, package_config, prune_randomly

from pas_mm.core import WidthSpecError, build_search_space, export
from pas_mm.core.criteria.prune import channel_scores


@pytest.fixture(scope='module')
def in1k_spec(tmp_path_factory):
    """A ResNet-50 classifier width spec (random widths stand in for a
    search: what matters here is that they are per-layer and uneven)."""
    clf = build('mmpretrain', 'resnet/resnet50_8xb32_in1k.py')
    space = build_search_space(clf, (torch.randn(1, 3, 64, 64), ),
                               forward_fn=lambda m, x: m(x, mode='tensor'))
    prune_randomly(space, seed=3, keep=0.6)
    _, spec = export(space)
    path = tmp_path_factory.mktemp('spec') / 'width_spec.json'
    path.write_text(json.dumps(spec))
    return path, spec


def mask_rcnn_algorithm(**kwargs):
    from mmengine.registry import init_default_scope

    from pas_mm.models import PaSAlgorithm
    init_default_scope('mmdet')
    arch = package_config('mmdet', 'mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py'
                          ).model
    arch.backbone.init_cfg = None
    return PaSAlgorithm(architecture=arch, search_scope=['backbone', 'neck'],
                        trace_mode='extract_feat',
                        input_shape=(1, 3, 128, 128), **kwargs)


@pytest.mark.parametrize('channels', ['l1', 'indices'])
def test_imagenet_widths_on_mask_rcnn_backbone(in1k_spec, channels):
    path, spec = in1k_spec
    algo = mask_rcnn_algorithm(
        transfer=dict(width_spec=str(path), channels=channels))
    algo.init_weights()
    space = algo.space
    assert space.frozen
    widths = space.widths()
    backbone = {n: g for n, g in spec['groups'].items()
                if n.startswith('backbone.')}
    # every backbone group of the classifier maps onto the detector
    assert len(backbone) == len(spec['groups']) and len(backbone) > 30
    for name, group in backbone.items():
        assert widths[name] == group['kept'], name
    # the FPN's own groups are not in the spec: kept whole
    neck = [n for n in widths if n.startswith('neck.')]
    assert neck and all(widths[n] == space.gates[n].num_channels
                        for n in neck)
    name = 'backbone.layer2.0.conv1'
    kept = space.gates[name].kept_indices()
    if channels == 'indices':
        assert kept.tolist() == sorted(spec['groups'][name]['indices'])
    else:  # the detector's own strongest filters
        scores = channel_scores(space, 'l1')[name]
        top = torch.argsort(scores, descending=True)[:len(kept)]
        assert sorted(top.tolist()) == kept.tolist()
    assert 0.3 < space.macs_ratio() < 1.0


def test_transfer_rejects_a_spec_of_another_model(tmp_path):
    spec = {'format': 'pas-mm/width-spec@1', 'input_shapes': [[1, 3, 8, 8]],
            'groups': {'backbone.layer9.conv1': dict(channels=64, kept=3,
                                                     indices=[0, 1, 2])}}
    path = tmp_path / 'other.json'
    path.write_text(json.dumps(spec))
    algo = mask_rcnn_algorithm(transfer=dict(width_spec=str(path)))
    with pytest.raises(WidthSpecError, match="group 'backbone.layer9.conv1'"
                       " is not a prunable group of MaskRCNN"):
        algo.init_weights()


def test_search_at_the_transfer_macs(in1k_spec, tmp_path):
    """budget.target_from: the detection search targets the MACs ratio the
    transfer reached (the suite's equal-MACs comparison), and refuses a
    spec from another search space."""
    from pas_mm.core import BudgetError
    path, _ = in1k_spec
    transfer = mask_rcnn_algorithm(transfer=dict(width_spec=str(path)))
    transfer.init_weights()
    _, det_spec = export(transfer.space)
    det_path = tmp_path / 'transfer_width_spec.json'
    det_path.write_text(json.dumps(det_spec))
    search = mask_rcnn_algorithm(
        budget=dict(target_ratio=0.5, target_from=str(det_path), weight=5.0))
    ratio = transfer.space.macs_ratio()
    assert search.settings.target_ratio == pytest.approx(ratio)
    assert 0.5 < ratio < 1.0  # the FPN stays whole in the transfer
    losses = search.budget_losses()
    assert float(losses['loss_budget'].detach()) == pytest.approx(
        5.0 * (1.0 - ratio) ** 2, rel=1e-4)
    # the classifier's spec is another search space: same-MACs is undefined
    with pytest.raises(BudgetError, match=r'budget.target_from .*'
                       r'width_spec.json was exported from another search '
                       r'space \(\d+ groups vs 38 here'):
        mask_rcnn_algorithm(budget=dict(target_from=str(path)))


def test_transfer_scaled_to_the_detector_budget(in1k_spec):
    """scale_to_budget: the classifier's per-layer widths, and the FPN's
    full width, shrink by one common factor to the detector's own MACs
    target."""
    path, spec = in1k_spec
    plain = mask_rcnn_algorithm(transfer=dict(width_spec=str(path)))
    plain.init_weights()
    scaled = mask_rcnn_algorithm(
        budget=dict(target_ratio=0.4),
        transfer=dict(width_spec=str(path), scale_to_budget=True))
    scaled.init_weights()
    space = scaled.space
    assert space.frozen
    assert space.macs_ratio() == pytest.approx(0.4, rel=0.01)
    assert plain.space.macs_ratio() > 0.5
    a, b = plain.space.widths(), space.widths()
    factors = [b[n] / a[n] for n in a if a[n] >= 32]
    assert len(factors) > 20
    # one factor for every group (rounding aside)
    assert max(factors) - min(factors) < 0.1
    # the FPN's groups shrink too, by the same factor
    neck = [n for n in a if n.startswith('neck.')]
    assert all(b[n] < a[n] for n in neck)
    # a group keeps its transferred channels first: the kept set is the
    # detector's strongest filters of that group
    name = 'backbone.layer3.0.conv2'
    kept = space.gates[name].kept_indices()
    scores = channel_scores(space, 'l1')[name]
    top = torch.argsort(scores, descending=True)[:len(kept)]
    assert sorted(top.tolist()) == kept.tolist()
