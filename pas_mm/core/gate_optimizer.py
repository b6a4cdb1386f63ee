"""PaS's own update rule for the gate latents: scale-free and budget-seeking.

The toolkit optimizer (SGD, AdamW, Adam, ...) keeps training the weights.
The gate latents get the gradient of the same joint loss (task loss +
``weight * (MACs ratio - target)^2``, binary forward, straight-through
backward), but are moved by this rule instead, called once per optimizer
step after the backward (so after DDP's all-reduce and AMP's unscale):

1. **Normalised step.** The latents' gradient is divided by its RMS over the
   latents that can still move, smoothed by momentum, and applied with a
   step in latent units (default ``lr = 1.5 / search_steps``,
   cosine-decayed to a tenth). Neither the net's size (a channel's MACs
   share, hence its budget gradient, is ~1/#channels) nor the loss scale
   nor the toolkit's optimizer sets how far a latent moves. The relative
   size of the gradients, which ranks the channels, is kept; a per-element
   rule such as Adam's would move every latent at the same speed and switch
   whole layers off at once.

   - A latent of ``unit`` channels (an attention head) sums its channels'
     gradients; it is divided by ``unit``, so that a head moves at the
     speed of its channels' mean, not 32x faster than a channel.
   - Latents that cannot move leave the RMS: those clamped at 0 or 1 and
     pushed further out, and those the floor re-opened after the last step
     (a group's last head, say). Otherwise a few large, blocked gradients
     set the RMS for ever, every other latent barely moves, and raising the
     budget weight cannot help, because it scales both alike (measured: a
     proxy ViT whose 18 head latents went off in 16 steps, after which its
     2 304 FFN latents never moved).
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
        # latents whose last step the floor undid (see ``_movable``)
        self._undone: Dict[str, torch.Tensor] = {}

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
        # per channel, as the task gradient is in ``step``
        units = [self.space.gates[n].unit for n in names]
        return float(macs.detach()) / full, [
            torch.zeros_like(t) if g is None else g / (full * u)
            for g, t, u in zip(grads, latents, units)]

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
        gates = [self.space.gates[n] for n in names]
        grads = [g.latent.grad.float() / g.unit for g in gates]
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
        movable = torch.cat([self._movable(n, g).flatten()
                             for n, g in zip(names, grads)])
        free = flat[movable] if bool(movable.any()) else flat
        rms = free.pow(2).mean().sqrt().clamp_min(1e-20)
        lr = self.lr()
        steps = {}
        for n, g in zip(names, grads):
            avg = self._avg.get(n)
            if avg is None or avg.shape != g.shape:
                avg = torch.zeros_like(g)
            avg.mul_(self.momentum).add_(g / rms, alpha=1 - self.momentum)
            self._avg[n] = avg
            steps[n] = lr * avg
        start = {n: self.space.gates[n].latent.detach().clone()
                 for n in steps}
        scale = self._move(start, steps, ratio)
        self._record_undone(start, steps, scale)
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

    def _movable(self, name, grad):
        """Latents this step can move: not clamped at a bound and pushed
        beyond it, and not put back by the floor after the last step."""
        latent = self.space.gates[name].latent.detach().float()
        blocked = ((latent <= 0) & (grad > 0)) | ((latent >= 1) & (grad < 0))
        undone = self._undone.get(name)
        if undone is not None and undone.shape == blocked.shape:
            blocked |= undone.to(blocked.device)
        return ~blocked

    def _record_undone(self, start, steps, scale):
        """Mark the latents that moved less than half of their step
        (clamped, or re-opened by the floor)."""
        if scale <= 0:
            return  # nothing moved, so nothing was undone
        for n, step in steps.items():
            moved = start[n] - self.space.gates[n].latent.detach()
            want = scale * step.to(moved.dtype)
            self._undone[n] = (want.abs() > 0) & \
                ((moved * want.sign()) < 0.5 * want.abs())

    def _move(self, start, steps, ratio) -> float:
        """Apply the step; if it would carry the MACs ratio across the
        target and more than ``band`` beyond it, shrink it (bisection on
        one scale) so that it stops near the target. Channels of a group
        share one budget gradient and would otherwise switch off together;
        the shrunk step lets the ones the gradient ranks first go first.

        Returns:
            float: the scale of the step applied.
        """
        target, tol = self.target_ratio, self.band * self.target_ratio
        new = self._apply(start, steps, 1.0)
        if (new - target) * (ratio - target) >= 0 or abs(new - target) <= tol:
            return 1.0
        lo, hi = 0.0, 1.0  # lo: not past the band; hi: past it
        for _ in range(12):
            mid = (lo + hi) / 2
            r = self._apply(start, steps, mid)
            if (r - target) * (ratio - target) >= 0 or abs(r - target) <= tol:
                lo = mid
            else:
                hi = mid
        self._apply(start, steps, lo)
        return lo

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
                    avg={n: t.clone() for n, t in self._avg.items()},
                    undone={n: t.clone() for n, t in self._undone.items()})

    def load_state_dict(self, state: dict) -> None:
        self.weight = float(state['weight'])
        self.steps = int(state['steps'])
        self.base_lr = float(state['base_lr'])
        self.total_steps = int(state['total_steps'])
        self._avg = {n: t.clone() for n, t in state.get('avg', {}).items()}
        self._undone = {n: t.clone()
                        for n, t in state.get('undone', {}).items()}
