"""Shared checks: random pruning, equivalence of gated vs compact outputs;
real models built from the installed packages' configs, and their MACs by
mmengine.analysis."""
import os.path as osp
import warnings

import torch
from torch import nn

from pas_mm.core import build_search_space, export
from pas_mm.core.compact.export import max_rel_diff


def prune_randomly(space, seed=0, keep=0.5):
    """Set about ``1 - keep`` of every gate's latents below the threshold."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for gate in space.gates.values():
            # one latent per channel, or per head of a head gate
            u = torch.rand(gate.latent.shape, generator=gen)
            gate.latent.copy_(torch.where(u < keep, 1.0, 0.2))
            if gate.kept_indices().numel() == 0:
                gate.latent[0] = 1.0


def quiet_space(model, x, **kwargs):
    """build_search_space with its warnings (reach, MACs held) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return build_search_space(model, (x, ), **kwargs)


def plain(model, x):
    """Run a model on one tensor (``mmengine_macs``'s ``run``)."""
    return model(x)


def rel_diff(a, b):
    """max |a - b| relative to the output scale (max |a|, at least 1e-6)."""
    return max_rel_diff(a, b)


def export_and_compare(space, run, seed=0, keep=0.5):
    """Prune randomly, export, and return (compact, spec, rel diff, macs)."""
    prune_randomly(space, seed, keep)
    space.model.eval()
    with torch.no_grad():
        gated = run(space.model)
    macs = float(space.macs().detach())
    compact, spec = export(space)
    compact.eval()
    with torch.no_grad():
        out = run(compact)
    return compact, spec, rel_diff(gated, out), macs


def package_config(package, rel):
    from mmengine.config import Config
    mod = __import__(package)
    return Config.fromfile(osp.join(osp.dirname(mod.__file__), '.mim',
                                    'configs', rel))


def build(package, rel, key='model', no_pretrained=False):
    from mmengine.registry import MODELS, init_default_scope
    init_default_scope(package)
    cfg = package_config(package, rel)[key]
    if no_pretrained:  # nothing may be downloaded
        cfg.backbone.init_cfg = None
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    for m in model.modules():  # non-trivial BN statistics
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
            if m.weight is not None:
                m.weight.data.uniform_(0.5, 1.5)
                m.bias.data.uniform_(-0.2, 0.2)
    return model.eval()


class Fn(nn.Module):
    """Wrap ``run(model, x)`` as a module for mmengine's FlopAnalyzer."""

    def __init__(self, model, run):
        super().__init__()
        self.model, self.run = model, run

    def forward(self, x):
        return self.run(self.model, x)


def mmengine_macs(model, run, x):
    """Per-sample MACs by mmengine.analysis (with scaled dot-product
    attention counted: pas_mm.compat.flop_handles)."""
    from mmengine.analysis import FlopAnalyzer

    from pas_mm.compat.flop_handles import add_missing_handles
    analyzer = add_missing_handles(FlopAnalyzer(Fn(model, run), (x, )))
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    return analyzer.total() / x.shape[0]
