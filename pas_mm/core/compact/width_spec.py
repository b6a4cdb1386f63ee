"""Width specs: the searched architecture as plain JSON.

    {"format": "pas-mm/width-spec@1", "model": "ResNet",
     "input_shapes": [[1, 3, 224, 224]], "scope": null, "exclude": [],
     "decouple": [], "macs": {"full": ..., "compact": ..., "ratio": ...},
     "groups": {"layer1.0.conv3": {"channels": 256, "kept": 128,
                                   "indices": [...], "layers": [...]}}}
"""
from typing import Dict, Optional

import torch

from ..errors import WidthSpecError
from ..io import read_json, write_json

FORMAT = 'pas-mm/width-spec@1'


def make_width_spec(space, keep) -> dict:
    graph = space.graph
    groups = {}
    for name, gate in space.gates.items():
        idx = keep[name].tolist()
        groups[name] = dict(channels=gate.num_channels, kept=len(idx),
                            indices=idx,
                            layers=list(space.groups[name].producers))
    compact = float(space.macs().detach())
    extra = {}
    if graph.prune_residual:  # re-traced the same way by apply_width_spec
        extra['prune_residual'] = True
    if graph.keep_whole:
        extra['keep_whole'] = list(graph.keep_whole)
    if space.metric == 'latency':  # what the table predicts for the spec
        ms = float(space.cost().detach())
        extra['latency'] = dict(full_ms=space.full_cost, predicted_ms=ms,
                                ratio=ms / space.full_cost,
                                batch=space.latency_table.get('batch'))
    return {
        'format': FORMAT,
        'model': type(space.model).__name__,
        'input_shapes': graph.input_shapes,
        'scope': list(graph.scope) if graph.scope else None,
        'exclude': list(graph.exclude),
        'decouple': list(graph.decouple),
        'fold': list(space.fold),
        'min_channels': space.min_channels,
        'min_ratio': getattr(space, 'min_ratio', 0.0),
        'round_to': space.round_to,
        'at_floor': _at_floor(space, keep),
        'macs': dict(full=space.full_macs, compact=compact,
                     ratio=compact / space.full_macs),
        'groups': groups,
        **extra,
    }


def _at_floor(space, keep) -> dict:
    """How many groups the collapse floor decided (kept == floor < all)."""
    names = sorted(n for n, g in space.gates.items()
                   if space.floor(g.num_channels) < g.num_channels and
                   keep[n].numel() <= space.floor(g.num_channels))
    return dict(count=len(names), groups=names)


def validate_width_spec(spec, source='width spec') -> dict:
    if not isinstance(spec, dict) or spec.get('format') != FORMAT:
        raise WidthSpecError(f'{source} is not a pas-mm width spec '
                             f'(expected "format": "{FORMAT}")')
    groups = spec.get('groups')
    if not isinstance(groups, dict) or not spec.get('input_shapes'):
        raise WidthSpecError(f'{source} lacks "groups" or "input_shapes"')
    for name, g in groups.items():
        if not isinstance(g, dict) or not {'channels', 'indices'} <= set(g):
            raise WidthSpecError(f'{source}: group {name!r} needs '
                                 '"channels" and "indices"')
    return spec


def save_width_spec(spec: dict, path: str) -> None:
    """Write atomically: a crash leaves the old file or none, never half."""
    write_json(path, spec)


def load_width_spec(path: str) -> dict:
    spec = read_json(path, WidthSpecError, 'width spec')
    return validate_width_spec(spec, source=f'width spec {path}')


def match(space, spec: dict, source: str = 'width spec',
          prefix_map: Optional[Dict[str, str]] = None,
          whole: bool = True) -> Dict[str, dict]:
    """The spec's groups matched to ``space``'s gates, by name: group name
    in the space -> the spec's entry. The one place a spec is matched to a
    model (``apply_width_spec``, ``transfer_widths``, ``target_from``).

    Args:
        space (SearchSpace): the model's search space.
        spec (dict): a validated width spec.
        source (str): how the error lines name the spec.
        prefix_map (dict, optional): renames the spec's group prefixes
            (``{'backbone.': 'architecture.backbone.'}``). Default: None.
        whole (bool): every gate must be in the spec too (the same search
            space); else a spec may cover only some. Default: True.

    Raises:
        WidthSpecError: a group in only one of them, or of another size.
    """
    matched = {}
    model = type(space.model).__name__
    for name, entry in spec['groups'].items():
        for old, new in (prefix_map or {}).items():
            if name.startswith(old):
                name = new + name[len(old):]
                break
        gate = space.gates.get(name)
        if gate is None:
            raise WidthSpecError(
                f'{source} does not match {model}: group {name!r} is not a '
                f'prunable group of {model} ({len(spec["groups"])} groups in '
                f'the spec, {len(space.gates)} in the model; check '
                'prefix_map and search scope)')
        if entry['channels'] != gate.num_channels:
            raise WidthSpecError(
                f'{source} group {name!r} has {entry["channels"]} channels, '
                f'the model has {gate.num_channels}')
        matched[name] = entry
    missing = sorted(set(space.gates) - set(matched))
    if whole and missing:
        raise WidthSpecError(
            f'{source} does not match {model}: group {missing[0]!r} is in '
            f'only one of them ({len(spec["groups"])} groups in the spec, '
            f'{len(space.gates)} in the model)')
    return matched


def checked_indices(name: str, indices, size: int,
                    source: str = 'width spec') -> torch.Tensor:
    """A group's kept channel indices, refused when empty or out of
    range."""
    idx = torch.as_tensor(indices, dtype=torch.long)
    if idx.numel() == 0 or int(idx.min()) < 0 or int(idx.max()) >= size:
        raise WidthSpecError(f'{source} group {name!r}: bad indices '
                             f'{list(indices)[:8]}')
    return idx
