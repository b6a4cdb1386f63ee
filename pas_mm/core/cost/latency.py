"""A measured-latency cost: per-layer latency tables over a grid of kept
widths, interpolated at the (differentiable) kept counts.

MACs are not latency: at small inputs a pruned layer gets faster by far
less than its MACs fall. A latency table measures every layer whose width
the search changes, standalone at its traced input size, over a grid of
kept input x output widths. The rest of the network (norms, activations,
pads, adds, and the layers the search cannot change) is the measured full
latency minus the tabled layers at full width. Part of that remainder
shrinks with the channels (the element-wise ops behind every resized
layer), part does not:

    rest(kept) = rest_full * (1 - beta + beta * act(kept) / act_full)

where ``act`` counts the output elements of the tabled layers, and
``beta`` comes from a second network measured beside the full one
(``calibrate_remainder``; 0 for a table without it). A runtime that pays a
fixed cost per call (an onnxruntime session run) has an identity call on
each layer's input timed beside it and subtracted (``call_overhead``), as
the whole network pays that cost once. The search's latency,
``rest(kept) + sum(table at the kept widths)``, is bilinear in the kept
counts, so the budget loss has gradients as it has with MACs. Nothing
here knows a toolkit; the timer is passed in.
"""
import os
import statistics
import time
import warnings
from typing import Callable, Dict, List, Optional, Sequence

import torch
from torch import nn

from ..errors import BudgetError
from ..io import read_json, write_json
from ..trace.graph import ChannelGraph, LayerCall
from ..trace.layer_rules import rule_of

TABLE_VERSION = 1


def width_grid(channels: int, points: int = 5) -> List[int]:
    """``points`` widths from about ``channels / points`` to ``channels``
    (ascending, distinct, at least 1)."""
    if points < 2 or channels <= 1:
        return [channels]
    grid = {max(1, round(channels * (k + 1) / points))
            for k in range(points)}
    return sorted(grid | {channels})


def standalone_layer(module: nn.Module, call: LayerCall, c_in: int,
                     c_out: int) -> nn.Module:
    """A fresh layer of ``module``'s kind and geometry with ``c_in`` /
    ``c_out`` channels (random weights: latency does not read them)."""
    return rule_of(call.kind).standalone(module, call, c_in, c_out)


def layer_input(call: LayerCall, batch: int, c_in: int) -> torch.Tensor:
    """A random input of the traced size with ``c_in`` channels."""
    shape = list(call.in_shape)
    shape[0] = batch
    shape[rule_of(call.kind).channel_dim] = c_in
    return torch.randn(shape)


def _output_positions(layer: nn.Module, call: LayerCall, c_in: int) -> int:
    """Output elements per channel and sample of a layer call (what the
    element-wise ops behind it touch per kept channel)."""
    with torch.no_grad():
        out = layer(layer_input(call, 1, c_in))
    channels = out.shape[rule_of(call.kind).channel_dim]
    return out.numel() // channels


#: oneDNN's environment variable for its cache of compiled primitives
PRIMITIVE_CACHE_ENV = 'ONEDNN_PRIMITIVE_CACHE_CAPACITY'


def reserve_primitive_cache(capacity: int = 65536) -> int:
    """Let oneDNN keep ``capacity`` compiled primitives (its default: 1024,
    least recently used first out) before it first builds one.

    Dozens of models timed interleaved overflow the default: each call then
    recompiles what the models before it in the round evicted, and a figure
    depends on its neighbours (identical widths measured 10.0 against
    5.8 ms at batch 32 among 73 proxy ResNets). Call it before any
    convolution runs: oneDNN reads the variable once. A smaller value
    already set is kept, with a warning. Returns the capacity in force.
    """
    current = os.environ.setdefault(PRIMITIVE_CACHE_ENV, str(capacity))
    if int(current) < capacity:
        warnings.warn(f'{PRIMITIVE_CACHE_ENV}={current} is below '
                      f'{capacity}: interleaved timings of many models may '
                      'depend on their neighbours', stacklevel=2)
    return int(current)


def median_ms(runs: Dict[str, Callable[[], object]], repeats: int = 20,
              warmup: int = 3,
              sync: Optional[Callable[[], None]] = None) -> Dict[str, float]:
    """Median milliseconds of each ``runs[key]()``, timed interleaved (one
    call of each per round, the order rotated every round) after
    ``warmup`` untimed rounds, so that a busy machine slows all alike.
    ``sync`` (e.g. ``torch.cuda.synchronize``) runs before and after each
    timed call. pas-mm's one timer: the tools' latency figures use it."""
    keys = list(runs)
    times = {k: [] for k in keys}
    with torch.no_grad():
        for r in range(warmup + repeats):
            order = keys[r % len(keys):] + keys[:r % len(keys)]
            for k in order:
                if sync is not None:
                    sync()
                start = time.perf_counter()
                runs[k]()
                if sync is not None:
                    sync()
                if r >= warmup:
                    times[k].append((time.perf_counter() - start) * 1e3)
    return {k: statistics.median(v) for k, v in times.items()}


def build_latency_table(model: nn.Module, graph: ChannelGraph,
                        gated: Callable[[object], bool], full_ms: float,
                        batch: int = 1, points: int = 5, repeats: int = 20,
                        timer=median_ms, to=None,
                        call_overhead: bool = False) -> dict:
    """Measure every layer call whose width the search changes.

    Args:
        model (nn.Module): the traced model (its layers give the geometry).
        graph (ChannelGraph): its trace.
        gated (callable): layout -> whether a gate changes its width.
        full_ms (float): the whole model's measured latency at ``batch``.
        batch (int): the batch size of the timings. Default: 1.
        points (int): grid points per width axis. Default: 5.
        repeats (int): timed calls per grid point. Default: 20.
        timer (callable): ``timer(runs, repeats)`` -> median ms per key
            (:func:`median_ms`, or another backend's). Default:
            :func:`median_ms`.
        to (callable, optional): moves a layer and its input to the
            timing device (``to(layer, x) -> run``). Default: None (CPU).
        call_overhead (bool): time an identity call on each layer's input
            beside it and subtract it from the layer's figures (clamped at
            0), for a runtime whose every call pays a fixed cost that the
            whole network pays once (an onnxruntime session run).
            Default: False.

    Returns:
        dict: the table (``save_latency_table`` writes it).
    """
    modules = dict(model.named_modules())
    layers = {}
    for name, calls in graph.calls.items():
        entries = []
        for index, call in enumerate(calls):
            if not rule_of(call.kind).timed or call.pinned or \
                    call.in_shape is None or not (
                        gated(call.in_layout) or gated(call.out_layout)):
                continue
            c_in, c_out = call.in_layout.size, call.out_layout.size
            ins = width_grid(c_in, points) if gated(call.in_layout) \
                else [c_in]
            outs = [0] if rule_of(call.kind).same_channels else (
                width_grid(c_out, points) if gated(call.out_layout)
                else [c_out])
            runs = {}
            probe = standalone_layer(modules[name], call, c_in, c_out).eval()
            positions = _output_positions(probe, call, c_in)
            for i in ins:
                for o in outs:
                    layer = standalone_layer(modules[name], call, i,
                                             o or i).eval()
                    x = layer_input(call, batch, i)
                    runs[f'{i}x{o}'] = (to(layer, x) if to else
                                        (lambda m=layer, t=x: m(t)))
            if call_overhead:
                x = layer_input(call, batch, c_in)
                runs['overhead'] = (to(nn.Identity(), x) if to else
                                    (lambda t=x: t))
            ms = timer(runs, repeats)
            overhead = ms.pop('overhead', 0.0)
            entry = dict(call=index, ins=ins, outs=outs,
                         out_positions=positions,
                         ms=[[max(ms[f'{i}x{o}'] - overhead, 0.0)
                              for o in outs] for i in ins])
            if call_overhead:
                entry['overhead_ms'] = overhead
            entries.append(entry)
        if entries:
            layers[name] = entries
    return dict(version=TABLE_VERSION, batch=batch, full_ms=float(full_ms),
                layers=layers)


def save_latency_table(table: dict, path: str) -> None:
    write_json(path, table)


def load_latency_table(path: str) -> dict:
    """Read and check a table; one clear error names what is wrong."""
    table = read_json(path, BudgetError, 'latency table')
    if not isinstance(table, dict) or table.get('version') != \
            TABLE_VERSION or not isinstance(table.get('layers'), dict) or \
            not table.get('full_ms', 0) > 0:
        raise BudgetError(f'latency table {path}: not a version '
                          f'{TABLE_VERSION} table (layers, full_ms > 0)')
    if 'remainder' in table and not all(
            'out_positions' in e for es in table['layers'].values()
            for e in es):
        raise BudgetError(f'latency table {path}: a calibrated remainder '
                          'needs out_positions in every entry')
    return table


def _axis(grid: Sequence[int], value):
    """(index below, weight of the one above) of ``value`` on ``grid``;
    clamped to the grid, differentiable in ``value``.

    On a grid point the weight keeps the slope of the segment below it
    (the one a cut moves into). Only a value outside the grid is clamped:
    ``clamp`` passes no gradient at its bounds, and kept counts sit on grid
    points all the time, the full width first of all, which left a search
    no latency gradient at its start.
    """
    if len(grid) == 1:
        return 0, 0.0
    k = 0
    v = float(value.detach()) if isinstance(value, torch.Tensor) else \
        float(value)
    while k < len(grid) - 2 and v > grid[k + 1]:
        k += 1
    lo, hi = grid[k], grid[k + 1]
    w = (value - lo) / (hi - lo)
    if lo <= v <= hi:
        return k, w
    return k, (0.0 if v < lo else 1.0)


def interpolate(entry: dict, c_in, c_out):
    """Bilinear latency of one table entry at ``c_in`` x ``c_out`` kept
    channels (numbers or tensors)."""
    ms = entry['ms']
    i, wi = _axis(entry['ins'], c_in)
    o, wo = _axis(entry['outs'], c_out)
    i2 = min(i + 1, len(entry['ins']) - 1)
    o2 = min(o + 1, len(entry['outs']) - 1)
    low = ms[i][o] * (1 - wo) + ms[i][o2] * wo
    high = ms[i2][o] * (1 - wo) + ms[i2][o2] * wo
    return low * (1 - wi) + high * wi


def _tabled(graph: ChannelGraph, kept, table: dict, own_layer=False):
    """Tabled milliseconds and output elements of the tabled layers, at
    full width and at ``kept``: ``(ms_full, ms, act_full, act)``; with
    ``own_layer`` a channel-mixing layer's entry reads its kept input
    width as a constant (see ``graph_latency``)."""
    ms_full = ms = act_full = act = 0.
    for name, entries in table['layers'].items():
        calls = graph.calls.get(name)
        if calls is None:
            raise BudgetError(f'latency table layer {name!r} is not in '
                              'the traced model')
        for entry in entries:
            call = calls[entry['call']]
            c_in, c_out = call.in_layout.size, call.out_layout.size
            k_in, k_out = kept(call.in_layout), kept(call.out_layout)
            mixes = rule_of(call.kind).mixes_channels
            ms_full = ms_full + interpolate(entry, c_in, c_out)
            ms = ms + interpolate(
                entry, k_in.detach() if own_layer and mixes and
                isinstance(k_in, torch.Tensor) else k_in, k_out)
            per = entry.get('out_positions', 0)
            dw = rule_of(call.kind).same_channels  # output is input
            act_full = act_full + per * (c_in if dw else c_out)
            act = act + per * (k_in if dw else k_out)
    return ms_full, ms, act_full, act


def graph_latency(graph: ChannelGraph, kept, table: dict,
                  own_layer: bool = False) -> object:
    """Milliseconds of the traced model at the kept widths (layout -> kept
    count, maybe a tensor): the tabled layers interpolated at ``kept``,
    plus the untabled remainder, scaled by ``beta`` (see the module).

    ``own_layer``: the original PaS code's cost attribution, as for MACs
    (``pas_mm.core.cost.macs.graph_macs``): a channel-mixing layer's kept
    input width is read as a constant, so a gate's gradient holds only the
    layers that produce its channels. The value is the same."""
    ms_full, ms, act_full, act = _tabled(graph, kept, table, own_layer)
    rest = table['full_ms'] - ms_full
    beta = table.get('remainder', {}).get('beta', 0.0)
    if beta and act_full:
        rest = rest * (1 - beta + beta * act / act_full)
    return rest + ms


def calibrate_remainder(table: dict, graph: ChannelGraph, kept,
                        measured_ms: float) -> float:
    """Fit the remainder's ``beta`` to one more measured network.

    Args:
        table (dict): a table from :func:`build_latency_table` (changed in
            place: ``table['remainder']``).
        graph (ChannelGraph): the trace the table was built on.
        kept (callable): layout -> kept channels of the measured network.
        measured_ms (float): its latency, measured in the same process as
            ``table['full_ms']`` (interleaved), so that the two compare.

    Returns:
        float: ``beta`` in [0, 1] (0: the remainder does not shrink).
    """
    ms_full, ms, act_full, act = (float(v) for v in
                                  _tabled(graph, kept, table))
    rest_full = table['full_ms'] - ms_full
    share = act / act_full if act_full else 1.0
    beta = 0.0
    if rest_full > 0 and share < 1.0:
        shrink = 1.0 - (measured_ms - ms) / rest_full
        beta = min(max(shrink / (1.0 - share), 0.0), 1.0)
    table['remainder'] = dict(beta=beta, full_ms=rest_full,
                              calibration=dict(measured_ms=measured_ms,
                                               tabled_ms=ms,
                                               activation_share=share))
    return beta


def tabled_share(table: dict) -> Optional[float]:
    """The share of the full latency the tabled layers take at full width
    (what the search can change, by the table)."""
    full = sum(e['ms'][-1][-1] for es in table['layers'].values()
               for e in es)
    return full / table['full_ms'] if table['full_ms'] else None
