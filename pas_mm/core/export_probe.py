"""A trial export before a search of residual widths.

With ``prune_residual=True`` the search also cuts widths that a model's
blocks read as plain numbers (``B, N, C = x.shape``) and then use to shape
other tensors: PVT's spatial reduction reshapes its conv's output by the
stream's ``C``, Twins splits ``qkv`` by ``C // num_heads``. The trace
cannot see where a number came from, so such a model would only fail
after the search, when its compact form runs.

``probe_export`` finds those modules first: on a copy of the model it
builds the same space, closes about half of every gate at random, exports
and runs the compact copy. The module the compact copy fails in (or, for
a torch layer, the nearest module around it that is not one) is kept
whole, every module of its class with it (its siblings read their widths
the same way), and the trial repeats until the compact copy runs and
equals the gated one. Kept whole (``keep_whole``), not excluded: the
modules' MACs still count, so the budget's ratio is still of the whole
model.
"""
import copy
import warnings
from typing import List

import torch
from torch import nn

from .compact.export import export, max_rel_diff
from .errors import UnsupportedOpError
from .search.space import build_search_space

MAX_ROUNDS = 6
EXACT = 1e-4


def prune_half_at_random(space, seed: int = 0) -> None:
    """Switch about half of every gate's latents off (at least one kept):
    the trial export here, and the zoo's check."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for gate in space.gates.values():
            u = torch.rand(gate.latent.shape, generator=gen)
            gate.latent.copy_(torch.where(u < 0.5, 1.0, 0.2))
            if gate.kept_indices().numel() == 0:
                gate.latent[0] = 1.0


def _failing_module(model: nn.Module, run):
    """Run ``run(model)``; (output, None) or (None, (module name, error))
    for the innermost module that was running when it raised."""
    running, handles = [], []

    def leave(module, args, output):  # returns None: the output stays
        running.pop()

    for name, module in model.named_modules():
        handles.append(module.register_forward_pre_hook(
            lambda m, a, name=name: running.append(name)))
        handles.append(module.register_forward_hook(leave))
    try:
        with torch.no_grad():
            return run(model), None
    except Exception as e:  # the compact copy's failure, located
        return None, (running[-1] if running else '', e)
    finally:
        for handle in handles:
            handle.remove()


def probe_export(model: nn.Module, example_inputs, *, forward_fn=None,
                 keep_whole=(), **space_kwargs) -> List[str]:
    """The modules to keep whole so that the space's export runs.

    Args:
        model (nn.Module): the model to search (it is copied, not changed).
        example_inputs (Tensor | tuple): the inputs of the trace.
        forward_fn (callable, optional): ``forward_fn(model, *inputs)``.
            Default: None.
        keep_whole (Sequence[str]): the modules already kept whole.
            Default: ().
        **space_kwargs: the other ``build_search_space`` arguments.

    Returns:
        list[str]: module names to add to ``keep_whole`` (empty when the
        trial export runs as it is); a warning names each class kept
        whole.
    """
    if isinstance(example_inputs, torch.Tensor):
        example_inputs = (example_inputs, )

    def run(m):
        return m(*example_inputs) if forward_fn is None else \
            forward_fn(m, *example_inputs)

    added: List[str] = []
    for _ in range(MAX_ROUNDS):
        trial = copy.deepcopy(model).eval()
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            space = build_search_space(
                trial, example_inputs, forward_fn=forward_fn,
                keep_whole=tuple(keep_whole) + tuple(added), **space_kwargs)
        prune_half_at_random(space)
        with torch.no_grad():
            gated = run(trial)
        compact, _ = export(space)
        out, failure = _failing_module(compact, run)
        if failure is None:
            diff = max_rel_diff(gated, out)
            if diff > EXACT:
                warnings.warn(f'a trial export of {type(model).__name__} '
                              f'differs from its gated model by {diff:.1e}: '
                              'widths it reads as numbers may be pruned')
            return added
        name, error = failure
        while name and type(compact.get_submodule(name)).__module__.startswith(
                'torch.nn'):
            # a torch layer fails on a width its parent shaped: blame that
            name = name.rpartition('.')[0]
        cls = type(compact.get_submodule(name)) if name else None
        if not name or cls in (nn.Sequential, nn.ModuleList):
            raise UnsupportedOpError(
                f'the compact {type(model).__name__} fails in '
                f'{name or "its own forward"!r} ({type(error).__name__}: '
                f'{str(error).splitlines()[0] if str(error) else ""}): a '
                'width it reads as a number was pruned; search without '
                'prune_residual')
        names = [n for n, m in trial.named_modules() if type(m) is cls]
        warnings.warn(
            f'the compact {type(model).__name__} fails in {name!r} '
            f'({type(error).__name__}): {cls.__name__} reads a width as a '
            f'number; its {len(names)} module(s) are kept whole')
        added += [n for n in names if n not in added]
    raise UnsupportedOpError(
        f'the compact {type(model).__name__} still fails with {len(added)} '
        'modules kept whole; search without prune_residual')
