"""Residual widths (``prune_residual``): LayerNorms over a searched group
take their statistics over the kept channels, class / position tokens and
layer scales are sliced with the group, and Swin's patch merging repeats
it; the compact model equals the gated one, and the default is unchanged.
"""
import warnings

import torch
import torch.nn.functional as F
from _helpers import export_and_compare, mmengine_macs, prune_randomly
from torch import nn

from pas_mm.core import apply_width_spec, build_search_space
from pas_mm.core.compact.export import max_rel_diff
from pas_mm.core.search.masked_norm import masked_layer_norm
from pas_mm.core.trace.tracer import trace_channels


class Block(nn.Module):
    """A pre-norm transformer block with a layer scale."""

    def __init__(self, dim):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.Linear(dim, dim)  # token-wise stand-in
        self.norm2 = nn.LayerNorm(dim)
        self.fc1, self.fc2 = nn.Linear(dim, 2 * dim), nn.Linear(2 * dim, dim)
        self.gamma = nn.Parameter(torch.rand(dim) + 0.5)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x)))) * self.gamma


class TinyViT(nn.Module):
    """Patch embedding, class token, position embedding, two blocks, final
    norm, class-token head."""

    def __init__(self, dim=24, classes=5):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, 4, 4)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, 17, dim))
        self.blocks = nn.ModuleList(Block(dim) for _ in range(2))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1)
        x = x + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x)[:, 0])


class PatchMerging(nn.Module):
    """Swin's: 2x2 neighbours into the channels, then norm and reduce."""

    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(4 * dim)
        self.reduction = nn.Linear(4 * dim, 2 * dim)

    def forward(self, x):
        b, h, w, c = x.shape
        x = x.reshape(b, h // 2, 2, w // 2, 2, c).permute(0, 1, 3, 4, 2, 5)
        return self.reduction(self.norm(x.flatten(3)))


class TinySwin(nn.Module):
    def __init__(self, dim=8):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, 2, 2)
        self.norm0 = nn.LayerNorm(dim)
        self.fc = nn.Linear(dim, dim)
        self.merge = PatchMerging(dim)
        self.norm = nn.LayerNorm(2 * dim)
        self.head = nn.Linear(2 * dim, 3)

    def forward(self, x):
        x = self.norm0(self.patch(x).permute(0, 2, 3, 1))
        x = x + self.fc(x)
        return self.head(self.norm(self.merge(x)).mean((1, 2)))


def _randomise(model):
    torch.manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() == 1:
                p.add_(torch.randn_like(p) * 0.3)


def _space(model, x, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return build_search_space(model, (x, ), **kwargs)


def test_masked_layer_norm_is_the_layer_norm_of_the_kept_channels():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(3, 5, 16, generator=gen) * 3 + 1
    w, b = torch.randn(16, generator=gen), torch.randn(16, generator=gen)
    mask = (torch.rand(16, generator=gen) > 0.5).float()
    keep = mask.nonzero().flatten()
    out = masked_layer_norm(x, mask, w, b, 1e-5)
    ref = F.layer_norm(x[..., keep], (keep.numel(), ), w[keep], b[keep])
    assert torch.allclose(out[..., keep], ref, atol=1e-5)
    full = masked_layer_norm(x, torch.ones(16), w, b, 1e-5)
    assert torch.allclose(full, F.layer_norm(x, (16, ), w, b), atol=1e-5)


def test_the_residual_stream_stays_pinned_by_default():
    model = TinyViT().eval()
    graph = trace_channels(model, torch.randn(1, 3, 16, 16))
    stream = [r for r in graph.roots() if 'patch' in r.producers]
    assert stream and stream[0].pinned  # the class token's cat
    norm = [r for r in graph.roots() if any(
        'layer_norm over channels' in p for p in r.pinned)]
    assert norm, 'the LayerNorms pin the stream'
    assert not graph.channel_params and not graph.prune_residual


def test_vit_residual_width_exports_exactly_with_tokens_and_scales():
    model = TinyViT().eval()
    _randomise(model)
    x = torch.randn(2, 3, 16, 16)
    full = mmengine_macs(model, lambda m, t: m(t), x[:1])
    space = _space(model, x[:1], prune_residual=True)
    stream = space.gates['patch']
    assert len(space.groups['patch'].producers) == 5  # patch + 2 x 2
    params = {(p.module, p.attr, p.dim)
              for p in space.graph.channel_params}
    assert params == {('', 'cls_token', 2), ('', 'pos_embed', 2),
                      ('blocks.0', 'gamma', 0), ('blocks.1', 'gamma', 0)}
    assert abs(space.full_macs - full) / full <= 0.01
    compact, spec, diff, macs = export_and_compare(space, lambda m: m(x))
    kept = int(spec['groups']['patch']['kept'])
    assert 0 < kept < stream.num_channels
    assert diff <= 1e-4, diff
    assert compact.norm.normalized_shape == (kept, )
    assert compact.cls_token.shape == (1, 1, kept)
    assert compact.pos_embed.shape == (1, 17, kept)
    assert compact.blocks[1].gamma.shape == (kept, )
    assert compact.head.in_features == kept
    counted = mmengine_macs(compact, lambda m, t: m(t), x[:1])
    assert abs(macs - counted) / counted <= 0.01, (macs, counted)
    assert spec['prune_residual'] is True


def test_a_width_spec_with_residual_widths_rebuilds_the_compact_model():
    model = TinyViT().eval()
    _randomise(model)
    fresh = TinyViT().eval()
    fresh.load_state_dict(model.state_dict())
    x = torch.randn(2, 3, 16, 16)
    _, spec, _, _ = export_and_compare(
        _space(model, x[:1], prune_residual=True), lambda m: m(x))
    rebuilt = apply_width_spec(fresh, spec)
    with torch.no_grad():
        assert max_rel_diff(model(x), rebuilt(x)) <= 1e-6


def test_swin_patch_merging_repeats_the_stage_group():
    model = TinySwin().eval()
    _randomise(model)
    x = torch.randn(2, 3, 8, 8)
    space = _space(model, x[:1], prune_residual=True)
    assert 'patch' in space.gates  # the stage width, through the merge
    compact, spec, diff, macs = export_and_compare(space, lambda m: m(x))
    kept = spec['groups']['patch']['kept']
    assert diff <= 1e-4, diff
    assert compact.merge.norm.normalized_shape == (4 * kept, )
    assert compact.merge.reduction.in_features == 4 * kept
    counted = mmengine_macs(compact, lambda m, t: m(t), x[:1])
    assert abs(macs - counted) / counted <= 0.01, (macs, counted)


class FunctionalNorm(nn.Module):
    """F.layer_norm outside a LayerNorm module: its width is a constant."""

    def __init__(self, dim=8):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(dim, dim), nn.Linear(dim, dim)

    def forward(self, x):
        h = self.fc1(x)
        return self.fc2(F.layer_norm(h, (h.shape[-1], )))


def test_layer_norm_outside_a_layer_norm_module_stays_pinned():
    graph = trace_channels(FunctionalNorm().eval(), torch.randn(1, 8),
                           prune_residual=True)
    group = [r for r in graph.roots() if 'fc1' in r.producers][0]
    assert any('not called by a LayerNorm module' in r
               for r in group.pinned), group.pinned


def test_gate_gradients_reach_the_statistics():
    model = TinyViT().train()
    _randomise(model)
    space = _space(model, torch.randn(1, 3, 16, 16), prune_residual=True)
    prune_randomly(space, keep=0.7)
    model(torch.randn(2, 3, 16, 16)).square().sum().backward()
    latent = space.gates['patch'].latent
    assert latent.grad is not None and latent.grad.abs().sum() > 0


def test_models_without_layer_norms_are_unchanged():
    """A CNN's groups do not depend on the setting."""
    from torchvision.models import resnet18
    x = torch.randn(1, 3, 32, 32)
    torch.manual_seed(0)
    with_it = _space(resnet18(num_classes=4).eval(), x, prune_residual=True)
    without = _space(resnet18(num_classes=4).eval(), x)
    assert sorted(with_it.gates) == sorted(without.gates)
    assert with_it.full_macs == without.full_macs


def test_pytorchs_second_count_agrees_on_blocks_in_a_module_list():
    """A ModuleList is never called, so FlopCounterMode has no count of its
    own for it: the blocks' counts belong to the model, not twice to the
    top level (this warned -50 % on every ViT)."""
    from pas_mm.core.cost.macs_check import macs_disagreements
    x = torch.randn(1, 3, 16, 16)
    for prune_residual in (False, True):
        space = _space(TinyViT().eval(), x, prune_residual=prune_residual)
        assert macs_disagreements(space, x) == []
