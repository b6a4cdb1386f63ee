"""Measuring a model: MACs and parameters (mmengine.analysis), latency."""
import torch

from pas_mm.core.cost.latency import median_ms
from pas_mm.core.search.space import GATES_ATTR
from .errors import DeviceError, ModelLoadError
from .model_runner import flops_inputs, inference_fn


def human_count(n, unit=''):
    """3 significant figures with a K/M/G prefix: tiny models stay
    readable (17.7 M, not 0.0177 G)."""
    for factor, prefix in ((1e9, 'G'), (1e6, 'M'), (1e3, 'K')):
        if abs(n) >= factor:
            return f'{n / factor:.3g} {prefix}{unit}'
    return f'{n:.3g} {unit}'.rstrip()


def count_macs(model, scope, shape, modules=None) -> dict:
    """MACs and parameters by mmengine.analysis, in total and per module.

    Args:
        model (nn.Module): a model built by ``load_model``.
        scope (str): its toolkit (mmpretrain, mmdet, mmagic).
        shape (tuple): input (H, W).
        modules (Sequence[str], optional): sub-modules reported separately
            (default: the top-level children).
    """
    from mmengine.analysis import parameter_count

    from pas_mm.compat.flop_handles import flop_analyzer
    module, inputs = flops_inputs(model, scope, shape)
    analyzer = flop_analyzer(module, inputs)
    # with gradients on: under no_grad an eval nn.MultiheadAttention takes
    # its fused fast path, which mmengine.analysis counts as nothing
    by_module = analyzer.by_module()
    params = parameter_count(model)
    prefix = 'model.'
    if modules is None:
        modules = [n for n, _ in model.named_children()
                   if n not in ('data_preprocessor', GATES_ATTR)]
    parts = {}
    for name in modules:
        key = prefix + name
        if key not in by_module:
            raise ModelLoadError(f'no sub-module {name!r} in '
                                 f'{type(model).__name__}')
        parts[name] = dict(macs=int(by_module[key]),
                           params=int(params.get(name, 0)))
    return dict(model=type(model).__name__, scope=scope,
                input_shape=[1, 3, *shape], macs=int(by_module['']),
                params=int(params['']), modules=parts)


def measure(run, warmup, iters, cuda=False):
    """Median seconds of ``run()`` after ``warmup`` untimed calls."""
    return interleaved_medians({'run': run}, warmup, iters, cuda)['run']


def benchmark(model, scope, shape, batch_sizes, warmup, iters, device,
              channels_last=False):
    """Median latency per batch size: [dict(batch, ms_per_batch,
    ms_per_image, images_per_s)]."""
    if device == 'cuda':
        if not torch.cuda.is_available():
            raise DeviceError('--device cuda but CUDA is not available')
        model = model.cuda()
    rows = []
    for batch in batch_sizes:
        run = inference_fn(model, scope, shape, batch, device,
                           channels_last)
        sec = measure(run, warmup, iters, cuda=device == 'cuda')
        rows.append(dict(batch=batch, ms_per_batch=sec * 1e3,
                         ms_per_image=sec * 1e3 / batch,
                         images_per_s=batch / sec))
    return rows


def interleaved_medians(runs, warmup, iters, cuda=False):
    """Median seconds of each callable in ``runs`` (name -> callable),
    timed in turns: every round calls each once, in an order that rotates
    by one each round, so that a slow spell of a shared machine falls on
    all of them alike. ``warmup`` untimed rounds come first (the timer is
    ``pas_mm.core.cost.latency.median_ms``)."""
    ms = median_ms(runs, repeats=iters, warmup=warmup,
                   sync=torch.cuda.synchronize if cuda else None)
    return {n: v / 1e3 for n, v in ms.items()}
