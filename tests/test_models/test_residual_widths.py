"""Residual widths (``prune_residual=True``) on timm's and mmpretrain's own
DeiT-tiny, Swin-T and ConvNeXt-T, and on the proxy ViT and Swin (default
weights, nothing downloaded): the embedding / stage widths become gate
groups, about half of every gate is pruned at random, the compact model's
output equals the gated one and ``space.macs()`` equals mmengine.analysis'
count of the full and of the compact model.
"""
import warnings

import pytest
import torch
from _helpers import build, export_and_compare, mmengine_macs
from test_transformer_widths import _proxy, plain, tensor

import pas_mm.models.utils  # noqa: F401 (registers the adapters)
from pas_mm.core import build_search_space


def _timm(name, **kwargs):
    def make():
        import timm
        torch.manual_seed(0)
        return timm.create_model(name, pretrained=False, num_classes=10,
                                 **kwargs)
    return make


def _mmpretrain(config):
    def make():
        torch.manual_seed(0)
        return build('mmpretrain', config)
    return make


# stream: the residual groups (gates fed by more than two producers)
CASES = {
    'timm-deit-tiny': dict(build=_timm('deit_tiny_patch16_224', img_size=64),
                           shape=(2, 3, 64, 64), streams=1,
                           params={'cls_token', 'pos_embed'}),
    'timm-deit3-small': dict(  # layer scales; position embedding first
        build=_timm('deit3_small_patch16_224', img_size=64),
        shape=(2, 3, 64, 64), streams=1,
        params={'cls_token', 'pos_embed', 'gamma'}),
    'timm-swin-tiny': dict(
        build=_timm('swin_tiny_patch4_window7_224', img_size=64,
                    window_size=4),
        shape=(2, 3, 64, 64), streams=4, params=set()),
    'timm-convnext-tiny': dict(build=_timm('convnext_tiny'),
                               shape=(2, 3, 64, 64), streams=4,
                               params={'gamma'}),
    'mmpretrain-deit-tiny': dict(
        build=_mmpretrain('deit/deit-tiny_4xb256_in1k.py'), run=tensor,
        shape=(1, 3, 224, 224), streams=1, params={'cls_token', 'pos_embed'}),
    # mmcv's PatchMerging folds 2x2 neighbours with nn.Unfold, channel-major:
    # only the last stage's width is free
    'mmpretrain-swin-tiny': dict(
        build=_mmpretrain('swin_transformer/swin-tiny_16xb64_in1k.py'),
        run=tensor, shape=(1, 3, 224, 224), streams=1, params=set()),
    'mmpretrain-convnext-tiny': dict(
        build=_mmpretrain('convnext/convnext-tiny_32xb128_in1k.py'),
        run=tensor, shape=(1, 3, 128, 128), streams=4, params={'gamma'}),
    'proxy-vit-e96-d6-h4': dict(
        build=lambda: _proxy('vit/vit-e96-d6-h4-p4_1xb64-100e_proxy-cls.py'),
        run=tensor, shape=(2, 3, 32, 32), streams=1,
        params={'cls_token', 'pos_embed'}),
}


@pytest.mark.parametrize('name', list(CASES))
def test_residual_widths_export_exactly(name):
    case = CASES[name]
    model = case['build']()
    model.eval()  # some backbones' train() returns None
    with torch.no_grad():  # non-trivial norms, tokens and scales
        gen = torch.Generator().manual_seed(0)
        for key, p in model.named_parameters():
            if p.dim() == 1 or 'token' in key or 'pos_embed' in key:
                p.add_(torch.randn(p.shape, generator=gen) * 0.2)
    run = case.get('run', plain)
    x = torch.randn(case['shape'], generator=torch.Generator().manual_seed(1))
    full = mmengine_macs(model, run, x[:1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        space = build_search_space(model, (x[:1], ), forward_fn=run,
                                   prune_residual=True)
    macs_warnings = [str(w.message) for w in caught
                     if 'FlopCounterMode' in str(w.message)]
    assert not macs_warnings, macs_warnings
    streams = [n for n, g in space.groups.items() if len(g.producers) > 2]
    assert len(streams) == case['streams'], streams
    params = {p.attr for p in space.graph.channel_params}
    assert params == case['params'], params
    assert abs(space.full_macs - full) / full <= 0.01, (space.full_macs, full)
    compact, spec, diff, macs = export_and_compare(space, lambda m: run(m, x))
    assert diff <= 1e-4, diff
    for stream in streams:
        assert spec['groups'][stream]['kept'] < \
            spec['groups'][stream]['channels']
    counted = mmengine_macs(compact, run, x[:1])
    assert abs(macs - counted) / counted <= 0.01, (macs, counted)
