"""PaS's own update rule for the gate latents: a scale-free descent to the
budget, then an equilibrium in which the task gradient picks the widths.

The toolkit optimizer (SGD, AdamW, Adam, ...) keeps training the weights.
The gate latents get the gradient of the joint loss (task loss + the rule's
own budget term ``loss()``, binary forward, straight-through backward), but
are moved by this rule, called once per optimizer step after the backward
(so after DDP's all-reduce and AMP's unscale). The rule computes the budget
term it adds, so it splits the latents' gradient exactly into its task and
budget parts (the budget depends on the latents only).

**Descent** (both rules; ``rule='descent'``, the default, stops here):

1. *Normalised step.* The gradient is divided by its RMS over the latents
   that can still move, smoothed by momentum, and applied with a step in
   latent units (default ``lr = 1.5 / search_steps``, cosine-decayed to a
   tenth). Neither the net's size nor the loss scale nor the toolkit's
   optimizer sets how far a latent moves. A head latent's gradient is
   divided by its head size; latents clamped at a bound and pushed beyond
   it, or re-opened by the floor, leave the RMS (else a few blocked
   gradients set it for ever).
2. *Adaptive weight.* At the first step the weight is calibrated so that
   the budget gradient has ``stiffness`` times the task gradient's RMS;
   then
   ``log(weight)`` grows while the ratio is off target by more than
   ``band`` (integral control), so the target is reached whatever the
   task gradient's scale. A step that would cross the target by more than
   the band is shrunk to stop near it.

**Equilibrium** (``rule='equilibrium'``): from the first step at which the
ratio is within ``band`` of the target until the end. On the proxy
ResNet-18-w16 it lost to the descent alone (docs/search_diagnostics.md).

3. *Fixed restoring force.* The weight is set once so that, one band off
   the target, the budget gradient's RMS is ``stiffness`` times the task
   gradient's, and is not adapted again. Near the target the budget
   gradient vanishes, as in the original PaS's fixed-alpha MSE.
4. *Task-driven swaps.* Latents are held in ``[0.5 - hover, 0.5 + hover]``:
   every channel is a few consistent steps from switching either way. The
   step is the momentum (``equilibrium_momentum``) average of the task +
   budget gradient, divided by the task gradient's smoothed RMS, times
   ``equilibrium_lr``; no cosine. A switched-off channel still receives
   the first-order gain of switching it back on; when one comes back the
   ratio rises and the restoring force pushes down the channels whose
   task gradient defends them least per MAC. A step may not take the
   ratio further than ``swing`` from the target (or than it already is).

Where latents with (near-)equal steps would cross the threshold together
and carry the ratio past what a step may reach (a group whose channels
share one gradient), they cross one by one in the order of their steps,
as many as fit.

``use_task_gradient=False`` moves the gates by the budget term alone (the
weights still train on the task): the budget-only control of
``tools/analysis/search_diagnostics.py``.
"""
import math
from typing import Dict, List, Optional

import torch

from ..errors import BudgetError
from .budget import Budget
from .gate_diagnostics import GateDiagnostics
from .gate_steps import latent_gradients, move_within
from .task_signal import TaskSignal

RULES = ('descent', 'equilibrium')
# PaSSearch's other mode: no rule of ours, the optimizer that holds the
# latents moves them at the budget's fixed weight
ORIGINAL = 'original'


class GateOptimizer:
    """Moves the gate latents of a search space; see the module docstring.

    Args:
        space (SearchSpace): the search space whose gates are moved.
        budget (Budget | dict): the target cost ratio (MACs or latency),
            the mode and the weight of ``weight * (ratio - target)^2``:
            fixed without ``adapt_weight``, else only the start, replaced
            at the first step (``pas_mm.core.search.budget``).
        total_steps (int): optimizer steps in the search (sets the lr).
        stiffness (float): with ``adapt_weight``, the budget gradient's RMS
            in units of the task gradient's RMS: at the first step (at the
            gap then) and, in the equilibrium, one band off the target.
            Default: 1.0.
        lr (float, optional): descent step in latent units at the start;
            None means ``1.5 / total_steps``. Default: None.
        momentum (float): EMA factor of the descent's normalised gradient.
            Default: 0.5.
        adapt_weight (bool): calibrate and adapt the weight. Default: True.
        adapt_rate (float): growth of ``log(weight)`` over the whole search
            per unit of relative gap. Default: 20.0.
        band (float): relative gap counted as on target. Default: 0.02.
        final_lr_ratio (float): the descent lr's cosine floor.
            Default: 0.1.
        rule (str): ``'descent'`` or ``'equilibrium'`` (a descent, then
            the equilibrium phase). Default: ``'descent'`` (the equilibrium
            lost to it on the proxy benchmark's val split:
            docs/search_diagnostics.md).
        hover (float): half-width of the latents' box around 0.5 in the
            equilibrium. Default: 0.1.
        equilibrium_lr (float, optional): equilibrium step in latent units
            per unit of normalised gradient; None means ``hover / 5``.
            Default: None.
        equilibrium_momentum (float): EMA factor of the equilibrium's
            gradient (its evidence window). Default: 0.9.
        swing (float): relative gap the equilibrium may reach: a step that
            would leave it is shrunk. Default: 0.05.
        use_task_gradient (bool): False moves the gates by the budget term
            only (a control). Default: True.
        task_signal (str): what the task adds to a step: ``'gradient'``
            (the task gradient) or ``'fisher'`` (its running mean square,
            against the cut); ``pas_mm.core.search.task_signal``.
            Default: ``'gradient'``.
        fisher_momentum (float): the ``'fisher'`` signal's EMA factor.
            Default: 0.9.
        record (bool): keep per-latent diagnostics (task-gradient moments,
            threshold crossings). Default: False.
    """

    def __init__(self, space, budget: Budget, total_steps: int,
                 stiffness: float = 1.0,
                 lr: Optional[float] = None, momentum: float = 0.5,
                 adapt_weight: bool = True, adapt_rate: float = 20.0,
                 band: float = 0.02, final_lr_ratio: float = 0.1,
                 rule: str = 'descent', hover: float = 0.1,
                 equilibrium_lr: Optional[float] = None,
                 equilibrium_momentum: float = 0.9, swing: float = 0.05,
                 use_task_gradient: bool = True,
                 task_signal: str = 'gradient', fisher_momentum: float = 0.9,
                 record: bool = False):
        _check_args(total_steps, lr, momentum, rule, hover, stiffness)
        self.space = space
        self.budget = Budget.from_dict(budget)
        space.set_attribution(self.budget.attribution)
        self.total_steps = int(total_steps)
        self.base_lr = float(lr) if lr is not None else 1.5 / total_steps
        self.momentum = float(momentum)
        self.adapt_weight = bool(adapt_weight)
        self.adapt_rate = float(adapt_rate)
        self.band = float(band)
        self.final_lr_ratio = float(final_lr_ratio)
        self.rule = rule
        self.hover = float(hover)
        self.equilibrium_lr = float(equilibrium_lr) if equilibrium_lr \
            is not None else self.hover / 5
        self.equilibrium_momentum = float(equilibrium_momentum)
        self.swing = float(swing)
        self.use_task_gradient = bool(use_task_gradient)
        self.signal = TaskSignal(task_signal, fisher_momentum)
        self.stiffness = float(stiffness)
        self.weight = self.budget.weight  # the absolute weight of loss()
        self.steps = 0
        self._joined = False  # loss() was called since the last step
        self.phase = 'descent'
        self.equilibrium_step: Optional[int] = None
        self._task_rms: Optional[float] = None
        self._avg: Dict[str, torch.Tensor] = {}
        self._undone: Dict[str, torch.Tensor] = {}
        self.diagnostics = GateDiagnostics() if record else None

    # ----------------------------------------------------------- budget
    @property
    def target_ratio(self) -> float:
        return self.budget.target_ratio

    def gap(self, ratio: float) -> float:
        return self.budget.gap(ratio)

    def loss(self) -> torch.Tensor:
        """The budget term to join to the task loss: ``weight * (cost
        ratio - target)^2`` (fp32; hinge: excess only). The next
        ``step`` takes its gradient out of the latents' gradient to find the
        task's; if it is not joined, the latents' gradient is all task."""
        self._joined = True
        return self.budget.loss(self.space.cost(), self.space.full_cost,
                                self.weight)

    def lr(self) -> float:
        """Descent lr: cosine from ``base_lr`` to ``final_lr_ratio`` of it."""
        t = min(self.steps / self.total_steps, 1.0)
        low = self.final_lr_ratio
        cosine = (1 + math.cos(math.pi * t)) / 2
        return self.base_lr * (low + (1 - low) * cosine)

    def _budget_grads(self, names: List[str], weight: float):
        return self.budget.gradients(self.space, names, weight)

    # ----------------------------------------------------------- step
    @torch.no_grad()
    def step(self) -> bool:
        """Apply one update from the latents' ``.grad`` and clear it.

        Returns False (nothing moved) when no gate has a gradient or the
        gradient is not finite (e.g. an fp16 overflow step).
        """
        found = latent_gradients(self.space)
        if found is None:
            return False
        names, gates, total = found
        for gate in gates:
            gate.latent.grad = None  # the toolkit's optimizer skips them
        if not all(bool(torch.isfinite(t).all()) for t in total):
            return False
        budget = self._budget_grads(names, self.weight)
        task = [t - b for t, b in zip(total, budget.joined)] \
            if self._joined else total
        self._joined = False
        self._track_task_rms(task)
        before = {n: g.latent.detach() > g.threshold
                  for n, g in zip(names, gates)}
        if self.adapt_weight and self.steps == 0:
            self._calibrate(budget.direction, self.gap(budget.ratio))
            budget = self._budget_grads(names, self.weight)
        if self.phase == 'descent' and self.rule == 'equilibrium' and \
                abs(self.gap(budget.ratio)) <= self.band * self.target_ratio:
            self._enter_equilibrium(names, budget.direction)
            budget = self._budget_grads(names, self.weight)
        signal = self.signal(names, task)
        used = [(t if self.use_task_gradient else torch.zeros_like(t)) + b
                for t, b in zip(signal, budget.push)]
        if self.phase == 'equilibrium':
            self._hover_step(names, used, budget.ratio)
        else:
            self._descent_step(names, used, budget.ratio)
        if self.diagnostics is not None:
            self.diagnostics.record(self.space, names, task, before,
                                    self.phase)
        self.steps += 1
        return True

    def _track_task_rms(self, task):
        rms = float(torch.cat([t.flatten() for t in task]).pow(2).mean()
                    .sqrt())
        if rms > 0:
            self._task_rms = rms if self._task_rms is None else \
                0.9 * self._task_rms + 0.1 * rms

    def _descent_step(self, names, grads, ratio):
        flat = torch.cat([g.flatten() for g in grads])
        movable = torch.cat([self._movable(n, g).flatten()
                             for n, g in zip(names, grads)])
        free = flat[movable] if bool(movable.any()) else flat
        rms = free.pow(2).mean().sqrt().clamp_min(1e-20)
        steps = {n: self._smooth(n, g / rms, self.momentum) * self.lr()
                 for n, g in zip(names, grads)}
        start = {n: self.space.gates[n].latent.detach().clone()
                 for n in steps}
        target, tol = self.target_ratio, self.band * self.target_ratio

        def inside(r):  # not carried across the target beyond the band
            return (r - target) * (ratio - target) >= 0 or \
                abs(r - target) <= tol

        scale = move_within(self.space, start, steps, inside,
                            self._bounds())
        self._record_undone(start, steps, scale)
        if self.adapt_weight:
            self._adapt(self.gap(self.space.cost_ratio()))

    def _hover_step(self, names, grads, ratio):
        rms = max(self._task_rms or 0.0, 1e-20)
        steps = {n: self.equilibrium_lr *
                 self._smooth(n, g / rms, self.equilibrium_momentum)
                 for n, g in zip(names, grads)}
        start = {n: self.space.gates[n].latent.detach().clone()
                 for n in steps}
        target, swing = self.target_ratio, self.swing * self.target_ratio
        limit = max(swing, abs(ratio - target))

        def inside(r):  # never further from the target than the swing
            return abs(r - target) <= limit

        move_within(self.space, start, steps, inside, self._bounds())

    def _bounds(self):
        if self.phase == 'equilibrium':
            return 0.5 - self.hover, 0.5 + self.hover
        return 0.0, 1.0

    def _smooth(self, name, normalised, momentum):
        avg = self._avg.get(name)
        if avg is None or avg.shape != normalised.shape:
            avg = torch.zeros_like(normalised)
        avg.mul_(momentum).add_(normalised, alpha=1 - momentum)
        self._avg[name] = avg
        return avg

    def _enter_equilibrium(self, names, direction):
        """Fix the weight (``stiffness`` task RMS one band off target),
        restart the momentum and put every latent in the hover box."""
        if self.adapt_weight:
            d_rms = float(torch.cat([d.flatten() for d in direction])
                          .pow(2).mean().sqrt())
            gap = self.band * self.target_ratio
            if d_rms > 0 and self._task_rms:
                self.weight = self.stiffness * self._task_rms / (
                    2 * gap * d_rms)
        low, high = 0.5 - self.hover, 0.5 + self.hover
        for gate in self.space.gates.values():
            gate.latent.clamp_(low, high)
        self.space.apply_floor()
        self._avg = {}
        self.phase = 'equilibrium'
        self.equilibrium_step = self.steps

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

    def _adapt(self, gap):
        """Integral control: ``log(weight)`` grows with the relative gap
        while it exceeds ``band`` and decays slowly inside it."""
        rel = abs(gap) / self.target_ratio
        rate = self.adapt_rate / self.total_steps
        grow = math.sqrt(min(rel, 1.0)) if rel > self.band else -self.band
        self.weight *= math.exp(rate * grow)

    def _calibrate(self, direction, gap):
        """Budget-gradient RMS := ``stiffness`` x task-gradient RMS at the
        current gap (at least one band)."""
        d_rms = float(torch.cat([x.flatten() for x in direction])
                      .pow(2).mean().sqrt())
        floor_gap = max(abs(gap), self.band * self.target_ratio)
        if d_rms > 0 and self._task_rms:
            self.weight = self.stiffness * self._task_rms / (
                2 * floor_gap * d_rms)

    # ----------------------------------------------------------- state
    def state_dict(self) -> dict:
        state = dict(weight=self.weight, steps=self.steps,
                     base_lr=self.base_lr, total_steps=self.total_steps,
                     phase=self.phase, equilibrium_step=self.equilibrium_step,
                     task_rms=self._task_rms,
                     avg={n: t.clone() for n, t in self._avg.items()},
                     undone={n: t.clone() for n, t in self._undone.items()},
                     signal=self.signal.state_dict())
        if self.diagnostics is not None:
            state['diagnostics'] = self.diagnostics.state_dict()
        return state

    def load_state_dict(self, state: dict) -> None:
        self.weight = float(state['weight'])
        self.steps = int(state['steps'])
        self.base_lr = float(state['base_lr'])
        self.total_steps = int(state['total_steps'])
        self.phase = state.get('phase', 'descent')
        self.equilibrium_step = state.get('equilibrium_step')
        self._task_rms = state.get('task_rms')
        self._avg = {n: t.clone() for n, t in state.get('avg', {}).items()}
        self._undone = {n: t.clone()
                        for n, t in state.get('undone', {}).items()}
        self.signal.load_state_dict(state.get('signal', {}))
        if self.diagnostics is not None and 'diagnostics' in state:
            self.diagnostics.load_state_dict(state['diagnostics'])


def _check_args(total_steps, lr, momentum, rule, hover, stiffness):
    if int(total_steps) < 1:
        raise BudgetError(f'the gate optimizer needs total_steps >= 1, got '
                          f'{total_steps!r}')
    if lr is not None and not lr > 0:
        raise BudgetError(f'gate lr must be > 0, got {lr!r}')
    if not 0 <= momentum < 1:
        raise BudgetError(f'gate momentum must be in [0, 1), got '
                          f'{momentum!r}')
    if rule not in RULES:
        raise BudgetError(f'gate rule must be one of {RULES}, got {rule!r}')
    if not 0 < hover < 0.5:
        raise BudgetError(f'gate hover must be in (0, 0.5), got {hover!r}')
    if not stiffness > 0:
        raise BudgetError(f'gate stiffness must be > 0, got {stiffness!r}')
