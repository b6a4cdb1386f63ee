"""Transfer searched widths from one model to another.

A width spec searched on one task (e.g. an ImageNet ResNet-50) names its
groups by module path. Another model with the same sub-network under the
same names (the ResNet-50 backbone of a Mask R-CNN) can take those widths:
every group of the spec must exist in the target with the same channel
count; target groups the spec does not name keep all their channels.

Which channels to keep is a separate choice. The spec's ``indices`` only
mean something when both models share the same trained weights; after
fine-tuning on another task they do not, so by default the kept count of
each group is filled with the target's own highest-scoring channels under
a criterion (``l1`` filter norms or ``bn-gamma``).
"""
from typing import Dict, Optional

import torch

from ..criteria.prune import OWN_CRITERIA, canonical_criterion, channel_scores
from ..errors import TransferError
from ..search.space import SearchSpace
from .width_spec import checked_indices, match, validate_width_spec

CHANNEL_CHOICES = ('indices', ) + OWN_CRITERIA


def transfer_widths(space: SearchSpace, spec: dict, channels: str = 'l1',
                    prefix_map: Optional[Dict[str, str]] = None,
                    source: str = 'width spec',
                    scale_to: Optional[float] = None) -> dict:
    """Set the gates of ``space`` to the widths of ``spec`` and freeze them.

    Args:
        space (SearchSpace): the target's search space.
        spec (dict): a width spec searched on another model or task.
        channels (str): ``'indices'`` keeps the spec's own channel
            indices; ``'l1'``, ``'bn-gamma'`` or ``'uniform'`` keep the
            spec's count of the target's best channels under that
            criterion. Default: 'l1'.
        prefix_map (dict, optional): renames spec groups,
            ``{'backbone.': 'backbone.'}`` style (first matching prefix
            wins). Default: None.
        source (str): how errors name the spec. Default: 'width spec'.
        scale_to (float, optional): a MACs ratio of the target's search
            scope. The transferred widths, and the full widths of the
            groups the spec does not name, are then scaled by one common
            factor until the target's MACs reach it: the per-layer shape
            transfers, the budget is the target's own (e.g. a detector
            whose FPN the classification spec does not cover). Default:
            None (the spec's widths as they are).

    Returns:
        dict: ``dict(applied=[...], untouched=[...], ratio=MACs ratio)``.
    """
    validate_width_spec(spec, source)
    channels = canonical_criterion(channels)
    if channels not in CHANNEL_CHOICES:
        raise TransferError(f'transfer channels must be one of '
                            f'{CHANNEL_CHOICES}, got {channels!r}')
    wanted = match(space, spec, source, prefix_map, whole=False)
    scores = None if channels == 'indices' else channel_scores(space,
                                                               channels)
    keeps = {}
    for name, entry in wanted.items():
        gate = space.gates[name]
        if channels == 'indices':
            keep = entry['indices']
        else:
            kept = int(entry.get('kept', len(entry['indices'])))
            keep = torch.argsort(scores[name], descending=True,
                                 stable=True)[:kept]
        keeps[name] = checked_indices(name, keep, gate.num_channels, source)
    with torch.no_grad():
        if scale_to is None:
            for name, keep in keeps.items():
                space.gates[name].set_kept(keep)
        else:
            _set_scalable_latents(space, keeps, scores)
            space.project_to_budget(scale_to)
    space.freeze()
    return dict(applied=sorted(wanted),
                untouched=sorted(set(space.gates) - set(wanted)),
                ratio=space.macs_ratio())


def _set_scalable_latents(space: SearchSpace, keeps: dict, scores) -> None:
    """Latents that keep ``keeps`` (full width elsewhere) at shift 0, and
    every group's width times ``exp(shift)`` at any other shift of
    ``project_to_budget``: channel ``r`` of a group of ``C`` that keeps
    ``k`` gets ``0.5 + log(k / (r + 0.5))``, with ``r`` its rank (the kept
    channels first, then the rest by score)."""
    for name, gate in space.gates.items():
        n = gate.num_channels
        keep = keeps.get(name)
        if keep is None:
            order = (torch.argsort(scores[name], descending=True,
                                   stable=True) if scores is not None
                     else torch.arange(n))
            k = n
        else:
            rest = torch.ones(n, dtype=torch.bool)
            rest[keep] = False
            others = rest.nonzero().flatten()
            if scores is not None:
                others = others[torch.argsort(scores[name][others],
                                              descending=True, stable=True)]
            order = torch.cat([keep, others])
            k = keep.numel()
        rank = torch.empty(n)
        rank[order] = torch.arange(n, dtype=torch.float)
        gate.set_scores(0.5 + torch.log(k / (rank + 0.5)))
