"""Torch-Pruning's importance criteria as baseline scores of a search space.

The scores come from Torch-Pruning's own importance classes
(``torch_pruning.importance``), imported, not re-written; only the mapping
onto pas-mm's channel groups is ours:

- Torch-Pruning's dependency graph is built on the plain model (the search
  space's input masks and gates removed for the duration,
  ``SearchSpace.unmasked``).
- For every pas-mm group, its first producer conv / linear whose output
  channels are the group's (in order) is the root of a Torch-Pruning
  pruning group over all of those channels. The importance of that group
  (Torch-Pruning reduces over every coupled layer: the residual adds, the
  norms, the consumers' input weights, and normalises per group) is the
  group's score.
- A global cut on those normalised scores then reaches the MACs target,
  as for every criterion (``prune_by_criterion``). Torch-Pruning's own
  global pruning cuts the same ranking at a channel count, not at MACs.

Torch-Pruning is optional (``requirements/benchmark.txt``); it is imported
only when a ``tp-*`` criterion is asked for.
"""
import gc
from typing import Callable, Dict, Optional

import torch
from torch import nn

from ..errors import CriterionError
from ..search.space import SearchSpace

# name -> (importance class in torch_pruning.importance, its kwargs,
# whether it reads gradients)
TP_CRITERIA = {
    # DepGraph's default: the group L2 magnitude, mean-normalised
    'tp-magnitude': ('GroupMagnitudeImportance', dict(p=2), False),
    # first-order Taylor (|w * dL/dw|), mean-normalised
    'tp-taylor': ('GroupTaylorImportance', dict(), True),
    # layer-adaptive magnitude (LAMP) normalisation of the L2 magnitude
    'tp-lamp': ('LAMPImportance', dict(p=2), False),
}


def needs_gradients(method: str) -> bool:
    """Whether a ``tp-*`` criterion scores from the task loss's
    gradients (calibration batches), not from the weights alone."""
    return method in TP_CRITERIA and TP_CRITERIA[method][2]


def _import_tp():
    try:
        import torch_pruning
    except ImportError as e:  # an optional, benchmark-only dependency
        raise CriterionError(
            'the tp-* criteria need torch-pruning (pip install -r '
            f'requirements/benchmark.txt): {e}') from None
    return torch_pruning


def _root_layer(space: SearchSpace, name: str, modules: dict):
    """The group's first producer conv / linear whose output channels are
    exactly the group's channels."""
    size = space.gates[name].num_channels
    for producer in space.groups[name].producers:
        layer = modules.get(producer)
        if isinstance(layer, nn.modules.conv._ConvNd):
            if layer.out_channels == size:
                return layer
        elif isinstance(layer, nn.Linear) and layer.out_features == size:
            return layer
    return None


def tp_channel_scores(space: SearchSpace, method: str, example_inputs,
                      forward_fn: Optional[Callable] = None,
                      backward: Optional[Callable[[], None]] = None
                      ) -> Dict[str, torch.Tensor]:
    """Per-group channel scores from a Torch-Pruning importance.

    Args:
        space (SearchSpace): the search space of the trained model.
        method (str): one of ``TP_CRITERIA``.
        example_inputs (Tensor | tuple): the inputs Torch-Pruning traces
            the model with (a tuple: positional inputs).
        forward_fn (callable, optional): ``forward_fn(model, *inputs)``, as
            for ``build_search_space``. Defaults to None
            (``model(*inputs)``).
        backward (callable, optional): fills the weights' ``.grad`` with
            the task loss's gradient on calibration data; required by
            gradient criteria (``tp-taylor``). Defaults to None.

    Returns:
        dict[str, Tensor]: group name -> one score per channel.
    """
    if method not in TP_CRITERIA:
        raise CriterionError(f'unknown Torch-Pruning criterion {method!r}; '
                             f'choose from {tuple(TP_CRITERIA)}')
    cls_name, kwargs, uses_grad = TP_CRITERIA[method]
    if uses_grad and backward is None:
        raise CriterionError(f'criterion {method!r} needs calibration '
                             'batches (the gradients of the task loss)')
    tp = _import_tp()
    importance = getattr(tp.importance, cls_name)(**kwargs)
    modules = dict(space.model.named_modules())
    inputs = example_inputs if isinstance(example_inputs, tuple) else (
        example_inputs, )
    run = forward_fn or (lambda m, *xs: m(*xs))
    with space.unmasked() as model:
        # Torch-Pruning calls forward_fn(model, example_inputs) once
        graph = tp.DependencyGraph().build_dependency(
            model, inputs, forward_fn=lambda m, xs: run(m, *xs),
            verbose=False)
        if uses_grad:
            model.zero_grad(set_to_none=True)
            backward()
        scores = {}
        for name, gate in space.gates.items():
            scores[name] = _group_scores(space, name, graph, importance,
                                         modules)
        if uses_grad:
            model.zero_grad(set_to_none=True)
    # Torch-Pruning's graph holds the autograd nodes of its trace in
    # reference cycles; alive, they keep each weight's gradient
    # accumulator with the weight's full shape, and the first backward
    # after an in-place export then fails on a shape mismatch. Free them
    # now, not whenever the collector runs.
    del graph
    gc.collect()
    return scores


def _group_scores(space, name, graph, importance, modules) -> torch.Tensor:
    size = space.gates[name].num_channels
    layer = _root_layer(space, name, modules)
    if layer is None:
        raise CriterionError(
            f'group {name!r}: no producer conv / linear with its {size} '
            'output channels to root a Torch-Pruning group at')
    pruner = graph.get_pruner_of_module(layer)
    group = graph.get_pruning_group(layer, pruner.prune_out_channels,
                                    idxs=list(range(size)))
    with torch.no_grad():
        score = importance(group)
    if score is None or score.numel() != size:
        raise CriterionError(
            f'group {name!r}: Torch-Pruning scored '
            f'{0 if score is None else score.numel()} of its {size} '
            'channels')
    return score.detach().float().cpu()
