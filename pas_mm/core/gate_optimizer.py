"""PaS's own update rule for the gate latents: scale-free and budget-seeking.

The toolkit optimizer (SGD, AdamW, Adam, ...) keeps training the weights.
The gate latents get the gradient of the same joint loss (task loss +
``weight * (MACs ratio - target)^2``, binary forward, straight-through
backward), but are moved by this rule instead, called once per optimizer
step after the backward (so after DDP's all-reduce and AMP's unscale):

1. **Normalised step.** The latents' gradient is divided by its RMS over all
   gates, smoothed by momentum, and applied with a step in latent units
   (default ``lr = 1.5 / search_steps``, cosine-decayed to a tenth). Neither
   the net's size (a channel's MACs share, hence its budget gradient, is
   ~1/#channels) nor the loss scale nor the toolkit's optimizer sets how far
   a latent moves. The relative size of the gradients, which ranks the
   channels, is kept; a per-element rule such as Adam's would move every
   latent at the same speed and switch whole layers off at once.
2. **Adaptive budget weight.** At the first step the weight is calibrated so
   that the budget term's gradient has the task term's RMS; then
   ``log(weight)`` grows while the MACs ratio is off the target by more than
   ``band`` (relative) and decays slowly inside it (integral control), so
   the ratio reaches the target whatever the task gradient's scale.
3. Latents are kept in [0, 1]: a switched-off channel is never more than 0.5
   away from coming back, as the straight-through gradient may ask.
"""
import math
from typing import Dict, Optional

import torch

from .errors import BudgetError


class GateOptimizer:
    """Moves the gate latents of a search space; see the module docstring.

    Args:
        space (SearchSpace): the search space whose gates are moved.
        target_ratio (float): the MACs ratio to reach.
        total_steps (int): optimizer steps in the search (sets the lr).
        weight (float): the budget weight before calibration. Default: 5.0.
        mode (str): ``'two-sided'`` or ``'hinge'`` (only excess MACs count).
            Default: ``'two-sided'``.
        lr (float, optional): latent units per step at the start; None means
            ``1.5 / total_steps``. Default: None.
        momentum (float): EMA factor of the normalised gradient.
            Default: 0.5.
        adapt_weight (bool): calibrate and adapt the budget weight; False
            keeps ``weight`` fixed (the original PaS). Default: True.
        adapt_rate (float): growth of ``log(weight)`` over the whole search
            per unit of relative gap. Default: 20.0.
        band (float): relative gap inside which the weight decays instead of
            growing. Default: 0.02.
    """

    def __init__(self, space, target_ratio: float, total_steps: int,
                 weight: float = 5.0, mode: str = 'two-sided',
                 lr: Optional[float] = None, momentum: float = 0.5,
                 adapt_weight: bool = True, adapt_rate: float = 20.0,
                 band: float = 0.02, final_lr_ratio: float = 0.1):
        if int(total_steps) < 1:
            raise BudgetError(f'the gate optimizer needs total_steps >= 1, '
                              f'got {total_steps!r}')
        if lr is not None and not lr > 0:
            raise BudgetError(f'gate lr must be > 0, got {lr!r}')
        if not 0 <= momentum < 1:
            raise BudgetError(f'gate momentum must be in [0, 1), got '
                              f'{momentum!r}')
        self.space = space
        self.target_ratio = float(target_ratio)
        self.mode = mode
        self.total_steps = int(total_steps)
        self.base_lr = float(lr) if lr is not None else 1.5 / total_steps
        self.momentum = float(momentum)
        self.adapt_weight = bool(adapt_weight)
        self.adapt_rate = float(adapt_rate)
        self.band = float(band)
        self.final_lr_ratio = float(final_lr_ratio)
        self.weight = float(weight)
        self.steps = 0
        self._avg: Dict[str, torch.Tensor] = {}

    # ----------------------------------------------------------- helpers
    def gap(self, ratio: float) -> float:
        gap = ratio - self.target_ratio
        return max(gap, 0.0) if self.mode == 'hinge' else gap

    def lr(self) -> float:
        """Cosine from ``base_lr`` to ``final_lr_ratio`` of it."""
        t = min(self.steps / self.total_steps, 1.0)
        low = self.final_lr_ratio
        cosine = (1 + math.cos(math.pi * t)) / 2
        return self.base_lr * (low + (1 - low) * cosine)

    def _ratio_and_direction(self, names):
        """Cost ratio (MACs or latency) and its gradient w.r.t. the latents
        (no data)."""
        latents = [self.space.gates[n].latent for n in names]
        with torch.enable_grad():
            macs = self.space.cost()
            grads = torch.autograd.grad(macs, latents, allow_unused=True)
        full = self.space.full_cost
        return float(macs.detach()) / full, [
            torch.zeros_like(t) if g is None else g / full
            for g, t in zip(grads, latents)]

    # ----------------------------------------------------------- step
    @torch.no_grad()
    def step(self) -> bool:
        """Apply one update from the latents' ``.grad`` and clear it.

        Returns False (nothing moved) when no gate has a gradient or the
        gradient is not finite (e.g. an fp16 overflow step).
        """
        names = [n for n, g in self.space.gates.items()
                 if g.latent.requires_grad and g.latent.grad is not None]
        if not names:
            return False
        grads = [self.space.gates[n].latent.grad.float() for n in names]
        flat = torch.cat([g.flatten() for g in grads])
        for n in names:
            self.space.gates[n].latent.grad = None  # the toolkit skips them
        if not torch.isfinite(flat).all():
            return False
        if self.adapt_weight and self.steps == 0:
            # the MACs gradient is needed once, to calibrate the weight
            ratio, direction = self._ratio_and_direction(names)
            self._calibrate(flat, direction, self.gap(ratio))
        else:
            ratio = self.space.cost_ratio()
        gap = self.gap(ratio)
        rms = flat.pow(2).mean().sqrt().clamp_min(1e-20)
        lr = self.lr()
        steps = {}
        for n, g in zip(names, grads):
            avg = self._avg.get(n)
            if avg is None or avg.shape != g.shape:
                avg = torch.zeros_like(g)
            avg.mul_(self.momentum).add_(g / rms, alpha=1 - self.momentum)
            self._avg[n] = avg
            steps[n] = lr * avg
        self._move(steps, ratio)
        if self.adapt_weight:
            self._adapt(gap)
        self.steps += 1
        return True

    def _apply(self, start, steps, scale):
        for n, step in steps.items():
            latent = self.space.gates[n].latent
            latent.copy_(start[n] - scale * step.to(latent.dtype))
            latent.clamp_(0.0, 1.0)
        self.space.apply_floor()
        return self.space.cost_ratio()

    def _move(self, steps, ratio):
        """Apply the step; if it would carry the MACs ratio across the
        target and more than ``band`` beyond it, shrink it (bisection on
        one scale) so that it stops near the target. Channels of a group
        share one budget gradient and would otherwise switch off together;
        the shrunk step lets the ones the gradient ranks first go first."""
        start = {n: self.space.gates[n].latent.detach().clone()
                 for n in steps}
        target, tol = self.target_ratio, self.band * self.target_ratio
        new = self._apply(start, steps, 1.0)
        if (new - target) * (ratio - target) >= 0 or abs(new - target) <= tol:
            return
        lo, hi = 0.0, 1.0  # lo: not past the band; hi: past it
        for _ in range(12):
            mid = (lo + hi) / 2
            r = self._apply(start, steps, mid)
            if (r - target) * (ratio - target) >= 0 or abs(r - target) <= tol:
                lo = mid
            else:
                hi = mid
        self._apply(start, steps, lo)

    def _adapt(self, gap):
        """Integral control: ``log(weight)`` grows with the relative gap
        while it exceeds ``band`` and decays slowly inside it."""
        rel = abs(gap) / self.target_ratio
        rate = self.adapt_rate / self.total_steps
        grow = math.sqrt(min(rel, 1.0)) if rel > self.band else -self.band
        self.weight *= math.exp(rate * grow)

    def _calibrate(self, flat, direction, gap):
        """Budget-term gradient RMS := task-term gradient RMS."""
        d = torch.cat([x.flatten().float() for x in direction])
        budget = 2 * self.weight * gap * d
        task = flat - budget
        d_rms = float(d.pow(2).mean().sqrt())
        t_rms = float(task.pow(2).mean().sqrt())
        floor_gap = max(abs(gap), self.band * self.target_ratio)
        if d_rms > 0 and t_rms > 0:
            self.weight = t_rms / (2 * floor_gap * d_rms)

    # ----------------------------------------------------------- state
    def state_dict(self) -> dict:
        return dict(weight=self.weight, steps=self.steps,
                    base_lr=self.base_lr, total_steps=self.total_steps,
                    avg={n: t.clone() for n, t in self._avg.items()})

    def load_state_dict(self, state: dict) -> None:
        self.weight = float(state['weight'])
        self.steps = int(state['steps'])
        self.base_lr = float(state['base_lr'])
        self.total_steps = int(state['total_steps'])
        self._avg = {n: t.clone() for n, t in state.get('avg', {}).items()}
