"""End-of-search cuts ranked by the task evidence a search recorded.

The default end of a search shifts every latent by one scalar until the
cost meets the budget (``SearchSpace.project_to_budget``): the ranking is
the latents' own, which mixes what the task and the cost did to them. An
evidence cut ranks the width decisions by what the task said about them
over the whole search, and meets the target the same way (one threshold
over the ranks, floors kept):

- ``'evidence'``: each latent's gain, the first-order loss increase of
  switching it off, averaged over the search: ``-mean(d loss / d mask)``
  (the task part of its gradient, which an off gate still receives).
  Ranked globally; the cost enters only as the constraint, as in a
  magnitude cut.
- ``'evidence-per-mac'``: that gain per unit of the latent's marginal
  cost at full width: the greedy order of the knapsack "most evidence
  within the budget".
- ``'evidence-rms'`` and ``'evidence-rms-per-mac'``: the same with the
  root mean square of the task gradient in place of its mean (the
  accumulated squared Taylor term of Molchanov et al. 2019). A channel
  the weights rely on can have a mean near 0: where the weights sit at a
  stationary point of the loss, the first-order effect of scaling a
  channel averages out, while its spread over batches does not.
"""
from typing import Dict

import torch

CUTS = ('projection', 'evidence', 'evidence-per-mac', 'evidence-rms',
        'evidence-rms-per-mac')


def evidence_gain(recorder, space,
                  rms: bool = False) -> Dict[str, torch.Tensor]:
    """Per gate, per latent: ``-mean`` task gradient over the search, or
    its root mean square (``rms``); 0 for a latent never recorded."""
    gains = {}
    for name, gate in space.gates.items():
        stats = recorder.stats.get(name)
        if stats is None:
            gains[name] = torch.zeros_like(gate.latent.detach(),
                                           dtype=torch.float64)
            continue
        n = stats['n'].clamp_min(1)
        gain = (stats['sumsq'] / n).sqrt() if rms else -stats['sum'] / n
        gains[name] = gain.to(gate.latent.device).view_as(gate.latent)
    return gains


def marginal_unit_cost(space) -> Dict[str, torch.Tensor]:
    """Per gate, per latent: d cost / d latent at full width (what keeping
    one more unit costs, in the space's attribution)."""
    saved = {n: (g.latent.detach().clone(), g.latent.requires_grad)
             for n, g in space.gates.items()}
    try:
        with torch.no_grad():
            for gate in space.gates.values():
                gate.latent.fill_(1.0)
        latents = [g.latent.requires_grad_(True)  # frozen at the end
                   for g in space.gates.values()]
        with torch.enable_grad():
            grads = torch.autograd.grad(space.cost(), latents,
                                        allow_unused=True)
    finally:
        with torch.no_grad():
            for n, g in space.gates.items():
                g.latent.copy_(saved[n][0])
                g.latent.requires_grad_(saved[n][1])
    return {n: torch.zeros_like(g.latent) if d is None else d.detach()
            for (n, g), d in zip(space.gates.items(), grads)}


def rank_scores(space, scores: Dict[str, torch.Tensor]) -> None:
    """Write each latent's global rank by ``scores`` into the latents,
    scaled to (0, 1]: the projection's one threshold then keeps the
    top-ranked units."""
    names = list(space.gates)
    flat = torch.cat([scores[n].flatten().double().cpu() for n in names])
    # ties by position, so that the cut is deterministic
    order = torch.argsort(flat, stable=True)
    ranks = torch.empty_like(flat)
    ranks[order] = torch.arange(1, flat.numel() + 1, dtype=flat.dtype)
    ranks /= flat.numel()
    with torch.no_grad():
        start = 0
        for n in names:
            latent = space.gates[n].latent
            count = latent.numel()
            latent.copy_(ranks[start:start + count].view_as(latent)
                         .to(latent))
            start += count


def evidence_scores(cut: str, recorder, space) -> Dict[str, torch.Tensor]:
    """The scores an evidence cut ranks by (see the module docstring)."""
    gains = evidence_gain(recorder, space, rms=cut.startswith('evidence-rms'))
    if not cut.endswith('-per-mac'):
        return gains
    costs = marginal_unit_cost(space)
    return {n: gains[n] / costs[n].double().clamp_min(1e-12)
            for n in gains}
