"""``PaSSearch``: the whole PaS search for a plain PyTorch model (timm,
torchvision, your own), with no OpenMMLab part.

    search = PaSSearch(model, torch.zeros(1, 3, 224, 224),
                       budget=dict(target_ratio=0.5), steps=N)
    search.attach(optimizer)            # the gate rule runs at its steps
    for x, y in loader:                 # N steps: weights and gates
        loss = criterion(model(x), y) + search.loss()
        optimizer.zero_grad(); loss.backward(); optimizer.step()
    compact, spec = search.finish()     # freeze, floor, project, export

``search.step()`` may be called by hand after the backward instead of
``attach``. ``state_dict()`` / ``load_state_dict()`` resume it (the gate
latents themselves are parameters of the model, in its state dict).
"""
import warnings
from typing import Callable, Optional, Tuple

import torch
from torch import nn

from .errors import BudgetError
from .export import export
from .gate_optimizer import GateOptimizer
from .space import build_search_space
from .width_summary import summary_lines

BUDGET_KEYS = ('target_ratio', 'weight', 'mode')


class PaSSearch:
    """Search the per-layer widths of ``model`` under a MACs budget.

    Args:
        model (nn.Module): the trained model; it is gated in place.
        example_inputs: one input (or a tuple of inputs) to trace it with.
        budget (dict): ``target_ratio`` (required), ``weight`` (the
            stiffness of the gate rule, default 1.0) and ``mode``
            (``'two-sided'`` or ``'hinge'``).
        steps (int): optimizer steps of the search.
        gate (dict, optional): further ``GateOptimizer`` arguments
            (``rule``, ``lr``, ``hover``, ...). Default: None.
        **space: ``build_search_space`` arguments (``exclude``, ``scope``,
            ``min_ratio``, ``min_channels``, ``round_to``, ...).
    """

    def __init__(self, model: nn.Module, example_inputs, budget: dict,
                 steps: int, gate: Optional[dict] = None, **space):
        self._setup(build_search_space(model, example_inputs, **space),
                    budget, steps, gate)

    @classmethod
    def over(cls, space, budget: dict, steps: int,
             gate: Optional[dict] = None) -> 'PaSSearch':
        """The search over a space built elsewhere (a toolkit model's:
        ``PaSSearchHook`` runs the same object)."""
        search = cls.__new__(cls)
        search._setup(space, budget, steps, gate)
        return search

    def _setup(self, space, budget, steps, gate):
        budget = dict(budget)
        unknown = sorted(set(budget) - set(BUDGET_KEYS))
        if unknown or 'target_ratio' not in budget:
            raise BudgetError(f'PaSSearch budget needs target_ratio and '
                              f'takes only {BUDGET_KEYS}; got '
                              f'{sorted(budget)}')
        self.space = space
        if not space.gates:
            raise BudgetError(f'{type(space.model).__name__} has no '
                              'prunable channel group')
        floor = space.min_macs_ratio()
        if budget['target_ratio'] < floor:
            raise BudgetError(f"budget target_ratio {budget['target_ratio']}"
                              f' cannot be met: the floors keep at least '
                              f'{floor:.3f} of the {space.metric_label}')
        self.target_ratio = float(budget['target_ratio'])
        self.hinge = budget.get('mode', 'two-sided') == 'hinge'
        self.rule = GateOptimizer(space, total_steps=steps, **budget,
                                  **(gate or {}))
        self.finished = False
        self._handles = []

    # ------------------------------------------------------ the search
    def gate_parameters(self):
        """The gate latents (the rule moves them; an optimizer that holds
        them skips them)."""
        return [g.latent for g in self.space.gates.values()]

    def loss(self) -> torch.Tensor:
        """The budget term to add to the task loss (0 once finished)."""
        if self.finished:
            return torch.zeros(())
        return self.rule.loss()

    def step(self) -> bool:
        """One gate-rule step from the latents' gradient (after the
        backward, before the optimizer's step)."""
        return False if self.finished else self.rule.step()

    def attach(self, optimizer: torch.optim.Optimizer):
        """Run ``step`` before every step of ``optimizer``."""
        self._handles.append(optimizer.register_step_pre_hook(
            lambda *_: self.step() and None))
        return self._handles[-1]

    def detach(self) -> None:
        """Stop running with the optimizers ``attach`` hooked."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    @property
    def attached(self) -> bool:
        return bool(self._handles)

    def ratio(self) -> float:
        """The budgeted cost ratio the gates have now."""
        return self.space.cost_ratio()

    # ------------------------------------------------------ the end
    def finish(self, project: bool = True,
               tolerance: Optional[float] = None, max_gap: float = 0.05,
               strict: bool = False) -> Tuple[nn.Module, dict]:
        """Freeze the gates, apply the floors, move the cut onto the budget
        (one shift of every latent), warn (``strict``: raise) when the
        search itself ended more than ``max_gap`` from the target, and
        slice the model in place.

        Returns:
            tuple[nn.Module, dict]: the compact model (the same object) and
            its width spec, with ``target_ratio``, ``search_end_ratio``,
            ``projection_shift`` and ``summary`` (the log lines).
        """
        self.detach()
        space = self.space
        record = conclude_search(space, self.target_ratio, self.hinge,
                                 project, tolerance, max_gap, strict)
        self.finished = True
        model, spec = export(space)
        spec.update(record, equilibrium_step=self.rule.equilibrium_step)
        spec['summary'] = summary_lines(spec)
        return model, spec

    # ------------------------------------------------------ state
    def state_dict(self) -> dict:
        return dict(rule=self.rule.state_dict(), finished=self.finished)

    def load_state_dict(self, state: dict) -> None:
        if 'rule' not in state:  # a checkpoint holding the rule's state
            state = dict(rule=state)
        self.rule.load_state_dict(state['rule'])
        self.finished = bool(state.get('finished', False))


def conclude_search(space, target_ratio: float, hinge: bool = False,
                    project: bool = True, tolerance: Optional[float] = None,
                    max_gap: float = 0.05, strict: bool = False,
                    log: Callable[[str], None] = None,
                    warn: Callable[[str], None] = None) -> dict:
    """The end of every PaS search (``PaSSearch.finish`` and the toolkit
    models' ``end_search``): freeze the gates, apply the floors, warn
    (``strict``: raise ``BudgetError``) when the search itself ended more
    than ``max_gap`` (relative) from the target, and move the cut onto the
    budget by one shift of every latent (``project``).

    Returns:
        dict: ``target_ratio``, ``search_end_ratio`` (before the
        projection) and ``projection_shift``.
    """
    log = log or (lambda msg: None)
    warn = warn or warnings.warn
    space.freeze()
    space.apply_floor()
    before = space.cost_ratio()  # MACs, or latency by the table
    metric = space.metric_label
    log(f'PaS: the search itself ended at {metric} ratio {before:.4f} '
        f'(target {target_ratio})')
    gap = (before - target_ratio) / target_ratio
    if abs(gap) > max_gap and not (hinge and gap <= 0):
        msg = (f'PaS: the search ended at {metric} ratio {before:.4f}, '
               f'{100 * gap:+.1f} % off the target {target_ratio}: the '
               'widths now come from the end-of-search projection (one '
               'shift of every latent), not from the search. Search longer '
               '(search_epochs / search_iters / steps) or give the gates '
               'more room (gate_optimizer=dict(lr=...)).')
        if strict:
            raise BudgetError(msg + ' (strict_search=True)')
        warn(msg)
    shift = space.project_to_budget(target_ratio, tolerance,
                                    hinge=hinge) if project else 0.0
    if shift:
        log(f'PaS: {metric} ratio {before:.4f} -> {space.cost_ratio():.4f} '
            f'by shifting every latent by {shift:+.4f} (budget projection)')
    return dict(target_ratio=target_ratio, search_end_ratio=before,
                projection_shift=shift)
