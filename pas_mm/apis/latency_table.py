"""Latency tables of a PaS search config (tools/analysis/
build_latency_table.py): every layer the search can resize, timed
standalone at its traced input size over a grid of kept widths, and the
whole searched network and a uniform prune of it, interleaved (the
untabled remainder's calibration), at one batch size on one device."""
import copy
from typing import Optional

import torch

from pas_mm.core.latency import (build_latency_table, calibrate_remainder,
                                 median_ms, tabled_share)
from pas_mm.models.utils.inputs import trace_fn
from .cli import die
from .model_runner import load_model


def _on_device(device: str):
    """``to(layer, x) -> run`` for ``build_latency_table`` (None: CPU)."""
    if device == 'cpu':
        return None
    if not torch.cuda.is_available():
        die('--device cuda: no CUDA device is available here')

    def to(layer, x):
        layer, x = layer.cuda(), x.cuda()
        return lambda: layer(x)
    return to


def _uniform_network(space, net, run, ratio: float):
    """A compact copy of ``net`` at uniform widths of ``ratio`` MACs (the
    remainder's calibration point); the space's gates keep those widths."""
    from pas_mm.core import apply_width_spec, prune_by_criterion
    from pas_mm.core.width_spec import make_width_spec
    prune_by_criterion(space, 'uniform', ratio)
    spec = make_width_spec(space, {n: g.kept_indices()
                                   for n, g in space.gates.items()})
    compact = copy.deepcopy(net)
    apply_width_spec(compact, spec, forward_fn=run)
    return compact.eval()


def measure_latency_table(config: str, batch: int = 1, points: int = 5,
                          repeats: int = 20, device: str = 'cpu',
                          checkpoint: Optional[str] = None,
                          calibration_ratio: float = 0.5) -> dict:
    """The latency table of ``config``'s search space (see
    ``pas_mm.core.latency.build_latency_table``), its remainder calibrated
    on a uniform prune to ``calibration_ratio`` of the MACs, timed
    interleaved with the full network in one process."""
    model, cfg, scope = load_model(config, checkpoint)
    space = getattr(model, 'space', None)
    if space is None:
        die(f'{config} is not a PaS search config (its model has no search '
            'space)')
    settings = model.settings
    net = space.model.eval()
    shape = (batch, *settings.input_shape[1:])
    x = torch.randn(shape)
    run = trace_fn(settings.trace_mode)
    uniform = _uniform_network(space, net, run, calibration_ratio)
    to = _on_device(device)
    if to is not None:
        net, uniform, x = net.cuda(), uniform.cuda(), x.cuda()

    sync = None if to is None else torch.cuda.synchronize
    ms = median_ms({'full': lambda: run(net, x),
                    'uniform': lambda: run(uniform, x)}, repeats, sync=sync)

    def gated(layout):
        return any(g is not None for g, _ in space.segments(layout))

    if to is not None:
        net.cpu()
    table = build_latency_table(
        net, space.graph, gated, ms['full'], batch=batch, points=points,
        repeats=repeats, to=to,
        timer=lambda runs, n: median_ms(runs, n, sync=sync))
    calibrate_remainder(table, space.graph, lambda lay: space.kept(lay),
                        ms['uniform'])
    table['remainder']['calibration']['macs_ratio'] = space.macs_ratio()
    table.update(config=config, device=device, backend='torch',
                 input_shape=list(shape), torch=torch.__version__,
                 tabled_share=tabled_share(table))
    return table


def predicted_vs_measured(config: str, table: dict, specs: dict,
                          repeats: int = 20) -> list:
    """For each width spec (name -> spec): the latency its table predicts
    and the latency of the compact network measured, all timed in one
    process, interleaved, at the table's batch size (CPU).

    Returns:
        list[dict]: ``name, predicted_ms, measured_ms`` and their ratios
        to the full network's (``full`` first).
    """
    from pas_mm.core import WidthSpecError, apply_width_spec
    from pas_mm.core.latency import graph_latency
    model, cfg, scope = load_model(config)
    space = getattr(model, 'space', None)
    if space is None:
        die(f'{config} is not a PaS search config')
    settings = model.settings
    net = space.model.eval()
    run = trace_fn(settings.trace_mode)
    shape = (table['batch'], *settings.input_shape[1:])
    nets, predicted = {'full': net}, {'full': table['full_ms']}
    for name, spec in specs.items():
        compact = copy.deepcopy(net)
        try:
            apply_width_spec(compact, spec, forward_fn=run)
        except WidthSpecError as e:
            die(f'{name}: {e}')
        nets[name] = compact.eval()
        with torch.no_grad():
            for group, gate in space.gates.items():
                gate.set_kept(torch.as_tensor(
                    spec['groups'][group]['indices']))
            predicted[name] = float(graph_latency(
                space.graph, lambda lay: space.kept(lay), table))
    x = torch.randn(shape)
    measured = median_ms({k: (lambda m=m: run(m, x)) for k, m in
                          nets.items()}, repeats)
    return [dict(name=k, predicted_ms=predicted[k], measured_ms=measured[k],
                 predicted_ratio=predicted[k] / predicted['full'],
                 measured_ratio=measured[k] / measured['full'])
            for k in nets]
