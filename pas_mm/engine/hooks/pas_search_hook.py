"""Schedules the PaS search, as mmengine's ``EMAHook`` schedules its EMA:
starts the model's ``PaSSearch``, attaches it to the optimizers that hold
the gates, keeps its state in checkpoints, ends it on time, re-wraps DDP
and cleans optimizer state after an in-place export.

The search object owns the budget, the rule and the end of the search;
the model owns its space (``PaSSearchMixin``). This hook only calls their
methods.
"""
import copy
import gc
import itertools
import json
import math
import os
import os.path as osp
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from pas_mm.core import BudgetError
from pas_mm.core.io import write_json
from pas_mm.core.search.evidence_cut import CUTS
from pas_mm.models.algorithms.pas_search_mixin import PaSSearchMixin
from pas_mm.registry import HOOKS
from ..recipe_hooks import dropped_recipe_hooks
from ..search_loader import swap_in_search_loader
from ..search_summary import write_search_summary

CKPT_KEY = 'pas_gate_optimizer'


def unwrap(model):
    return model.module if is_model_wrapper(model) else model


@HOOKS.register_module()
class PaSSearchHook(Hook):
    """Search for ``search_epochs`` (or ``search_iters``), then freeze.

    Args:
        search_epochs (int, optional): epochs of search. Default: None.
        search_iters (int, optional): iterations of search (exactly one of
            the two). Default: None.
        export_after_search (bool): slice the model to its widths when the
            search ends, so the fine-tune trains the compact net.
            Default: False.
        project_to_budget (bool): move the cut onto the budget at the end
            of the search. Default: True.
        budget_tolerance (float, optional): relative tolerance of the
            projection. Default: None (1 % of the MACs, 2 % of a latency
            table's prediction: ``SearchSpace.projection_tolerance``).
        cut (str): how the widths meet the budget at the end of the
            search: ``'projection'`` (one shift of every latent),
            or one of the evidence cuts (``'evidence'``,
            ``'evidence-per-mac'``, ``'evidence-rms'``,
            ``'evidence-rms-per-mac'``: ranked by the task evidence the
            search recorded, ``pas_mm.core.search.evidence_cut``).
            Default: ``'projection'``.
        gate_optimizer (dict, optional): arguments of
            ``pas_mm.core.search.gate_optimizer.GateOptimizer`` (``rule``,
            ``lr``, ``momentum``, ``stiffness``, ``hover``,
            ``equilibrium_lr``, ``swing``, ``adapt_weight``, ...): the
            model's ``PaSSearch`` is started with this rule, which moves
            the gates at every optimizer step (the toolkit's optimizer
            skips them). None starts it with the original rule: the
            toolkit's optimizer moves the gates at the budget's fixed
            weight (``pas-original`` configs). Default: ``dict()``.
        max_search_gap (float): when the search ends more than this far
            (relative) from the target, the widths come from the projection
            rather than the search: a warning says so. Default: 0.05.
        strict_search (bool): make that warning an error. Default: False.
        search_batch_size (int, optional): the batch size of the search
            epochs (``search_epochs`` only); the fine-tune goes back to the
            config's. A smaller search batch gives the search more steps
            for the same samples, as the original's long search does.
            Default: None (the config's batch size throughout).
        finetune_find_unused_parameters (bool): DDP's
            ``find_unused_parameters`` for the fine-tune. When the search
            ends, a distributed model is re-wrapped in a new DDP wrapper
            that no longer holds the frozen (or exported) gates, so they
            never force DDP to look for unused parameters. Default: False.

    Example:
        >>> custom_hooks = [dict(type='pas_mm.PaSSearchHook',
        ...                      search_epochs=9, export_after_search=True)]

    While searching it logs the MACs ratio and the widths of every group;
    at the end it writes ``<work_dir>/pas_search/width_spec.json`` (the
    searched architecture, usable by ``apply_width_spec`` and transfer
    configs) and ``widths.json``. Training then goes on as the fine-tune
    with frozen gates. On ``--resume`` past the search the gates are frozen
    again before the first step.

    At the end of the search the cut is moved onto the budget
    (``project_to_budget``, default on): all latents are shifted by one
    scalar until the budgeted ratio is within ``budget_tolerance``
    (relative) of the target, keeping the ranking of channels that the
    search found.

    With ``export_after_search=True`` the model is sliced to its searched
    widths right after the search (``PaSAlgorithm.export_inplace``), so the
    fine-tune runs on the compact network; checkpoints then hold the compact
    weights and the width spec, and resume / export / test rebuild it.
    """
    priority = 'NORMAL'

    def __init__(self, search_epochs: Optional[int] = None,
                 search_iters: Optional[int] = None,
                 export_after_search: bool = False,
                 project_to_budget: bool = True,
                 budget_tolerance: Optional[float] = None,
                 cut: str = 'projection',
                 gate_optimizer: Optional[dict] = dict(),
                 max_search_gap: float = 0.05,
                 strict_search: bool = False,
                 search_batch_size: Optional[int] = None,
                 finetune_find_unused_parameters: bool = False):
        if (search_epochs is None) == (search_iters is None):
            raise ValueError('PaSSearchHook needs exactly one of '
                             'search_epochs and search_iters')
        if search_batch_size is not None and search_epochs is None:
            raise ValueError('PaSSearchHook: search_batch_size needs '
                             'search_epochs (an epoch-based search)')
        self.search_batch_size = search_batch_size
        self._finetune_loader = None  # the config's, while searching
        self.search_epochs = search_epochs
        self.search_iters = search_iters
        self.export_after_search = export_after_search
        self.project_to_budget = project_to_budget
        self.budget_tolerance = budget_tolerance
        if cut not in CUTS:
            raise ValueError(f'PaSSearchHook cut must be one of {CUTS}, '
                             f'got {cut!r}')
        self.cut = cut
        self.gate_optimizer_cfg = None if gate_optimizer is None else \
            dict(gate_optimizer)
        self.max_search_gap = float(max_search_gap)
        self.strict_search = bool(strict_search)
        self.finetune_find_unused_parameters = bool(
            finetune_find_unused_parameters)
        self._search = None  # the model's PaSSearch, once started
        self._resume_state = None  # its state from a checkpoint

    @staticmethod
    def _algorithm(runner) -> PaSSearchMixin:
        model = unwrap(runner.model)
        if not isinstance(model, PaSSearchMixin):
            raise TypeError('PaSSearchHook needs a PaS model (PaSAlgorithm '
                            f'or a PaS GAN), got {type(model).__name__}')
        return model

    def before_run(self, runner):
        dropped = dropped_recipe_hooks(runner.cfg)
        if dropped:
            runner.logger.warning(
                f'PaS: custom_hooks replaced the recipe\'s own '
                f'{", ".join(dropped)} (a _base_ list is replaced whole); '
                'keep them with custom_hooks = _base_.custom_hooks + '
                '[dict(type=\'pas_mm.PaSSearchHook\', ...)]')

    def before_train(self, runner):
        model = self._algorithm(runner)
        if (self.search_epochs == 0 or self.search_iters == 0) and \
                not model.exported:
            # nothing to search (baseline criteria, transferred widths);
            # a gradient criterion scores on a few training batches first
            count = model.calibration_batches()
            if count:
                model.prune_with_batches(
                    _take(runner.train_dataloader, count))
            if not model.search_finished:
                model.freeze_search()
            self._finish(runner, model, searched=False)
            return
        done = (self.search_epochs is not None and
                runner.epoch >= self.search_epochs) or \
            (self.search_iters is not None and
             runner.iter >= self.search_iters)
        if done and not model.search_finished:
            model.freeze_search()
            runner.logger.info('PaS: resumed after the search; gates frozen')
        if model.search_finished and is_model_wrapper(runner.model):
            # DDP was built around the full-size model and live gates
            self._rewrap(runner)
        if model.gate_parameters():
            if self.search_batch_size is not None:
                self._finetune_loader = swap_in_search_loader(
                    runner, model, self.search_batch_size, self.search_epochs)
            self._start_search(runner, model)

    def _search_steps(self, runner, model) -> int:
        """Optimizer steps in the search: its iterations divided by the
        gradient accumulation of the optimizer that holds the gates (the
        rule steps with that optimizer, not with every iteration)."""
        iters = self.search_iters if self.search_iters is not None else \
            self.search_epochs * len(runner.train_dataloader)
        counts = [_accumulation(w) for w in _gate_wrappers(runner, model)]
        return max(1, math.ceil(iters / max(counts or [1])))

    def _start_search(self, runner, model):
        """Start the model's search with the configured rule and attach it
        to every optimizer that holds the gates: it steps after the
        backward, DDP's all-reduce and AMP's unscale, before the
        toolkit's rule (which then skips the gates, unless the original
        rule leaves them to it)."""
        search = self._search = model.pas_search()
        search.start(self._search_steps(runner, model),
                     self.gate_optimizer_cfg)
        if self._resume_state is not None:
            search.load_state_dict(self._resume_state)
        for wrapper in _gate_wrappers(runner, model):
            search.attach(wrapper.optimizer)
        if not search.attached:
            raise BudgetError('PaSSearchHook: no optimizer holds the gate '
                              'latents (paramwise_cfg must not drop them)')
        runner.logger.info(search.describe())

    def _write_diagnostics(self, runner, model):
        """The search's per-group evidence and crossings, for
        ``tools/analysis/search_diagnostics.py``."""
        search = self._search
        rule = search.rule
        path = osp.join(runner.work_dir, 'pas_search',
                        'gate_diagnostics.json')
        recorder = search.evidence_recorder
        write_json(path, dict(
            rule='original' if rule is None else rule.rule,
            steps=search.steps if rule is None else rule.steps,
            equilibrium_step=None if rule is None else rule.equilibrium_step,
            use_task_gradient=True if rule is None else
            rule.use_task_gradient,
            phase_steps=recorder.phase_steps,
            evidence=search.evidence(),
            groups=recorder.summary(model.search_space())))
        runner.logger.info(f'PaS: gate diagnostics written to {path}')

    def before_save_checkpoint(self, runner, checkpoint):
        if self._search is not None and self._search.attached:
            checkpoint[CKPT_KEY] = self._search.state_dict()

    def after_load_checkpoint(self, runner, checkpoint):
        self._resume_state = checkpoint.get(CKPT_KEY)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if self.search_iters is not None and \
                runner.iter + 1 == self.search_iters:
            self.end_search(runner, iters_done=runner.iter + 1)

    def after_train_epoch(self, runner):
        model = self._algorithm(runner)
        if not model.search_finished:
            # the search's own state; the final widths (after the
            # end-of-search projection) are logged when the search ends
            state = model.search_state()
            rule = None if self._search is None else self._search.rule
            weight = '' if rule is None else \
                f', budget weight {rule.weight:.4g}'
            runner.logger.info(
                f"PaS search state after epoch {runner.epoch + 1}: "
                f"{state['metric']} ratio {state['ratio']:.4f}{weight}, "
                f"kept channels {json.dumps(state['widths'])}")
        if self.search_epochs is not None and \
                runner.epoch + 1 == self.search_epochs:
            # mmengine counts the epoch's last iteration before this hook
            self.end_search(runner, iters_done=runner.iter)

    def end_search(self, runner, iters_done: Optional[int] = None):
        """End the model's search now (on schedule), after ``iters_done``
        training iterations (default: the current one included)."""
        model = self._algorithm(runner)
        if model.search_finished:
            return
        self._finish(runner, model, searched=True, iters_done=iters_done)

    def _finish(self, runner, model, searched, iters_done=None):
        folder = osp.join(runner.work_dir, 'pas_search')
        if self._finetune_loader is not None:
            runner.train_loop.dataloader = self._finetune_loader
            self._finetune_loader = None
        result = model.end_search(
            searched=searched, project=self.project_to_budget,
            tolerance=self.budget_tolerance, max_gap=self.max_search_gap,
            strict=self.strict_search, export_now=self.export_after_search,
            cut=self.cut)
        if searched and self._search is not None:
            rule = self._search.rule
            if rule is not None:
                runner.logger.info(
                    f'PaS gate rule: {rule.steps} steps, equilibrium from '
                    f'step {rule.equilibrium_step}, budget weight '
                    f'{rule.weight:.4g}')
            if runner.rank == 0:
                self._write_diagnostics(runner, model)
        if searched:
            # a latency budget's target is a latency ratio (by its table)
            reached = f'MACs ratio {result.macs_ratio:.4f}'
            if result.latency_ratio is not None:
                reached = (f'latency ratio {result.latency_ratio:.4f} by '
                           f'the table, {reached}')
            runner.logger.info(
                f'PaS: search ended at epoch {runner.epoch + 1}, iter '
                f'{iters_done or runner.iter + 1}; {reached} (target '
                f'{result.target_ratio}); gates frozen, fine-tuning')
        if runner.rank == 0:
            write_search_summary(runner, result.spec, folder)
        if self.export_after_search:
            _drop_stale_optimizer_state(runner.optim_wrapper)
        if is_model_wrapper(runner.model):
            self._rewrap(runner)
        if self.export_after_search:
            runner.logger.info(
                'PaS: exported in place; fine-tuning the compact model '
                f"({result.macs['compact'] / 1e6:.2f}M of "
                f"{result.macs['full'] / 1e6:.2f}M MACs per sample)")

    def _rewrap(self, runner):
        """A new DDP wrapper for the fine-tune: the old one bucketed the
        full-size parameters and the gates, which no longer train."""
        model = release_wrapper(runner)
        cfg = copy.deepcopy(runner.cfg.get('model_wrapper_cfg'))
        if cfg is None:  # mmengine's own default wrapper, spelt out
            cfg = dict(type='MMDistributedDataParallel',
                       broadcast_buffers=False)
            if torch.cuda.is_available():
                cfg['device_ids'] = [int(os.environ['LOCAL_RANK'])]
        cfg['find_unused_parameters'] = self.finetune_find_unused_parameters
        runner.model = runner.wrap_model(cfg, model)
        runner.logger.info(
            f"PaS: {cfg['type']} re-wrapped for the fine-tune "
            f'(find_unused_parameters={self.finetune_find_unused_parameters})'
        )


def _take(loader, count: int) -> list:
    """The first ``count`` batches of a data loader (fewer if it is
    shorter)."""
    return list(itertools.islice(iter(loader), count))


def _gate_wrappers(runner, model):
    """The optimizer wrappers whose optimizer holds the gate latents."""
    gates = {id(p) for p in model.gate_parameters()}
    wrappers = runner.optim_wrapper.values() if hasattr(
        runner.optim_wrapper, 'values') else [runner.optim_wrapper]
    return [w for w in wrappers
            if any(id(p) in gates for group in w.optimizer.param_groups
                   for p in group['params'])]


def _accumulation(wrapper) -> int:
    # mmengine 0.10.7 keeps ``accumulative_counts`` only as this attribute
    return int(getattr(wrapper, '_accumulative_counts', 1) or 1)


def release_wrapper(runner):
    """Unwrap ``runner.model`` and free the old DDP wrapper before a new
    one is built. Its reducer holds the parameters' gradient accumulators,
    whose recorded shapes are the full-size ones: while it lives, a new
    wrapper (and every backward) would reuse them and reject the sliced
    gradients ("returned an invalid gradient ... expected shape
    compatible with [full size]")."""
    old = runner.model
    model = unwrap(old)
    runner.model = model
    del old
    gc.collect()
    return model


def _drop_stale_optimizer_state(optim_wrapper):
    """Momentum buffers of sliced params no longer fit: restart them."""
    wrappers = optim_wrapper.values() if hasattr(optim_wrapper, 'values') \
        else [optim_wrapper]
    for wrapper in wrappers:
        state = wrapper.optimizer.state
        for param in list(state):
            if any(isinstance(v, torch.Tensor) and v.dim() > 0 and
                   v.shape != param.shape for v in state[param].values()):
                del state[param]
