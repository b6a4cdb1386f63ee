import torch

from pas_mm.core.search.space import GATES_ATTR


def trace_inputs(shape, seed: int = 0):
    """A fixed random example input: the same trace on every rank and run."""
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(tuple(shape), generator=gen), )


def trace_fn(trace_mode: str):
    """How an OpenMMLab model is run for the channel trace.

    'tensor' calls ``model(x, mode='tensor')`` (classifiers: features and
    head); any other string names a method, e.g. 'extract_feat' (detectors:
    backbone + neck) or 'forward' for a bare generator; 'each' runs every
    network of a ModuleDict on the input (the generators of a GAN).
    """
    if trace_mode == 'tensor':
        return lambda model, x: model(x, mode='tensor')
    if trace_mode == 'each':
        return _run_each
    return lambda model, x: getattr(model, trace_mode)(x)


def _run_each(modules, x):
    return [m(x) for name, m in modules.items() if name != GATES_ATTR]
