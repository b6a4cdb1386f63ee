import torch


def trace_inputs(shape, seed: int = 0):
    """A fixed random example input: the same trace on every rank and run."""
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(tuple(shape), generator=gen), )
