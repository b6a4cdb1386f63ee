"""PaS core on six real OpenMMLab architectures, built from the installed
packages' own configs (random/default weights, no download).

For each: about half of every gate's channels pruned at random; the compact
model's eval output equals the gated one; ``space.macs()`` equals
mmengine.analysis' count of the compact model; a budget step moves latents.
"""
import pytest
import torch
from _helpers import build, export_and_compare, mmengine_macs, rel_diff

from pas_mm.core import build_search_space, reparameterize
from pas_mm.core.compact.reparam import REP_BLOCK_SPACE


def classifier(m, x):
    return m(x, mode='tensor')


def feats(m, x):
    return m.extract_feat(x)


def plain(m, x):
    return m(x)


CASES = {
    'resnet50': dict(
        build=lambda: build('mmpretrain', 'resnet/resnet50_8xb32_in1k.py'),
        run=classifier, shape=(1, 3, 64, 64)),
    'repvgg-a0': dict(
        build=lambda: build('mmpretrain', 'repvgg/repvgg-A0_8xb32_in1k.py'),
        run=classifier, shape=(1, 3, 64, 64),
        space=REP_BLOCK_SPACE),
    'mobilenet-v2': dict(
        build=lambda: build('mmpretrain',
                            'mobilenet_v2/mobilenet-v2_8xb32_in1k.py'),
        run=classifier, shape=(1, 3, 64, 64)),
    'mask-rcnn-r50-fpn': dict(
        build=lambda: build('mmdet', 'mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py',
                            no_pretrained=True),
        run=feats, shape=(1, 3, 128, 128),
        space=dict(scope=['backbone', 'neck'])),
    'mask-rcnn-x101-fpn': dict(
        build=lambda: build('mmdet',
                            'mask_rcnn/mask-rcnn_x101-32x4d_fpn_1x_coco.py',
                            no_pretrained=True),
        run=feats, shape=(1, 3, 64, 64),
        space=dict(scope=['backbone', 'neck'])),
    'pix2pix-unet': dict(
        build=lambda: build(
            'mmagic',
            'pix2pix/pix2pix_vanilla-unet-bn_1xb1-80kiters_facades.py'
        ).generators['photo'],
        run=plain, shape=(1, 3, 256, 256)),
    'cyclegan-resnet': dict(
        build=lambda: build(
            'mmagic',
            'cyclegan/cyclegan_lsgan-resnet-in_1xb1-80kiters_facades.py'
        ).generators['photo'],
        run=plain, shape=(1, 3, 128, 128)),
}


@pytest.fixture(scope='module', autouse=True)
def mmagic_compat():
    import pas_mm.compat
    pas_mm.compat.apply_all('mmagic')


@pytest.mark.parametrize('name', list(CASES))
def test_exact_export_and_macs(name):
    case = CASES[name]
    model = case['build']()
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(case['shape'], generator=gen)
    run = case['run']
    space = build_search_space(model, (x, ), forward_fn=run,
                               **case.get('space', {}))
    n_groups = len(space.graph.roots())
    n_gates = len(space.gates)
    assert n_gates >= 5, n_gates
    compact, spec, diff, macs = export_and_compare(space, lambda m: run(m, x))
    assert diff <= 1e-4, diff
    if name == 'repvgg-a0':  # MACs of the deployed (merged) model
        with torch.no_grad():
            before = run(compact, x)
            assert reparameterize(compact) == 22
            after = run(compact, x)
        assert rel_diff(before, after) <= 1e-4
    counted = mmengine_macs(compact, run, x)
    assert abs(macs - counted) / counted <= 0.01, (macs, counted)
    assert spec['macs']['ratio'] < 0.75  # about half the channels are gone
    print(f'\n{name}: groups {n_groups}, gates {n_gates}, max rel diff '
          f'{diff:.2e}, space MACs {macs / 1e6:.3f}M vs mmengine '
          f'{counted / 1e6:.3f}M ({(macs - counted) / counted:+.3%}), '
          f'ratio {spec["macs"]["ratio"]:.3f}')


def test_resnext_searches_every_inner_width_in_whole_conv_groups():
    """Mask R-CNN X-101-32x4d: the grouped 3x3 conv keeps its 32 groups'
    structure; the width inside every block is searched in whole groups."""
    case = CASES['mask-rcnn-x101-fpn']
    space = build_search_space(case['build'](), (torch.randn(case['shape']),),
                               forward_fn=feats, **case['space'])
    inner = {n: g for n, g in space.gates.items()
             if n.startswith('backbone.layer') and n.endswith('.conv1')}
    assert len(inner) == 3 + 4 + 23 + 3  # every bottleneck of X-101
    widths = {n.split('.')[1]: g.num_channels // 32 for n, g in inner.items()}
    assert all(g.unit == widths[n.split('.')[1]] for n, g in inner.items())
    assert widths == {'layer1': 4, 'layer2': 8, 'layer3': 16, 'layer4': 32}
    assert space.reach().ratio < 0.05


@pytest.mark.parametrize('name', ['resnet50', 'mask-rcnn-r50-fpn',
                                  'pix2pix-unet'])
def test_budget_step_moves_latents(name):
    case = CASES[name]
    model = case['build']()
    x = torch.randn(case['shape'])
    space = build_search_space(model, (x, ), forward_fn=case['run'],
                               **case.get('space', {}))
    latents = [g.latent for g in space.gates.values()]
    before = [t.detach().clone() for t in latents]
    opt = torch.optim.SGD(latents, lr=1.0)
    space.budget_loss(0.5, weight=5.0).backward()
    opt.step()
    moved = sum(bool((a != b).any()) for a, b in zip(latents, before))
    assert moved == len(latents)
    assert all((a <= b).all() for a, b in zip(latents, before))
