"""Applying one gate step within limits on the cost ratio it leads to.

The gate rule proposes a step per latent; ``move_within`` applies as much
of it as keeps the search space's cost ratio ``inside`` (a predicate the
rule sets: stop near the target, stay within a swing of it). It shrinks
the step by one scale and, where the ratio jumps between two scales
(latents with equal steps crossing the threshold together), lets the
crossings through one by one in the order of their steps.
"""
from typing import Callable, Dict, Tuple

import torch

Steps = Dict[str, torch.Tensor]


def latent_gradients(space):
    """(names, gates, gradients) of the gates whose latent got a gradient
    this step, each gradient divided by its gate's unit (one channel's
    share); None when no gate got one."""
    names = [n for n, g in space.gates.items()
             if g.latent.requires_grad and g.latent.grad is not None]
    if not names:
        return None
    gates = [space.gates[n] for n in names]
    return names, gates, [g.latent.grad.float() / g.unit for g in gates]


def move_within(space, start: Steps, steps: Steps,
                inside: Callable[[float], bool],
                bounds: Tuple[float, float]) -> float:
    """Apply ``start - scale * steps`` (clamped to ``bounds``, floor
    re-applied) with the largest scale whose ratio is ``inside``.

    Returns:
        float: the scale of the step applied.
    """
    mover = _Mover(space, start, steps, bounds)
    if inside(mover.apply(1.0)):
        return 1.0
    lo, hi = 0.0, 1.0  # lo: inside; hi: not
    for _ in range(12):
        mid = (lo + hi) / 2
        if inside(mover.apply(mid)):
            lo = mid
        else:
            hi = mid
    mover.split_jump(lo, hi, inside)
    return lo


class _Mover:

    def __init__(self, space, start, steps, bounds):
        self.space, self.start, self.steps = space, start, steps
        self.low, self.high = bounds

    def latents_at(self, scale, name):
        step = self.steps[name]
        latent = self.space.gates[name].latent
        return (self.start[name] - scale * step.to(latent.dtype)).clamp(
            self.low, self.high)

    def apply(self, scale) -> float:
        for n in self.steps:
            self.space.gates[n].latent.copy_(self.latents_at(scale, n))
        self.space.apply_floor()
        return self.space.cost_ratio()

    def split_jump(self, lo, hi, inside):
        """Between ``lo`` and ``hi`` the ratio may jump past the limit when
        latents with (near-)equal steps cross together (a group whose
        channels share one gradient): let the first of them cross, in
        the order of their steps (ties by position), as many as stay
        inside. Without this a tied group stalls the search there."""
        at_hi = {n: self.latents_at(hi, n) for n in self.steps}
        at_lo = {n: self.latents_at(lo, n) for n in self.steps}
        crossed = []
        for n, step in self.steps.items():
            thr = self.space.gates[n].threshold
            flips = ((at_lo[n] > thr) != (at_hi[n] > thr)).flatten()
            size = step.detach().flatten().abs().float()
            crossed += [(-float(size[i]), i / len(size), n, i)
                        for i in flips.nonzero().flatten().tolist()]
        # equal steps: by relative position, so that tied groups take
        # turns rather than the first-named one going all at once
        crossed.sort()

        def state(m):
            for n in self.steps:
                self.space.gates[n].latent.copy_(at_lo[n])
            for _, _, n, i in crossed[:m]:
                self.space.gates[n].latent.view(-1)[i] = \
                    at_hi[n].view(-1)[i]
            self.space.apply_floor()
            return self.space.cost_ratio()

        good, bad = 0, len(crossed)  # state(0) is inside, state(all) not
        while bad - good > 1:
            mid = (good + bad) // 2
            if inside(state(mid)):
                good = mid
            else:
                bad = mid
        state(good)
