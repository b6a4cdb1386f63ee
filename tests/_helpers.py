"""Shared checks: random pruning, equivalence of gated vs compact outputs."""
import torch

from pas_mm.core import export
from pas_mm.core.export import max_rel_diff


def prune_randomly(space, seed=0, keep=0.5):
    """Set about ``1 - keep`` of every gate's latents below the threshold."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for gate in space.gates.values():
            u = torch.rand(gate.num_channels, generator=gen)
            gate.latent.copy_(torch.where(u < keep, 1.0, 0.2))
            if gate.kept_indices().numel() == 0:
                gate.latent[0] = 1.0


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
