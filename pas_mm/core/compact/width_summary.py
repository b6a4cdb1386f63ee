"""Readable summaries of searched widths: per layer and per stage.

A stage is a coarse label derived from the module tree the group names
spell (``stage_labels``: ResNet ``layerN``, CSPNeXt ``stageN``,
ShuffleNet ``layers.N``, ``stem``, a detector's ``neck``, mmagic UNet
levels), so the same rule serves the run summary and the cross-task
report.
"""
import re
from collections import Counter, OrderedDict
from typing import Dict, Sequence, Tuple

# a container that holds at least this share of the groups below it is
# the model's body, not a stage: the stages are its children
_BODY_SHARE = 0.75


def _unet_level(name: str):
    unet = re.match(r'\w+\.model\.((model\.1\.)*)', name)
    if unet and '.model.model.' in name:  # mmagic UNet: nesting = U level
        return f'unet-level{unet.group(1).count("model.1.") + 1}'
    return None


def stage_labels(names: Sequence[str]) -> Dict[str, str]:
    """Group name -> a coarse stage label, from the module tree the names
    spell, whatever the architecture calls its stages.

    From the top, a container that holds most (``_BODY_SHARE``) of the
    groups below it is descended into (``architecture``, ``backbone``,
    ShuffleNet's ``layers``); its children are the stages (ResNet's
    ``layer1``, CSPNeXt's ``stage1``, ShuffleNet's ``layers.0``). Groups
    outside the body keep their own top-level name (a detector's
    ``neck``). A stem conv (``conv1`` / ``stem...``) is labelled ``stem``;
    mmagic U-Nets are labelled by nesting level.
    """
    names = list(names)
    paths = {n: n.split('.') for n in names}
    body = []  # the path of the body container
    while True:
        under = [p for p in paths.values() if p[:len(body)] == body and
                 len(p) > len(body) + 1]
        if not under:
            break
        counts = Counter(p[len(body)] for p in under)
        child, count = counts.most_common(1)[0]
        if count < _BODY_SHARE * len(under):
            break
        body = body + [child]
    labels = {}
    for n, p in paths.items():
        labels[n] = _unet_level(n) or _label(p, body)
    return labels


def _label(path, body):
    """The first part of ``path`` below where it leaves ``body``; a
    numbered stage keeps its container's name (``layers.0``)."""
    k = 0
    while k < min(len(path) - 1, len(body)) and path[k] == body[k]:
        k += 1
    if path[k] == 'architecture' and k + 1 < len(path):
        k += 1
    label = path[k]
    if label == 'conv1' or label.startswith('stem'):
        return 'stem'
    return f'{path[k - 1]}.{label}' if label.isdigit() and k else label


def per_stage(layer_widths: Dict[str, Tuple[int, int]]):
    """Stage -> (kept, total) channels, in first-seen order."""
    labels = stage_labels(layer_widths)
    out = OrderedDict()
    for name, (kept, total) in layer_widths.items():
        k, c = out.get(labels[name], (0, 0))
        out[labels[name]] = (k + kept, c + total)
    return out


def spec_layer_widths(spec: dict):
    """Group name -> (kept, total) from a width spec."""
    return OrderedDict((n, (g['kept'], g['channels']))
                       for n, g in spec['groups'].items())


def summary_lines(spec: dict):
    """Log lines: what the search reached against its target and how much
    task evidence stood behind its widths (when the spec records them),
    then one line per stage and one per layer, as kept/total."""
    widths = spec_layer_widths(spec)
    stages = ', '.join(f'{s} {k}/{c} ({k / c:.2f})'
                       for s, (k, c) in per_stage(widths).items())
    lines = []
    if spec.get('target_ratio') is not None:
        reached = f"MACs ratio {spec['macs']['ratio']:.4f}"
        if 'latency' in spec:
            reached = (f"latency ratio {spec['latency']['ratio']:.4f} by "
                       f'the table, {reached}')
        lines.append(
            f"PaS reached {reached} against the target "
            f"{spec['target_ratio']} (the search itself ended at "
            f"{spec.get('search_end_ratio', float('nan')):.4f})")
    evidence = spec.get('evidence')
    if evidence and evidence.get('decisions'):
        lines.append(
            f"PaS evidence: {evidence['clear']} of {evidence['decisions']} "
            f"width decisions ({100 * evidence['share']:.0f} %) had a task "
            f"gradient clear of its noise over {evidence['steps']} steps")
    lines.append(f'PaS final widths per stage: {stages}')
    lines += [f'  {n}: {k}/{c}' for n, (k, c) in widths.items()]
    return lines
