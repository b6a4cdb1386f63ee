"""PaSSettings: every PaS argument of a searched model, validated once."""
import dataclasses
from dataclasses import dataclass, field
from typing import Optional, Sequence, Tuple

from pas_mm.core import BudgetError, CriterionError, TransferError
from pas_mm.core.compact.width_spec import load_width_spec
from pas_mm.core.cost.latency import load_latency_table
from pas_mm.core.criteria.prune import CRITERIA, canonical_criterion
from pas_mm.core.errors import SettingsError
from pas_mm.core.search.budget import DEFAULT_ATTRIBUTION, Budget
from pas_mm.core.search.space import check_floors
from .output_distiller import check_distill

BUDGET_KEYS = ('target_ratio', 'weight', 'mode', 'attribution',
               'target_from', 'metric', 'table')
# what the search itself is given (pas_mm.core.search.budget.Budget)
SEARCH_BUDGET_KEYS = ('target_ratio', 'weight', 'mode', 'attribution')
METRICS = ('macs', 'latency')
TRANSFER_KEYS = ('width_spec', 'channels', 'prefix_map', 'scale_to_budget')


@dataclass
class PaSSettings:
    """The PaS arguments shared by ``PaSAlgorithm`` and the PaS GANs.

    Args:
        budget (dict, optional): ``dict(target_ratio=0.5, weight=1.0,
            mode='two-sided', attribution='own-layer')``: loss_budget =
            weight * (MACs/full_MACs - target_ratio)^2 (``'hinge'`` only
            punishes excess; ``attribution='own-layer'`` charges each gate
            only its own layer's MACs, as the original PaS code does,
            ``'marginal'`` every layer its channels reach, ``'flat'``
            every channel alike: ``pas_mm.core.search.budget``). Or
            ``target_from=PATH``: a width spec exported from the same search
            space, whose MACs ratio becomes the target (comparisons at equal
            MACs). ``metric='latency', table=PATH`` budgets measured latency
            instead (a table of ``tools/analysis/build_latency_table.py``):
            the ratio is then of the table's milliseconds, and
            ``target_from`` reads the spec's latency ratio.
            Default: None (the defaults above).
        input_shape (Sequence[int]): (N, C, H, W) of the example input used
            for tracing and for the MACs count. Default: (1, 3, 224, 224).
        trace_mode (str): how the searched module is run for the trace:
            ``'tensor'`` calls ``module(x, mode='tensor')``, ``'each'``
            runs every module of a ModuleDict, any other string names a
            method, e.g. ``'extract_feat'`` for detectors.
            Default: 'tensor'.
        search_scope (Sequence[str], optional): module-name prefixes to
            search, e.g. ``['backbone', 'neck']``; None searches everything
            traced. Default: None.
        exclude (Sequence[str]): module-name prefixes never pruned.
            Default: ().
        decouple (Sequence[str]): fnmatch patterns of identity-branch BNs
            (RepVGG) whose in and out widths may differ. Default: ().
        fold (Sequence[str]): fnmatch patterns of layers that
            reparameterisation merges away; not costed, so MACs are the
            deployed model's. Default: ().
        min_channels (int): every group keeps at least this many channels.
            Default: 1.
        round_to (int): every group keeps a multiple of this many channels.
            Default: 1.
        min_ratio (float): the collapse floor: every group keeps at least
            this fraction of its channels, during the search and after the
            end-of-search projection. Default: 0.1.
        prune_residual (bool): also search the widths that LayerNorms
            over the channels hold: the embedding width of a ViT / DeiT,
            the stage widths of a Swin or ConvNeXt. Their statistics are
            taken over the kept channels during the search, and the patch
            embedding, class / position tokens, layer scales, every
            residual branch and the final norm are sliced at export.
            Default: False.
        pretrained (str, optional): checkpoint of the trained plain model
            (PaS starts from a trained net). Default: None.
        criterion (str): ``'pas'`` searches; ``'uniform'``,
            ``'bn-gamma'``, ``'l1'``, ``'random'`` or Torch-Pruning's
            ``'tp-magnitude'``, ``'tp-taylor'``, ``'tp-lamp'`` prune the
            trained net once by that baseline criterion to the same MACs
            target (gates frozen from the start). Default: 'pas'.
        criterion_batches (int): training batches whose task-loss
            gradients a gradient criterion (``'tp-taylor'``) scores on,
            summed; ``PaSSearchHook`` feeds them before training.
            Default: 8.
        transfer (dict, optional): take the widths of a spec searched on
            another model/task instead of searching: ``dict(width_spec=PATH,
            channels='l1', prefix_map=None, scale_to_budget=False)``
            (see ``pas_mm.core.transfer_widths``; ``scale_to_budget``
            scales the transferred per-layer widths by one factor to
            ``budget.target_ratio``). Default: None.
        distill (dict, optional): distil the unpruned network (the
            ``pretrained`` weights) into the pruned one during the
            fine-tune: ``dict(module='head.fc', loss='kl', weight=1.0,
            temperature=4.0, during_search=False)`` (see
            :class:`OutputDistiller`). Default: None.
    """
    budget: Optional[dict] = None
    input_shape: Tuple[int, ...] = (1, 3, 224, 224)
    trace_mode: str = 'tensor'
    search_scope: Optional[Sequence[str]] = None
    exclude: Sequence[str] = ()
    decouple: Sequence[str] = ()
    fold: Sequence[str] = ()
    min_channels: int = 1
    round_to: int = 1
    min_ratio: float = 0.1
    prune_residual: bool = False
    pretrained: Optional[str] = None
    criterion: str = 'pas'
    criterion_batches: int = 8
    transfer: Optional[dict] = None
    distill: Optional[dict] = None
    # filled by validation: the widths of budget.target_from, if any
    target_groups: Optional[dict] = field(default=None, repr=False)
    # filled by validation: the table of a latency budget, if any
    latency_table: Optional[dict] = field(default=None, repr=False)

    @classmethod
    def names(cls) -> Tuple[str, ...]:
        """The argument names (what a PaS model takes besides its own)."""
        return tuple(f.name for f in dataclasses.fields(cls)
                     if f.name not in ('target_groups', 'latency_table'))

    @classmethod
    def from_kwargs(cls, owner: str, kwargs: dict, strict: bool = True,
                    **defaults) -> 'PaSSettings':
        """Pop the PaS arguments out of ``kwargs`` and validate them.

        Args:
            owner (str): the model's name, for the error message.
            kwargs (dict): keyword arguments; the PaS ones are removed.
            strict (bool): refuse keys left over (the model takes no
                others). Default: True.
            **defaults: values that replace the dataclass defaults.
        """
        values = dict(defaults)
        values.update({k: kwargs.pop(k) for k in cls.names() if k in kwargs})
        if strict and kwargs:
            raise SettingsError(f'{owner} got unknown arguments '
                                f'{sorted(kwargs)}; PaS arguments are '
                                f'{list(cls.names())}')
        return cls(**values)

    def __post_init__(self):
        self.budget = _checked_budget(self.budget)
        if self.budget.get('target_from'):
            self.target_groups = self.budget.pop('target_groups')
        self.latency_table = self.budget.pop('latency_table', None)
        self.input_shape = tuple(int(s) for s in self.input_shape)
        if len(self.input_shape) < 2:
            raise BudgetError(f'input_shape must be (N, C, ...), got '
                              f'{self.input_shape}')
        if not isinstance(self.prune_residual, bool):
            raise SettingsError(f'prune_residual must be True or False, '
                                f'got {self.prune_residual!r}')
        self.exclude, self.decouple, self.fold = (
            tuple(self.exclude), tuple(self.decouple), tuple(self.fold))
        check_floors(self.min_channels, self.round_to, self.min_ratio)
        self.criterion = canonical_criterion(self.criterion)
        if self.criterion != 'pas' and self.criterion not in CRITERIA:
            raise CriterionError(f'criterion must be pas or one of '
                                 f'{CRITERIA}, got {self.criterion!r}')
        if not isinstance(self.criterion_batches, int) or \
                self.criterion_batches < 1:
            raise CriterionError('criterion_batches must be an int >= 1, '
                                 f'got {self.criterion_batches!r}')
        if self.transfer is not None:
            if not isinstance(self.transfer, dict) or \
                    set(self.transfer) - set(TRANSFER_KEYS) or \
                    'width_spec' not in self.transfer:
                keys = sorted(self.transfer) if isinstance(
                    self.transfer, dict) else self.transfer
                raise TransferError(
                    'transfer needs dict(width_spec=PATH, channels=..., '
                    f'prefix_map=...), got {keys}')
            if self.criterion != 'pas':
                raise TransferError('use either transfer or criterion, not '
                                    'both')
        self.distill = check_distill(self.distill)
        if self.distill is not None and not self.pretrained:
            raise SettingsError('distill needs pretrained: the teacher is '
                                'the trained, unpruned network')

    @property
    def target_ratio(self) -> float:
        return self.budget['target_ratio']

    @property
    def hinge(self) -> bool:
        return self.budget['mode'] == 'hinge'

    def search_budget(self) -> Budget:
        """The budget the search is given (target, weight, mode, cost
        attribution)."""
        return Budget(**{k: self.budget[k] for k in SEARCH_BUDGET_KEYS})


def _checked_budget(budget: Optional[dict]) -> dict:
    budget = {**dict(target_ratio=0.5, weight=1.0, mode='two-sided',
                     attribution=DEFAULT_ATTRIBUTION, metric='macs'),
              **(budget or {})}
    unknown = set(budget) - set(BUDGET_KEYS)
    if unknown:
        raise BudgetError(f'unknown budget keys {sorted(unknown)}; '
                          'use target_ratio or target_from, weight, mode, '
                          'metric, table')
    metric = budget['metric']
    if metric not in METRICS:
        raise BudgetError(f'budget.metric must be one of {METRICS}, got '
                          f'{metric!r}')
    if (metric == 'latency') != bool(budget.get('table')):
        raise BudgetError("budget.table (a latency table) goes with "
                          "metric='latency', and only with it")
    if metric == 'latency':
        budget['latency_table'] = load_latency_table(budget['table'])
    if budget.get('target_from'):
        spec = load_width_spec(budget['target_from'])
        ratio = spec.get(metric, {}).get('ratio')
        if not isinstance(ratio, (int, float)):
            raise BudgetError(f"budget.target_from {budget['target_from']}: "
                              f'the width spec records no {metric} ratio')
        budget['target_ratio'] = float(ratio)
        budget['target_groups'] = {n: g['channels']
                                   for n, g in spec['groups'].items()}
    Budget(**{k: budget[k] for k in SEARCH_BUDGET_KEYS})  # the one check
    return budget


def weights_from_checkpoint(model_cfg: dict) -> dict:
    """``model_cfg`` for building a PaS model whose weights come from a
    checkpoint of its own (export, test, latency): no ``pretrained`` to
    load, and no distillation teacher, which only training uses."""
    model_cfg['pretrained'] = None
    model_cfg.pop('distill', None)
    return model_cfg
