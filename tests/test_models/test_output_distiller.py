"""Distillation from the unpruned network: a frozen teacher outside the
module tree, loss on one module's output, only once the search is done."""
import pytest
import torch
import torch.nn.functional as F
from _toy_runner import ToyNet

from pas_mm.core.errors import SettingsError
from pas_mm.models import PaSAlgorithm


@pytest.fixture
def trained(tmp_path):
    torch.manual_seed(0)
    net = ToyNet()
    path = tmp_path / 'plain.pth'
    torch.save(dict(state_dict=net.state_dict()), path)
    return net, str(path)


def _model(path, **distill):
    model = PaSAlgorithm(ToyNet(), input_shape=(1, 3, 16, 16),
                         budget=dict(target_ratio=0.5), pretrained=path,
                         distill=dict(module='fc', **distill))
    model.init_weights()
    return model


def test_teacher_is_the_trained_net_and_not_a_child(trained):
    net, path = trained
    model = _model(path)
    teacher = model.distiller.teacher
    assert not any(p is q for p in model.parameters()
                   for q in teacher.parameters())
    assert not any(k.startswith('distiller') for k in model.state_dict())
    assert all(not p.requires_grad for p in teacher.parameters())
    x = torch.randn(4, 3, 16, 16)
    net.eval()
    assert torch.allclose(model.distiller.teacher_output(x)[0], net(x))


def test_loss_only_after_the_search_and_equals_kl(trained):
    _, path = trained
    model = _model(path, temperature=2.0, weight=3.0)
    x, y = torch.randn(8, 3, 16, 16), torch.randint(0, 4, (8, ))
    assert 'loss_distill' not in model.loss(x, y)  # searching
    prune_half = {n: g for n, g in model.space.gates.items()}
    with torch.no_grad():
        for g in prune_half.values():
            g.latent[:g.num_channels // 2] = 0.0
    model.freeze_search()
    model.train()
    losses = model.loss(x, y)
    student = model.architecture(x).detach()
    teacher, = model.distiller.teacher_output(x)
    want = 3.0 * 4 * F.kl_div(F.log_softmax(student / 2, 1),
                              F.log_softmax(teacher / 2, 1),
                              reduction='batchmean', log_target=True)
    assert torch.allclose(losses['loss_distill'], want, rtol=1e-4)
    assert losses['loss_distill'] > 0
    losses['loss_distill'].backward()
    assert model.architecture.fc.weight.grad is not None


def test_distill_unknown_module_is_one_error(trained):
    _, path = trained
    with pytest.raises(SettingsError, match="distill.module 'head.fc'"):
        PaSAlgorithm(ToyNet(), input_shape=(1, 3, 16, 16), pretrained=path,
                     distill=dict(module='head.fc'))


def test_distils_the_module_in_place_after_export(trained):
    """Exporting in place may swap module objects: the output is taken
    from the module of that name at each step, never a stale one."""
    import copy
    _, path = trained
    model = _model(path)
    x, y = torch.randn(8, 3, 16, 16), torch.randint(0, 4, (8, ))
    model.train()
    model.loss(x, y)  # a search step: nothing distilled, nothing kept
    with torch.no_grad():
        for g in model.space.gates.values():
            g.latent[:g.num_channels // 2] = 0.0
    model.freeze_search()
    model.export_inplace()
    model.architecture.fc = copy.deepcopy(model.architecture.fc)
    for _ in range(2):
        losses = model.loss(x, y)
        sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    assert losses['loss_distill'] > 0
    assert model.architecture.fc.weight.grad is not None


def test_fpn_feature_kd_on_the_proxy_mask_rcnn(tmp_path):
    """Mask R-CNN's pas+kd: every FPN level of the pruned detector is
    pulled to the unpruned one's (MSE averaged over the levels)."""
    from mmdet.testing import demo_mm_inputs
    from mmdet.utils import register_all_modules
    from mmengine.config import Config
    from mmengine.registry import MODELS
    register_all_modules()
    cfg = Config.fromfile('configs/instance_segmentation/mask_rcnn/'
                          'mask-rcnn_r18-w16_fpn_1xb8-24e_proxy-coco.py')
    torch.manual_seed(0)
    plain = MODELS.build(cfg.model)
    plain.init_weights()
    path = tmp_path / 'detector.pth'
    torch.save(dict(state_dict=plain.state_dict()), path)
    model = PaSAlgorithm(
        cfg.model, search_scope=['backbone', 'neck'],
        trace_mode='extract_feat', input_shape=(1, 3, 128, 128),
        budget=dict(target_ratio=0.5), pretrained=str(path),
        distill=dict(module='neck', loss='mse', weight=2.0))
    model.init_weights()
    data = model.architecture.data_preprocessor(demo_mm_inputs(
        2, [[3, 128, 128]] * 2, num_items=[3, 2], num_classes=8,
        with_mask=True), True)
    model.train()
    assert 'loss_distill' not in model.loss(**data)  # searching
    with torch.no_grad():
        for g in model.space.gates.values():
            g.latent[:g.num_channels // 2] = 0.0
    model.freeze_search()
    model.export_inplace()
    losses = model.loss(**data)
    student = model.architecture.extract_feat(data['inputs'])
    teacher = model.distiller.teacher_output(data['inputs'])
    assert len(teacher) == len(student) == 5
    want = 2.0 * torch.stack([F.mse_loss(s, t)
                              for s, t in zip(student, teacher)]).mean()
    assert torch.allclose(losses['loss_distill'], want, rtol=1e-4)
    model.parse_losses(losses)[0].backward()
    assert model.architecture.backbone.conv1.weight.grad is not None
    with pytest.raises(SettingsError, match="'kl' distils logits"):
        model.distiller.loss = 'kl'
        model.loss(**data)
