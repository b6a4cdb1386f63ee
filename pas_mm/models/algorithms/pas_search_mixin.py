"""What every PaS model shares, whatever the toolkit: the search space over
one sub-module, the budget loss, the end of the search, export in place,
the width spec kept in checkpoints, and baseline criteria / transferred
widths.

``PaSAlgorithm`` (mmpretrain, mmdet: wraps the whole model) and the mmagic
translation models (search the generators only) differ only in which
module is searched, how it is run for the trace, and where the budget loss
joins the task loss.
"""
import contextlib
import hashlib
import json
from typing import Callable, Dict, List, Optional

import torch
from mmengine.dist import all_gather_object, get_world_size
from mmengine.logging import MMLogger
from torch import nn

from pas_mm.core import (BudgetError, apply_width_spec, build_search_space,
                         export, probe_export, transfer_widths)
from pas_mm.core.compact.width_spec import (WidthSpecError, load_width_spec,
                                            match)
from pas_mm.core.criteria.tp_importance import needs_gradients
from pas_mm.core.pas_search import PaSSearch
from ..utils import (decode_extra_state, encode_extra_state,
                     load_architecture_weights, trace_fn, trace_inputs)
from ..utils.macs_crosscheck import mmengine_macs_warnings
from .criterion_pruning import kept_buffers, prune_by_settings
from .output_distiller import OutputDistiller
from .pas_settings import PaSSettings
from .search_result import SearchResult

# what the end of a search adds to a width spec (kept by an in-place
# export's spec too)
SEARCH_RECORD = ('target_ratio', 'search_end_ratio', 'projection_shift',
                 'cut', 'rule', 'equilibrium_step', 'evidence')


class PaSSearchMixin:
    """Mixed into an ``nn.Module``; call ``_init_search`` in ``__init__``.

    The model exposes its search space and the ``PaSSearch`` over it
    (``pas_search()``), which owns the budget, the gate rule, its state and
    the end of the search. The contract with ``PaSSearchHook``:
    ``exported``, ``search_finished``, ``freeze_search``, ``pas_search``,
    ``gate_parameters``, ``search_state`` and ``end_search``. The tools
    also read ``settings``, ``space``, ``compact_spec``,
    ``search_module``, ``search_forward`` and ``weights_target``.
    """

    def _init_search(self, module: nn.Module, settings: PaSSettings,
                     distill_forward: Optional[Callable] = None):
        self.settings = settings
        # the teacher is copied before the search space gates the module
        self.distiller = None if settings.distill is None else \
            OutputDistiller.build(
                module, distill_forward or trace_fn(settings.trace_mode),
                settings.distill, hook_student=distill_forward is None)
        self.compact_spec = None  # set once exported in place
        space_args = dict(
            exclude=tuple(settings.exclude), scope=settings.search_scope,
            forward_fn=trace_fn(settings.trace_mode),
            decouple=settings.decouple, fold=settings.fold,
            min_channels=settings.min_channels, round_to=settings.round_to,
            min_ratio=settings.min_ratio,
            prune_residual=settings.prune_residual)
        if settings.prune_residual:  # a trial export first
            space_args['keep_whole'] = tuple(probe_export(
                module, trace_inputs(settings.input_shape), **space_args))
        self.space = build_search_space(
            module, trace_inputs(settings.input_shape), **space_args)
        if not self.space.gates:
            raise BudgetError(
                f'search scope {settings.search_scope} of '
                f'{type(module).__name__} has no prunable channel group')
        self._check_target_space()
        if not settings.fold:  # a folded space costs the merged network
            for line in mmengine_macs_warnings(
                    self.space, trace_inputs(settings.input_shape),
                    trace_fn(settings.trace_mode), settings.search_scope):
                MMLogger.get_current_instance().warning(f'PaS MACs: {line}')
        if settings.latency_table is not None:
            self.space.use_latency(settings.latency_table)
        # the one owner of the budget, the gate rule and the end of the
        # search; PaSSearchHook starts it (the schedule sets its steps)
        self._search = PaSSearch.over(self.space, settings.search_budget())
        budgeted = '' if self.space.metric == 'macs' else (
            f'; budget: latency, {self.space.full_cost:.3f} ms full by the '
            'table')
        MMLogger.get_current_instance().info(
            f'PaS search space: {len(self.space.gates)} gates, '
            f'{self.space.full_macs / 1e9:.4f} GMACs per sample in scope'
            f'{budgeted}')

    def _check_target_space(self):
        """A ratio taken from a width spec is only the same MACs in the same
        search space: same groups, same channel counts."""
        groups = self.settings.target_groups
        if groups is None:
            return
        source = self.settings.budget['target_from']
        try:
            spec = {n: dict(channels=c) for n, c in groups.items()}
            match(self.space, dict(groups=spec))
        except WidthSpecError as e:
            raise BudgetError(
                f'budget.target_from {source} was exported from another '
                f'search space ({len(groups)} groups vs '
                f'{len(self.space.gates)} here): {e}') from None
        MMLogger.get_current_instance().info(
            f'PaS budget: target MACs ratio {self.settings.target_ratio:.4f} '
            f'from {source}')

    @property
    def weights_target(self) -> nn.Module:
        """The module a trained plain checkpoint (``pretrained``) fits."""
        raise NotImplementedError

    @property
    def search_module(self) -> nn.Module:
        return self.space.model

    @property
    def search_forward(self) -> Callable:
        return trace_fn(self.settings.trace_mode)

    def _init_pas_weights(self):
        """After the model's own init: trained weights, then baselines."""
        logger = MMLogger.get_current_instance()
        settings = self.settings
        if settings.pretrained:
            load_architecture_weights(self.weights_target,
                                      settings.pretrained)
        if self.distiller is not None:
            self.distiller.load_weights(self._load_teacher)
        if settings.transfer is not None:
            path = settings.transfer['width_spec']
            result = transfer_widths(
                self.space, load_width_spec(path),
                channels=settings.transfer.get('channels', 'l1'),
                prefix_map=settings.transfer.get('prefix_map'),
                source=f'width spec {path}',
                scale_to=settings.target_ratio if settings.transfer.get(
                    'scale_to_budget') else None)
            logger.info(
                f"PaS transfer from {path}: {len(result['applied'])} groups "
                f"set, {len(result['untouched'])} not in the spec; MACs ratio "
                f"{result['ratio']:.4f} of the search scope, gates frozen")
        elif settings.criterion != 'pas' and \
                not needs_gradients(settings.criterion):
            self._prune_by_criterion()

    def _prune_by_criterion(self, backward: Optional[Callable] = None):
        prune_by_settings(self.space, self.settings, backward)

    def calibration_batches(self) -> int:
        """Training batches the criterion still needs to score on
        (``criterion_batches`` for a gradient criterion not yet applied,
        else 0). ``PaSSearchHook`` feeds them to
        ``prune_with_batches``."""
        if self.exported or self.space.frozen or \
                not needs_gradients(self.settings.criterion):
            return 0
        return self.settings.criterion_batches

    def prune_with_batches(self, batches) -> None:
        """Apply a gradient criterion: sum the task loss's gradients over
        ``batches`` (data-loader batches), score, cut and freeze. The
        weights and the norms' running statistics are left as they were.
        """
        training = self.training
        self.train()  # the gradients of the loss the weights trained on
        try:
            with kept_buffers(self.search_module):
                self._prune_by_criterion(
                    lambda: [self.task_loss(b).backward() for b in batches])
        finally:
            self.train(training)

    def task_loss(self, batch) -> torch.Tensor:
        """The task loss of one data-loader batch, without the budget
        term (what a gradient criterion scores with)."""
        raise NotImplementedError(
            f'{type(self).__name__} has no task loss for a gradient '
            'criterion')

    def _load_teacher(self, teacher: nn.Module) -> None:
        """Load ``settings.pretrained`` into the distillation teacher (a
        copy of the searched module)."""
        load_architecture_weights(teacher, self.settings.pretrained)

    # ------------------------------------------------------ the loss
    def distill_capture(self):
        """Context around the student's forward of a training step: keeps
        the distilled module's output when distillation is due."""
        d = self.distiller
        if d is None or not (d.during_search or self.search_finished):
            return contextlib.nullcontext()
        return d.student_capture()

    def distill_losses(self, inputs, student_output=None
                       ) -> Dict[str, torch.Tensor]:
        """``loss_distill`` when distillation is on and due (the
        fine-tune, or also the search with ``during_search``); call after
        the student's forward on ``inputs``."""
        d = self.distiller
        if d is None or not (d.during_search or self.search_finished):
            return {}
        return {'loss_distill': d.loss_from(inputs, student_output)}

    def budget_losses(self) -> Dict[str, torch.Tensor]:
        """loss_budget (0 once the gates are frozen, so the log does not
        keep showing the last search value) and the MACs ratio.

        Always computed in fp32, also inside an AMP autocast region: the
        MACs are sums of ~1e9 and the ratio's gap to the target is what the
        gates learn from.
        """
        device = next(iter(self.space.gates.values())).latent.device.type \
            if self.space.gates else 'cpu'
        with torch.autocast(device_type=device, enabled=False):
            return self._budget_losses()

    def _budget_losses(self) -> Dict[str, torch.Tensor]:
        if self.compact_spec is not None:
            return {'macs_ratio': torch.tensor(
                self.compact_spec['macs']['ratio']),
                'loss_budget': torch.tensor(0.)}
        macs = self.space.macs()
        out = {'macs_ratio': macs.detach() / self.space.full_macs}
        if self.space.frozen:
            out['loss_budget'] = torch.zeros_like(out['macs_ratio'])
            return out
        cost = macs
        if self.space.metric != 'macs':  # a latency budget
            cost = self.space.cost()
            out[f'{self.space.metric}_ratio'] = \
                cost.detach() / self.space.full_cost
        out['loss_budget'] = self._search.loss(cost)
        return out

    # ------------------------------------------------------ the search
    @property
    def exported(self) -> bool:
        """The searched module is sliced to its widths (in place)."""
        return self.compact_spec is not None

    @property
    def search_finished(self) -> bool:
        """The gates are frozen (or the model already exported)."""
        return self.compact_spec is not None or self.space.frozen

    def freeze_search(self) -> None:
        """Freeze the gates as they are (resuming past the search)."""
        self.space.freeze()

    def gate_parameters(self) -> List[torch.Tensor]:
        """The gate latents still searched (not frozen)."""
        if self.compact_spec is not None:
            return []
        return [g.latent for g in self.space.gates.values()
                if g.latent.requires_grad]

    def search_space(self):
        """The ``SearchSpace`` of the searched module (its gates)."""
        return self.space

    def pas_search(self) -> PaSSearch:
        """The ``PaSSearch`` over this model's space: its budget term joins
        the loss; ``PaSSearchHook`` starts, checkpoints and ends it."""
        return self._search

    def search_state(self) -> dict:
        """``dict(metric, ratio, macs_ratio, widths)`` of the gates as they
        are now: ``ratio`` is the budgeted cost's (MACs, or latency by the
        table), named by ``metric``."""
        return dict(metric=self.space.metric_label,
                    ratio=self.space.cost_ratio(),
                    macs_ratio=self.space.macs_ratio(),
                    widths=self.space.widths())

    def end_search(self, *, searched: bool = True, project: bool = True,
                   tolerance: Optional[float] = None,
                   max_gap: float = 0.05, strict: bool = False,
                   export_now: bool = False,
                   cut: str = 'projection') -> SearchResult:
        """Freeze the gates, move the cut onto the budget, check that all
        ranks agree and (``export_now``) slice the model to the result.
        Writing it down (``pas_search/``) is the hook's job
        (``pas_mm.engine.search_summary``).

        Args:
            searched (bool): False when the widths were set without a
                search (criteria, transfer): no projection, no checks.
                Default: True.
            project (bool): shift every latent by one scalar until the
                budgeted ratio is within ``tolerance`` of the target.
                Default: True.
            tolerance (float, optional): relative tolerance of the
                projection. Default: None (the space's
                ``projection_tolerance``: 1 % for MACs, 2 % for latency).
            max_gap (float): warn when the search itself ended more than
                this far (relative) from the target. Default: 0.05.
            strict (bool): raise ``BudgetError`` instead of warning.
                Default: False.
            export_now (bool): slice the model in place afterwards.
                Default: False.
            cut (str): how the widths meet the budget (``PaSSearch.finish``:
                ``'projection'`` or an evidence cut of
                ``pas_mm.core.search.evidence_cut.CUTS``).
                Default: ``'projection'``.

        Returns:
            SearchResult: the width spec and what it says.
        """
        logger = MMLogger.get_current_instance()
        _, spec = self._search.finish(
            project=project, tolerance=tolerance, max_gap=max_gap,
            strict=strict, export_model=False, searched=searched,
            cut=cut, log=logger.info, warn=logger.warning)
        if searched:
            self._check_ranks_agree()
        if export_now:
            self.export_inplace()
            # the exported spec (compact/width_spec.json, checkpoints)
            # keeps where the search ended, as pas_search's does
            self.compact_spec.update({k: v for k, v in spec.items()
                                      if k in SEARCH_RECORD})
        return SearchResult(spec)

    def round_widths_to(self, multiple: int) -> None:
        """Round every group's kept width up to a multiple of ``multiple``
        (hardware-friendly export; re-opens the best channels, so the MACs
        rise a little)."""
        if int(multiple) < 1:
            raise BudgetError(f'round_to must be >= 1, got {multiple!r}')
        self.space.round_to = int(multiple)
        self.space.apply_constraints()

    def _check_ranks_agree(self):
        """Every rank must end the search with the same masks (DDP keeps
        the latents in sync; a divergence would export different nets)."""
        keep = {n: g.kept_indices().tolist()
                for n, g in self.space.gates.items()}
        digest = hashlib.sha1(json.dumps(keep, sort_keys=True).encode()
                              ).hexdigest()[:16]
        logger = MMLogger.get_current_instance()
        world = get_world_size()
        if world == 1:
            logger.info(f'PaS: mask digest {digest}')
            return
        digests = all_gather_object(digest)
        if len(set(digests)) != 1:
            raise RuntimeError(f'PaS: ranks disagree on the searched masks '
                               f'(digests {digests})')
        logger.info(f'PaS: masks identical on all {world} ranks (digest '
                    f'{digest})')

    # ------------------------------------------------------ export
    def export_inplace(self) -> dict:
        """Slice the searched module to its widths now (after the search),
        so the fine-tune trains the compact, cheaper network. Parameters
        keep their identity: the optimizer keeps working."""
        if self.compact_spec is None:
            self.space.freeze()
            _, self.compact_spec = export(self.space)
        return self.compact_spec

    def get_extra_state(self):
        # checkpoints remember an in-place export, so that loading one
        # (resume, tools/export.py, tools/test.py) rebuilds the compact model
        return encode_extra_state(self.compact_spec)

    def set_extra_state(self, state):
        spec = decode_extra_state(state)
        if spec is None or self.compact_spec is not None:
            return
        # called before the children load their tensors: reshape first
        self.space.freeze()
        self.space.remove()
        apply_width_spec(self.search_module, spec,
                         forward_fn=self.search_forward)
        self.compact_spec = spec

    @classmethod
    def plain_model_cfg(cls, model_cfg: dict):
        """(plain architecture config, path of the searched sub-module or
        None for the whole model) for ``tools/export.py``."""
        return dict(model_cfg['architecture']), None
