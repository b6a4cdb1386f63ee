"""Latency tables of a PaS search config (tools/analysis/
build_latency_table.py): every layer the search can resize, timed
standalone at its traced input size over a grid of kept widths, and the
whole searched network and a uniform prune of it, interleaved (the
untabled remainder's calibration), at one batch size on one device."""
import copy
import io
from typing import Optional

import torch

from pas_mm.core.cost.latency import (build_latency_table, calibrate_remainder,
                                      median_ms, tabled_share)
from pas_mm.models.utils.inputs import trace_fn
from .errors import ConfigError, DeviceError, ModelLoadError
from .model_runner import TracedForward, load_model
from .onnx_export import cpu_session, export_onnx

BACKENDS = ('torch', 'onnxruntime')


def _onnxruntime_call(module, x: torch.Tensor):
    """``module(x)`` exported to ONNX in memory, as an onnxruntime CPU
    session call."""
    buf = io.BytesIO()
    export_onnx(module, x, buf)
    session = cpu_session(buf.getvalue())
    feed = {'input': x.cpu().numpy()}
    return lambda: session.run(None, feed)


def timed_call(backend: str = 'torch', device: str = 'cpu'):
    """``(make, sync)``: ``make(module, x)`` returns a call that runs
    ``module(x)`` on ``backend`` / ``device``; ``sync`` waits for the
    device (None on the CPU)."""
    if backend not in BACKENDS:
        raise DeviceError(f'--backend {backend!r} is not one of {BACKENDS}')
    if backend == 'onnxruntime':
        if device != 'cpu':
            raise DeviceError('--backend onnxruntime times on the CPU: use '
                              '--device cpu')
        return _onnxruntime_call, None
    if device == 'cpu':
        return (lambda m, x: (lambda: m(x))), None
    if device != 'cuda' or not torch.cuda.is_available():
        raise DeviceError(f'--device {device}: no such device is available '
                          'here')

    def on_cuda(module, x):
        module, x = module.cuda(), x.cuda()
        return lambda: module(x)
    return on_cuda, torch.cuda.synchronize


def _uniform_network(space, net, run, ratio: float):
    """A compact copy of ``net`` at uniform widths of ``ratio`` MACs (the
    remainder's calibration point); the space's gates keep those widths."""
    from pas_mm.core import apply_width_spec, prune_by_criterion
    from pas_mm.core.compact.width_spec import make_width_spec
    prune_by_criterion(space, 'uniform', ratio)
    spec = make_width_spec(space, {n: g.kept_indices()
                                   for n, g in space.gates.items()})
    compact = copy.deepcopy(net)
    apply_width_spec(compact, spec, forward_fn=run)
    return compact.eval()


def _search_network(config: str, checkpoint: Optional[str] = None):
    """``(space, net, run, input_shape)`` of a PaS search config: its
    search space, the unpruned network (eval mode), how it is run (as
    traced) and the traced input shape. It is built with a MACs budget:
    a latency-budget config's own table may not exist yet (building it is
    what this is for), and the budget plays no part in the timing."""
    model, _, _ = load_model(config, checkpoint, cfg_options={
        'model.budget.metric': 'macs', 'model.budget.table': None})
    space = getattr(model, 'space', None)
    if space is None:
        raise ConfigError(
            f'{config} is not a PaS search config (its model has no search '
            'space)')
    settings = model.settings
    return (space, space.model.eval(), trace_fn(settings.trace_mode),
            settings.input_shape)


def measure_latency_table(config: str, batch: int = 1, points: int = 5,
                          repeats: int = 20, device: str = 'cpu',
                          checkpoint: Optional[str] = None,
                          calibration_ratio: float = 0.5,
                          backend: str = 'torch') -> dict:
    """The latency table of ``config``'s search space (see
    ``pas_mm.core.cost.latency.build_latency_table``) on ``backend`` ('torch'
    eager, or 'onnxruntime': every layer and network exported to ONNX and
    timed in an onnxruntime CPU session), its remainder calibrated on a
    uniform prune to ``calibration_ratio`` of the MACs, timed interleaved
    with the full network in one process."""
    space, net, run, input_shape = _search_network(config, checkpoint)
    shape = (batch, *input_shape[1:])
    x = torch.randn(shape)
    uniform = _uniform_network(space, net, run, calibration_ratio)
    make, sync = timed_call(backend, device)
    ms = median_ms({'full': make(TracedForward(net, run), x),
                    'uniform': make(TracedForward(uniform, run), x)}, repeats,
                   sync=sync)
    net.cpu()

    def gated(layout):
        return any(g is not None for g, _ in space.segments(layout))

    table = build_latency_table(
        net, space.graph, gated, ms['full'], batch=batch, points=points,
        repeats=repeats, to=make,
        timer=lambda runs, n: median_ms(runs, n, sync=sync),
        call_overhead=backend == 'onnxruntime')
    calibrate_remainder(table, space.graph, lambda lay: space.kept(lay),
                        ms['uniform'])
    table['remainder']['calibration']['macs_ratio'] = space.macs_ratio()
    table.update(config=config, device=device, backend=backend,
                 input_shape=list(shape), torch=torch.__version__,
                 tabled_share=tabled_share(table))
    return table


def predicted_vs_measured(config: str, table: dict, specs: dict,
                          repeats: int = 20) -> list:
    """For each width spec (name -> spec): the latency its table predicts
    and the latency of the compact network measured, all timed in one
    process, interleaved, at the table's batch size, on its backend and
    device.

    Returns:
        list[dict]: ``name, predicted_ms, measured_ms`` and their ratios
        to the full network's (``full`` first).
    """
    from pas_mm.core import WidthSpecError, apply_width_spec
    from pas_mm.core.cost.latency import graph_latency
    space, net, run, input_shape = _search_network(config)
    shape = (table['batch'], *input_shape[1:])
    nets, predicted = {'full': net}, {'full': table['full_ms']}
    for name, spec in specs.items():
        compact = copy.deepcopy(net)
        try:
            apply_width_spec(compact, spec, forward_fn=run)
        except WidthSpecError as e:
            raise ModelLoadError(f'{name}: {e}')
        nets[name] = compact.eval()
        with torch.no_grad():
            for group, gate in space.gates.items():
                gate.set_kept(torch.as_tensor(
                    spec['groups'][group]['indices']))
            predicted[name] = float(graph_latency(
                space.graph, lambda lay: space.kept(lay), table))
    x = torch.randn(shape)
    make, sync = timed_call(table.get('backend', 'torch'),
                            table.get('device', 'cpu'))
    measured = median_ms({k: make(TracedForward(m, run), x) for k, m in
                          nets.items()}, repeats, sync=sync)
    return [dict(name=k, predicted_ms=predicted[k], measured_ms=measured[k],
                 predicted_ratio=predicted[k] / predicted['full'],
                 measured_ratio=measured[k] / measured['full'])
            for k in nets]
