"""Readable summaries of searched widths: per layer and per stage.

A stage is a coarse label derived from a group's name (ResNet ``layerN``,
``stem``, FPN ``neck``, mmagic UNet levels, else the first name part), so
the same rule serves the run summary and the cross-task report.
"""
import re
from collections import OrderedDict
from typing import Dict, Tuple


def stage_of(name: str) -> str:
    """A coarse stage label for a group name (ResNet, FPN, UNet, ...)."""
    m = re.search(r'layer(\d+)', name)
    if m:
        return f'layer{m.group(1)}'
    if re.match(r'(architecture\.)?backbone\.(conv1|stem)', name):
        return 'stem'
    if name.startswith('neck') or name.startswith('architecture.neck'):
        return 'neck'
    unet = re.match(r'\w+\.model\.((model\.1\.)*)', name)
    if unet and '.model.model.' in name:  # mmagic UNet: nesting = U level
        return f'unet-level{unet.group(1).count("model.1.") + 1}'
    parts = name.split('.')
    if parts[0] == 'architecture' and len(parts) > 1:
        return parts[1]
    return parts[0]


def per_stage(layer_widths: Dict[str, Tuple[int, int]]):
    """Stage -> (kept, total) channels, in first-seen order."""
    out = OrderedDict()
    for name, (kept, total) in layer_widths.items():
        k, c = out.get(stage_of(name), (0, 0))
        out[stage_of(name)] = (k + kept, c + total)
    return out


def spec_layer_widths(spec: dict):
    """Group name -> (kept, total) from a width spec."""
    return OrderedDict((n, (g['kept'], g['channels']))
                       for n, g in spec['groups'].items())


def summary_lines(spec: dict):
    """Log lines: one per stage, then one per layer, as kept/total."""
    widths = spec_layer_widths(spec)
    stages = ', '.join(f'{s} {k}/{c} ({k / c:.2f})'
                       for s, (k, c) in per_stage(widths).items())
    lines = [f'PaS final widths per stage: {stages}']
    lines += [f'  {n}: {k}/{c}' for n, (k, c) in widths.items()]
    return lines
