"""Pix2Pix and CycleGAN search spaces build and train one mmagic step: the
budget loss reaches the generator gates, the discriminator has none."""
import os.path as osp

import pytest
import torch

BASE = ('configs/image_translation/pix2pix/'
        'pix2pix_unet-w32_1xb4_demo-edges2photo.py')
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _translation_model(kind, **settings):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import pas_mm.models.editors  # noqa: F401
    from pas_mm.registry import MODELS
    init_default_scope('mmagic')
    if kind == 'pix2pix':
        cfg = Config.fromfile(osp.join(REPO, BASE)).model
        cfg.type = 'pas_mm.PaSPix2Pix'
        domains = ('edges', 'photo')
    else:
        import mmagic
        base = osp.join(osp.dirname(mmagic.__file__), '.mim', 'configs',
                        'cyclegan',
                        'cyclegan_lsgan-resnet-in_1xb1-270kiters_'
                        'horse2zebra.py')
        cfg = Config.fromfile(base).model
        cfg.type = 'pas_mm.PaSCycleGAN'
        cfg.generator.update(base_channels=16, num_blocks=2)
        cfg.discriminator.update(base_channels=16)
        domains = ('horse', 'zebra')
    size = 128 if kind == 'pix2pix' else 64  # UNet: 7 down-samplings
    cfg.update(budget=dict(target_ratio=0.25, weight=5.0),
               input_shape=(1, 3, size, size), **settings)
    return MODELS.build(cfg), domains, size


@pytest.mark.parametrize('kind', ['pix2pix', 'cyclegan'])
def test_search_space_builds_and_trains_a_step(kind):
    from mmengine.logging import MessageHub
    from mmengine.optim import build_optim_wrapper
    model, domains, size = _translation_model(kind)
    space = model.space
    assert len(space.gates) >= (10 if kind == 'pix2pix' else 8)
    # only generator channels are gated
    assert all(n.split('.')[0] in domains for n in space.gates)
    if kind == 'cyclegan':  # one space over both generators
        assert {n.split('.')[0] for n in space.gates} == set(domains)
    assert not any('pas_gates' in n for n, _ in
                   model.discriminators.named_parameters())
    optim = build_optim_wrapper(model, dict(
        constructor='MultiOptimWrapperConstructor',
        generators=dict(type='OptimWrapper',
                        optimizer=dict(type='Adam', lr=0.01)),
        discriminators=dict(type='OptimWrapper',
                            optimizer=dict(type='Adam', lr=2e-4))))
    gen_params = {id(p) for g in optim['generators'].param_groups
                  for p in g['params']}
    latents = [g.latent for g in space.gates.values()]
    assert all(id(p) in gen_params for p in latents)
    MessageHub.get_current_instance().update_info('iter', 0)
    before = [p.detach().clone() for p in latents]
    data = dict(inputs={f'img_{d}': torch.rand(1, 3, size, size) * 255
                        for d in domains})
    model.train()
    log_vars = model.train_step(data, optim)
    assert 'loss_budget' in log_vars and 'macs_ratio' in log_vars
    moved = sum(not torch.equal(a, b.detach())
                for a, b in zip(before, latents))
    assert moved == len(latents)  # the budget loss reached every gate


def test_pix2pix_output_distillation_in_the_fine_tune(tmp_path):
    """pas+kd for a generator: L1 between the pruned generator's image and
    the unpruned one's, from the fine-tune on."""
    from mmengine.logging import MessageHub
    from mmengine.optim import build_optim_wrapper

    from pas_mm.compat import apply_all
    apply_all('mmagic')  # what the tools do: mmagic#2109 (init_info)
    plain, _, size = _translation_model('pix2pix')
    path = tmp_path / 'plain.pth'
    torch.save(dict(state_dict={k: v for k, v in plain.state_dict().items()
                                if 'pas_gates' not in k}), path)
    model, domains, size = _translation_model(
        'pix2pix', pretrained=str(path),
        distill=dict(module='photo', loss='l1', weight=10.0))
    model.init_weights()
    teacher = model.distiller.teacher
    want = plain.generators.state_dict()
    got = teacher.state_dict()
    assert set(got) == {k for k in want if 'pas_gates' not in k}
    assert all(torch.equal(got[k], want[k]) for k in got)
    optim = build_optim_wrapper(model, dict(
        constructor='MultiOptimWrapperConstructor',
        generators=dict(type='OptimWrapper',
                        optimizer=dict(type='Adam', lr=1e-3)),
        discriminators=dict(type='OptimWrapper',
                            optimizer=dict(type='Adam', lr=2e-4))))
    MessageHub.get_current_instance().update_info('iter', 0)
    data = dict(inputs={f'img_{d}': torch.rand(1, 3, size, size) * 255
                        for d in domains})
    model.train()
    assert 'loss_distill' not in model.train_step(data, optim)  # searching
    with torch.no_grad():
        for g in model.space.gates.values():
            g.latent[:g.num_channels // 2] = 0.0
    model.freeze_search()
    model.export_inplace()
    for wrapper in optim.values():  # as PaSSearchHook does after export
        wrapper.optimizer.state.clear()
    log_vars = model.train_step(data, optim)
    assert log_vars['loss_distill'] > 0
    assert not any(p.grad is not None for p in teacher.parameters())
