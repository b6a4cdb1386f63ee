"""Pix2Pix and CycleGAN search spaces build and train one mmagic step: the
budget loss reaches the generator gates, the discriminator has none."""
import os.path as osp

import pytest
import torch

BASE = ('configs/image_translation/pix2pix/'
        'pix2pix_unet-w32_1xb4_demo-edges2photo.py')
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _translation_model(kind):
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
               input_shape=(1, 3, size, size))
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
