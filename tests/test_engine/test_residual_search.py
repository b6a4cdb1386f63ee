"""A residual-width search through the Runner and PaSSearchHook
(``prune_residual=True``): the embedding width is a gate group, the search
reaches its target and exports in place, and a model gated mid-search
exports exactly."""
import json

import torch
from _toy_runner import ToyData, ToyViT, make_runner

from pas_mm.core import export
from pas_mm.core.compact.export import max_rel_diff
from pas_mm.engine import PaSSearchHook


def _inputs():
    return torch.stack([ToyData()[i]['inputs'] for i in range(8)])


def test_residual_width_search_reaches_its_target_and_exports(tmp_path):
    hook = PaSSearchHook(search_iters=30, export_after_search=True)
    runner = make_runner(tmp_path, hook, 34, architecture=ToyViT(),
                         pas=dict(prune_residual=True))
    assert 'patch' in runner.model.space.gates  # the residual stream
    runner.train()
    spec = json.load(open(tmp_path / 'pas_search' / 'width_spec.json'))
    assert spec['prune_residual'] is True
    assert abs(spec['search_end_ratio'] / 0.5 - 1) <= 0.1, spec
    stream = spec['groups']['patch']
    assert stream['kept'] < stream['channels']
    # exported in place at the end of the search: the norms, tokens and
    # head are as wide as the kept stream, and it fine-tuned on
    arch = runner.model.architecture
    assert arch.norm.normalized_shape == (stream['kept'], )
    assert arch.cls_token.shape[-1] == arch.fc.in_features == stream['kept']
    assert arch.pos_embed.shape[-1] == stream['kept']
    with torch.no_grad():
        assert torch.isfinite(arch.eval()(_inputs())).all()


def test_a_model_gated_mid_search_exports_exactly(tmp_path):
    runner = make_runner(tmp_path, PaSSearchHook(search_iters=30), 15,
                         architecture=ToyViT(),
                         pas=dict(prune_residual=True))
    runner.train()  # stops mid-search, gates still moving
    space = runner.model.space
    assert space.gates['patch'].kept_indices().numel() < 32
    model = runner.model.architecture.eval()
    x = _inputs()
    with torch.no_grad():
        gated = model(x)
        compact, _ = export(space)
        assert max_rel_diff(gated, compact(x)) <= 1e-4
