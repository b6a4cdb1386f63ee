"""Transformer and ConvNeXt widths on the installed packages' own models
(default weights, nothing downloaded): whole attention heads and FFN hidden
widths gated, about half of every gate pruned at random, the compact model's
eval output equal to the gated one, and ``space.macs()`` equal to
mmengine.analysis' count (attention products included) of the full and of
the compact model.
"""
import warnings

import pytest
import torch
from _helpers import build, export_and_compare, mmengine_macs

import pas_mm.models.utils.head_adapters  # noqa: F401 (registers adapters)
from pas_mm.core import build_search_space


def backbone(m, x):
    return m.backbone(x)


def feats(m, x):
    return m.extract_feat(x)


def _proxy(config):
    """A proxy benchmark's classifier (``configs/classification/...``),
    whole."""
    import os.path as osp

    from mmengine.config import Config
    from mmengine.registry import MODELS, init_default_scope
    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    cfg = Config.fromfile(osp.join(repo, 'configs/classification', config))
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model.eval()


def tensor(m, x):
    return m(x, mode='tensor')


CASES = {
    'deit-tiny': dict(
        build=lambda: build('mmpretrain',
                            'deit/deit-tiny_4xb256_in1k.py').backbone,
        shape=(1, 3, 224, 224), heads=12, ffn=12),
    'swin-tiny': dict(
        build=lambda: build('mmpretrain',
                            'swin_transformer/swin-tiny_16xb64_in1k.py'
                            ).backbone,
        shape=(1, 3, 224, 224), heads=12, ffn=12),
    'convnext-tiny': dict(
        build=lambda: build('mmpretrain',
                            'convnext/convnext-tiny_32xb128_in1k.py'
                            ).backbone,
        shape=(1, 3, 224, 224), heads=0, ffn=18),
    'proxy-vit-e96-d6': dict(
        build=lambda: _proxy('vit/vit-e96-d6-p4_1xb64-30e_proxy-cls.py'),
        run=tensor, shape=(1, 3, 32, 32), heads=6, ffn=6),
    'proxy-swin-e48-d222': dict(
        build=lambda: _proxy(
            'swin/swin-e48-d222-p2-w4_1xb64-30e_proxy-cls.py'),
        run=tensor, shape=(1, 3, 32, 32), heads=6, ffn=6),
    'mask-rcnn-swin-tiny': dict(
        build=lambda: build('mmdet',
                            'swin/mask-rcnn_swin-t-p4-w7_fpn_1x_coco.py',
                            no_pretrained=True),
        run=feats, shape=(1, 3, 128, 128), heads=12, ffn=12,
        space=dict(scope=['backbone', 'neck'])),
}


def plain(m, x):
    return m(x)


@pytest.mark.parametrize('name', list(CASES))
def test_heads_and_ffn_widths_export_exactly(name):
    case = CASES[name]
    model = case['build']()
    run = case.get('run', plain)
    x = torch.randn(case['shape'], generator=torch.Generator().manual_seed(1))
    full = mmengine_macs(model, run, x)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        space = build_search_space(model, (x, ), forward_fn=run,
                                   **case.get('space', {}))
    heads = [n for n, g in space.gates.items() if g.unit > 1]
    assert len(heads) == case['heads'], heads
    assert len(space.gates) - len(heads) >= case['ffn']
    assert abs(space.full_macs - full) / full <= 0.01, (space.full_macs, full)
    compact, spec, diff, macs = export_and_compare(space, lambda m: run(m, x))
    assert diff <= 1e-4, diff
    counted = mmengine_macs(compact, run, x)
    assert abs(macs - counted) / counted <= 0.01, (macs, counted)
    assert spec['macs']['ratio'] < 0.8
    unmodelled = [str(w.message) for w in caught
                  if 'no gate changes' in str(w.message)]
    print(f'\n{name}: gates {len(space.gates)} ({len(heads)} head gates), '
          f'max rel diff {diff:.2e}, full MACs {space.full_macs / 1e9:.4f}G '
          f'vs mmengine {full / 1e9:.4f}G, compact {macs / 1e9:.4f}G vs '
          f'{counted / 1e9:.4f}G; {unmodelled or "no unmodelled warning"}')
