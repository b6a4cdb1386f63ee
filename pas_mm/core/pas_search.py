"""``PaSSearch``: the one object that owns a PaS search, for a plain PyTorch
model (timm, torchvision, your own) and for the OpenMMLab models alike
(``PaSSearchHook`` runs the same object).

    search = PaSSearch(model, torch.zeros(1, 3, 224, 224),
                       budget=dict(target_ratio=0.5), steps=N)
    search.attach(optimizer)            # the gate rule runs at its steps
    for x, y in loader:                 # N steps: weights and gates
        loss = criterion(model(x), y) + search.loss()
        optimizer.zero_grad(); loss.backward(); optimizer.step()
    compact, spec = search.finish()     # freeze, floor, project, export

It holds the budget (``pas_mm.core.search.budget``), the gate rule and its
state, the evidence the task put behind each width, and the end of the search.

Two modes:

- ``gate=dict(...)`` (default ``dict()``): PaS's own gate rule
  (``GateOptimizer``) moves the latents at every step of the optimizer it
  is attached to; that optimizer skips them.
- ``gate=dict(rule='original')`` (or ``gate=None``): the original PaS
  rule. No rule of ours: the optimizer that holds the latents moves them
  at the budget's fixed weight (one SGD for gates and weights, weight
  decay on the gates too, nothing clamped). ``step`` then only records
  the evidence (and, with ``use_task_gradient=False``, leaves the
  latents only the budget term's gradient: the budget-only control).

``search.step()`` may be called by hand after the backward instead of
``attach``. ``state_dict()`` / ``load_state_dict()`` resume it (the gate
latents themselves are parameters of the model, in its state dict).
"""
import warnings
from typing import Callable, Optional, Tuple

import torch
from torch import nn

from .compact.export import export
from .compact.width_spec import make_width_spec
from .compact.width_summary import summary_lines
from .cost.macs_check import export_disagreements, kept_mixing_macs
from .errors import BudgetError
from .export_probe import probe_export
from .search.budget import Budget
from .search.end_of_search import conclude
from .search.evidence_cut import CUTS
from .search.gate_diagnostics import GateDiagnostics
from .search.gate_optimizer import ORIGINAL, GateOptimizer
from .search.gate_steps import latent_gradients
from .search.space import build_search_space


class PaSSearch:
    """Search the per-layer widths of ``model`` under a cost budget.

    Args:
        model (nn.Module): the trained model; it is gated in place.
        example_inputs: one input (or a tuple of inputs) to trace it with.
        budget (dict | Budget): ``target_ratio`` (required), ``weight``
            (the fixed weight of the budget term; the default gate rule
            calibrates its own), ``mode`` (``'two-sided'`` or
            ``'hinge'``) and ``attribution`` (the original's
            ``'own-layer'``, default, ``'marginal'`` or ``'flat'``).
        steps (int, optional): optimizer steps of the search; None waits
            for ``start(steps)`` (a hook that knows the schedule).
            Default: None.
        gate (dict, optional): ``GateOptimizer`` arguments (``rule``,
            ``lr``, ``stiffness``, ...), or ``dict(rule='original',
            use_task_gradient=True)`` (None is the same): the optimizer
            moves the gates at the budget's fixed weight.
            Default: ``dict()``.
        **space: ``build_search_space`` arguments (``exclude``, ``scope``,
            ``min_ratio``, ``min_channels``, ``round_to``, ...). With
            ``prune_residual=True`` a trial export first keeps whole the
            modules that would fail (:func:`probe_export`).
    """

    def __init__(self, model: nn.Module, example_inputs, budget,
                 steps: Optional[int] = None, gate: Optional[dict] = dict(),
                 **space):
        if space.get('prune_residual'):
            space['keep_whole'] = tuple(space.get('keep_whole', ())) + \
                tuple(probe_export(model, example_inputs, **space))
        self._setup(build_search_space(model, example_inputs, **space),
                    budget)
        # how to run the model: finish() counts the export's MACs again
        self._forward_fn = space.get('forward_fn')
        self._check_export = True
        if steps is not None:
            self.start(steps, gate)

    @classmethod
    def over(cls, space, budget, steps: Optional[int] = None,
             gate: Optional[dict] = dict()) -> 'PaSSearch':
        """The search over a space built elsewhere (a toolkit model's)."""
        search = cls.__new__(cls)
        search._setup(space, budget)
        search._check_export = False  # its owner knows how to run it
        if steps is not None:
            search.start(steps, gate)
        return search

    def _setup(self, space, budget):
        self.space = space
        self.budget = Budget.from_dict(budget)
        if not space.gates:
            raise BudgetError(f'{type(space.model).__name__} has no '
                              'prunable channel group')
        space.set_attribution(self.budget.attribution)
        floor = space.min_macs_ratio()
        if self.budget.target_ratio < floor:
            raise BudgetError(
                f'budget target_ratio {self.budget.target_ratio} cannot be '
                f'met: min_channels={space.min_channels} / min_ratio='
                f'{space.min_ratio} / round_to={space.round_to} keep at '
                f'least {floor:.3f} of the {space.metric_label} (lower '
                'min_ratio to go further)')
        self.rule: Optional[GateOptimizer] = None
        self.started = False
        self.finished = False
        self._evidence = GateDiagnostics()  # the original rule's
        self._last_on = None
        self._joined = False  # loss() was called since the last step
        self._use_task_gradient = True
        self._handles = []

    def start(self, steps: int, gate: Optional[dict] = dict()) -> None:
        """Begin the search of ``steps`` optimizer steps with the gate rule
        ``gate`` (None: the original rule)."""
        if self.started:
            raise BudgetError('this PaSSearch has started already')
        if int(steps) < 1:
            raise BudgetError(f'a search needs steps >= 1, got {steps!r}')
        self.steps = int(steps)
        gate = dict(rule=ORIGINAL) if gate is None else dict(gate)
        if gate.get('rule') == ORIGINAL:
            unknown = sorted(set(gate) - {'rule', 'use_task_gradient'})
            if unknown:
                raise BudgetError(f"the original rule takes only "
                                  f"use_task_gradient, got {unknown}")
            self._use_task_gradient = bool(
                gate.get('use_task_gradient', True))
        else:
            if not gate.pop('record', True):
                warnings.warn('PaSSearch records the gates\' evidence '
                              'always; gate record=False is ignored')
            self.rule = GateOptimizer(self.space, self.budget, self.steps,
                                      record=True, **gate)
        self.started = True

    # ------------------------------------------------------ the search
    @property
    def target_ratio(self) -> float:
        return self.budget.target_ratio

    @property
    def original(self) -> bool:
        """The original rule: the optimizer moves the gates."""
        return self.rule is None

    @property
    def evidence_recorder(self) -> GateDiagnostics:
        """Per-latent task-gradient statistics and crossings so far."""
        return self._evidence if self.rule is None else \
            self.rule.diagnostics

    def gate_parameters(self):
        """The gate latents (a gate rule moves them; an optimizer that
        holds them skips them)."""
        return [g.latent for g in self.space.gates.values()]

    def loss(self, cost: Optional[torch.Tensor] = None) -> torch.Tensor:
        """The budget term to add to the task loss (0 once finished): the
        gate rule's, or the fixed-weight one. ``cost`` may pass a
        ``space.cost()`` already computed this step."""
        if self.finished:
            return torch.zeros(())
        if self.rule is not None:
            return self.rule.loss()
        self._joined = True
        return self.budget.loss(self.space.cost() if cost is None else cost,
                                self.space.full_cost)

    def step(self) -> bool:
        """After the backward, before the optimizer's step: one gate-rule
        step from the latents' gradient, or (the original rule) record
        the evidence and leave the latents to the optimizer."""
        if self.finished:
            return False
        if self.rule is not None:
            return self.rule.step()
        return self._record_original()

    @torch.no_grad()
    def _record_original(self) -> bool:
        found = latent_gradients(self.space)
        if found is None:
            return False
        names, gates, total = found
        if not all(bool(torch.isfinite(t).all()) for t in total):
            return False
        task = total
        flat = self.budget.flat and self._joined
        if self._joined or not self._use_task_gradient:
            budget = self.budget.gradients(self.space, names,
                                           self.budget.weight)
            if self._joined:
                task = [t - b for t, b in zip(total, budget.joined)]
            # the optimizer moves the latents by their gradient: make it
            # the push the rule asks for (the budget-only control: the
            # push alone; 'flat': the task plus the even push)
            if not self._use_task_gradient or flat:
                keep = task if self._use_task_gradient else \
                    [torch.zeros_like(t) for t in task]
                for gate, t, b in zip(gates, keep, budget.push):
                    gate.latent.grad = ((t + b) * gate.unit).to(gate.latent)
        self._joined = False
        now = {n: g.latent.detach() > g.threshold
               for n, g in zip(names, gates)}
        before = self._last_on or now  # crossings since the last step
        self._evidence.record(self.space, names, task, before, 'original')
        self._last_on = now
        return True

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

    def evidence(self) -> dict:
        """How much task evidence the search put behind its widths
        (``GateDiagnostics.evidence``)."""
        return self.evidence_recorder.evidence()

    def describe(self) -> str:
        """One line: the rule, its steps and its budget weight."""
        if self.rule is None:
            return (f'PaS search: the original rule (the optimizer moves '
                    f'the gates), fixed budget weight {self.budget.weight:.4g}'
                    f', {self.budget.attribution} cost attribution')
        rule = self.rule
        weight = (f'adaptive (calibrated at the first step, stiffness '
                  f'{rule.stiffness:.4g})') if rule.adapt_weight else \
            f'fixed {rule.weight:.4g}'
        return (f'PaS search: gate rule {rule.rule}, {rule.total_steps} '
                f'steps, descent lr {rule.base_lr:.4g} (latent units per '
                f'step), budget weight {weight}, {self.budget.attribution} '
                'cost attribution')

    # ------------------------------------------------------ the end
    def finish(self, project: bool = True,
               tolerance: Optional[float] = None, max_gap: float = 0.05,
               strict: bool = False, export_model: bool = True,
               searched: bool = True, cut: str = 'projection',
               log: Callable[[str], None] = None,
               warn: Callable[[str], None] = None) -> Tuple[nn.Module, dict]:
        """End the search: freeze the gates, apply the floors, warn
        (``strict``: raise) when the search itself ended more than
        ``max_gap`` (relative) from the target or put too little evidence
        behind its widths, move the cut onto the budget (one shift of
        every latent) and slice the model in place (``export_model``).

        Args:
            project (bool): shift every latent by one scalar until the
                budgeted ratio is within ``tolerance`` of the target.
                Default: True.
            tolerance (float, optional): relative tolerance of the
                projection. Default: None (1 % for MACs, 2 % for latency).
            max_gap (float): the relative gap past which the search is
                said to have missed its target. Default: 0.05.
            strict (bool): raise ``BudgetError`` instead of warning about a
                missed target. Default: False.
            export_model (bool): slice the model now; False leaves it gated
                with frozen gates (a toolkit model that exports later).
                Default: True.
            searched (bool): False when the widths were set without a
                search (criteria, transferred widths): freeze only.
                Default: True.
            cut (str): how the widths meet the budget: ``'projection'``
                (one shift of every latent, keeping the latents' ranking),
                or an evidence cut (``'evidence'``, ``'evidence-per-mac'``,
                ``'evidence-rms'``, ``'evidence-rms-per-mac'``: the task
                evidence's ranking, ``pas_mm.core.search.evidence_cut``).
                Default: ``'projection'``.
            log, warn (callable, optional): where the lines go (default:
                nowhere / ``warnings.warn``).

        Returns:
            tuple[nn.Module, dict]: the model (sliced when
            ``export_model``) and its width spec, with ``target_ratio``,
            ``search_end_ratio``, ``projection_shift``, ``evidence`` and
            ``summary`` (the log lines) after a search.
        """
        if cut not in CUTS:
            raise BudgetError(f'cut must be one of {CUTS}, got {cut!r}')
        if cut != 'projection' and (not project or self.budget.hinge):
            raise BudgetError(f'cut={cut!r} meets a two-sided budget: it '
                              'needs project=True and mode two-sided')
        self.detach()
        log = log or (lambda msg: None)
        warn = warn or warnings.warn
        record = {}
        self.space.freeze()
        if searched:
            record = conclude(self, project, tolerance, max_gap, strict,
                              log, warn, cut)
        self.finished = True
        if export_model:
            model, spec = self._export(warn)
        else:
            model = self.space.model
            spec = make_width_spec(self.space, {
                n: g.kept_indices() for n, g in self.space.gates.items()})
        spec.update(record)
        if searched:
            spec['summary'] = summary_lines(spec)
        return model, spec

    def _export(self, warn):
        """Export, then count the compact model's MACs with PyTorch's
        FlopCounterMode: a prediction off by more than 1 % is warned,
        naming the modules."""
        check = getattr(self, '_check_export', False)
        predicted = kept_mixing_macs(self.space) if check else None
        shapes = self.space.graph.input_shapes
        model, spec = export(self.space)
        if predicted is not None and shapes:
            param = next(model.parameters(), None)
            inputs = tuple(torch.zeros(s, device=None if param is None
                                       else param.device) for s in shapes)
            for line in export_disagreements(predicted, model, inputs,
                                             self._forward_fn):
                warn(line)
        return model, spec

    # ------------------------------------------------------ state
    def state_dict(self) -> dict:
        state = dict(finished=self.finished)
        if self.rule is not None:
            state['rule'] = self.rule.state_dict()
        else:
            state['evidence'] = self._evidence.state_dict()
        return state

    def load_state_dict(self, state: dict) -> None:
        if 'finished' not in state:  # a checkpoint holding the rule's state
            state = dict(rule=state)
        if self.rule is not None and 'rule' in state:
            self.rule.load_state_dict(state['rule'])
        elif self.rule is None and 'evidence' in state:
            self._evidence.load_state_dict(state['evidence'])
        elif 'rule' in state or 'evidence' in state:
            raise BudgetError(
                'the saved search ran with '
                f"{'a gate rule' if 'rule' in state else 'the original rule'}"
                ', this one with '
                f"{'the original rule' if self.rule is None else 'a rule'}")
        self.finished = bool(state.get('finished', False))
