"""PaS on mmagic image translation.

- Pix2Pix demo through the tools: baseline -> search (generator only) ->
  freeze -> fine-tune -> export -> PSNR/SSIM/MAE, FID/IS skipped with a log
  line (no Inception weights here), and mmagic's inference API on the
  compact generator. Shortened (240 + 240 iterations) for the suite.
- Pix2Pix and CycleGAN search spaces build and train one mmagic step: the
  budget loss reaches the generator gates, the discriminator has none.
"""
import json
import os
import os.path as osp

import pytest
import torch
from conftest import DEMO, run_tool

P2P = 'configs/image_translation/pix2pix/'
BASE = P2P + 'pix2pix_unet-w32_1xb4_demo-edges2photo.py'
PAS = P2P + 'pas_pix2pix_unet-w32_1xb4_demo-edges2photo_flops-0.25x.py'


@pytest.fixture(scope='module')
def pas_pix2pix(tmp_path_factory, demo_data):
    work = tmp_path_factory.mktemp('pix2pix')
    run_tool('tools/train.py', BASE, '--work-dir', work / 'base',
             '--cfg-options', 'train_cfg.max_iters=240',
             'train_cfg.val_interval=240',
             'default_hooks.checkpoint.interval=240')
    proc = run_tool('tools/train.py', PAS, '--work-dir', work / 'pas',
                    '--cfg-options', 'train_cfg.max_iters=240',
                    'train_cfg.val_interval=240',
                    'default_hooks.checkpoint.interval=240',
                    'custom_hooks.0.search_iters=80',
                    f'model.pretrained={work / "base" / "iter_240.pth"}')
    ckpt = work / 'pas' / 'iter_240.pth'
    out = work / 'compact'
    export = run_tool('tools/export.py', PAS, ckpt, '--out', out)
    return work, ckpt, out, proc.stdout + proc.stderr + export.stdout


def test_search_and_export(pas_pix2pix):
    work, ckpt, out, log = pas_pix2pix
    assert 'PaS: search ended at epoch' in log and 'iter 80' in log
    assert 'loss_budget' in log and 'macs_ratio' in log
    # no Inception weights on this machine: a clear line, not an exception
    assert 'pas-mm: FID-Full (TransFID) skipped' in log
    assert 'pas-mm: IS-Full (TransIS) skipped' in log
    spec = json.load(open(out / 'width_spec.json'))
    assert abs(spec['macs']['ratio'] - 0.25) <= 0.02 * 0.25
    assert all(n.startswith('photo.') for n in spec['groups'])
    meta = torch.load(out / 'compact.pth', weights_only=True)['meta']
    assert meta['pas_mm']['max_rel_diff'] <= 1e-4  # eval mode, vs gated
    state = torch.load(out / 'compact.pth', weights_only=True)['state_dict']
    plain = torch.load(work / 'base' / 'iter_240.pth',
                       weights_only=False)['state_dict']
    # the discriminator is untouched, the generator is smaller
    disc = [k for k in plain if k.startswith('discriminators.')]
    assert disc and all(state[k].shape == plain[k].shape for k in disc)
    gen = [k for k in plain if k.startswith('generators.') and
           k.endswith('weight')]
    # 25 % of the MACs; params fall much less (the search cuts where the
    # MACs are, the high-resolution outer layers, not the parameter-heavy
    # inner ones: 0.83 of the params measured at the 25 % MACs ratio)
    assert any(state[k].shape != plain[k].shape for k in gen)
    assert sum(state[k].numel() for k in gen) < \
        sum(plain[k].numel() for k in gen)


def test_compact_generator_metrics(pas_pix2pix, tmp_path):
    _, _, out, _ = pas_pix2pix
    proc = run_tool('tools/test.py', out / 'config.py', out / 'compact.pth',
                    '--work-dir', tmp_path)
    assert 'pas-mm: FID-Full (TransFID) skipped' in proc.stdout
    metrics = json.load(open(tmp_path / 'test_metrics.json'))['metrics']
    assert metrics['PSNR'] > 8.0 and 0 < metrics['SSIM'] <= 1
    assert 0 < metrics['MAE'] < 0.5


def test_mmagic_inferencer_on_compact_generator(pas_pix2pix, tmp_path):
    from mmagic.apis import MMagicInferencer
    from PIL import Image

    import pas_mm  # noqa: F401  (registers PaSCompact)
    _, _, out, _ = pas_pix2pix
    test_dir = osp.join(DEMO, 'paired', 'test')
    image = osp.join(test_dir, sorted(os.listdir(test_dir))[0])
    result = tmp_path / 'translated.png'
    inferencer = MMagicInferencer(
        'pix2pix', model_config=str(out / 'config.py'),
        model_ckpt=str(out / 'compact.pth'), device='cpu')
    inferencer.infer(img=image, result_out_dir=str(result))
    with Image.open(result) as img:
        assert img.size == (128, 128) and img.mode == 'RGB'
        assert len(set(img.getdata())) > 100  # a real picture, not flat


def _translation_model(kind):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import pas_mm.models.editors  # noqa: F401
    from pas_mm.registry import MODELS
    init_default_scope('mmagic')
    if kind == 'pix2pix':
        cfg = Config.fromfile(BASE).model
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
