"""A second count of a search space's MACs, so that a miscount is never
silent.

PyTorch's own ``FlopCounterMode`` counts the convs, matmuls and attention
products of one forward; the search space's count of the same ops (its
channel-mixing layers and activation products, every gate open) must
agree within 1 % (attention on the CPU counted through
``pas_mm.compat.torch_flop_counter``, a gap of PyTorch's). A layer the
tracer costs wrong (a conv whose weight it cannot see, an op it does not
know) shows up here, named by module.
"""
from collections import defaultdict
from typing import Dict, List, Optional

import torch
from torch.utils.flop_counter import FlopCounterMode

from ...compat.torch_flop_counter import cpu_attention_mapping
from ..trace.layer_rules import rule_of

TOLERANCE = 0.01


def _traced_mixing_macs(graph, kept=None) -> Dict[str, float]:
    """Module name -> per-sample MACs of its convs and linears (products
    under ''), at full widths or at ``kept(layout)`` channels."""
    def size(layout):
        return layout.size if kept is None else float(kept(layout))

    out = defaultdict(float)
    for name, calls in graph.calls.items():
        for call in calls:
            rule = rule_of(call.kind)
            if rule.costed:
                out[name] += float(rule.mixing_macs(
                    call, size(call.in_layout), size(call.out_layout)))
    for prod in graph.product_calls:
        heads = 1. if prod.heads is None or kept is None else \
            size(prod.heads) / prod.heads.size
        out[''] += float(prod.macs) * heads
    return out


def _counted_macs(model, inputs, forward_fn, batch) -> Dict[str, float]:
    """Module name -> per-sample MACs of its own ops (not its children's),
    by FlopCounterMode (which counts multiply and add: halved)."""
    counter = FlopCounterMode(display=False,
                              custom_mapping=cpu_attention_mapping())
    with counter, torch.no_grad():
        if forward_fn is None:
            model(*inputs)
        else:
            forward_fn(model, *inputs)
    counts = counter.get_flop_counts()
    root = type(model).__name__
    totals = {}
    for key, ops in counts.items():
        if key == 'Global':
            continue
        name = key[len(root) + 1:] if key.startswith(root + '.') else (
            '' if key == root else key)
        totals[name] = sum(ops.values()) / 2 / batch
    # a module's count includes its descendants': keep its own share. A
    # container that is never called (a ModuleList) has no key, so a
    # count goes to the nearest ancestor that has one
    own = dict(totals)
    for name, total in totals.items():
        parent = _nearest_ancestor(name, totals)
        if parent is not None:
            own[parent] -= total
    return own


def _nearest_ancestor(name: str, keys) -> Optional[str]:
    """The longest key that is a dotted prefix of ``name`` ('' is the
    root's), or None for the root itself."""
    if not name:
        return None
    parts = name.split('.')
    for end in range(len(parts) - 1, 0, -1):
        if '.'.join(parts[:end]) in keys:
            return '.'.join(parts[:end])
    return '' if '' in keys else None


def kept_mixing_macs(space) -> Dict[str, float]:
    """Module name -> the MACs of its convs, linears and products at the
    gates' kept widths: what the export of ``space`` should count (take it
    before export; compare with :func:`export_disagreements`)."""
    return dict(_traced_mixing_macs(
        space.graph, lambda layout: float(space.kept(layout))))


def export_disagreements(predicted: Dict[str, float], compact,
                         example_inputs, forward_fn=None) -> List[str]:
    """A warning line when FlopCounterMode's count of the exported model
    differs from the space's prediction (``kept_mixing_macs``) by more
    than 1 %, naming the modules that differ most; [] when they agree."""
    counted = _counted_in_eval(compact, example_inputs, forward_fn)
    if counted is None:
        return []
    return _disagreement(predicted, counted, 'the exported model counts',
                         'the search space predicted')


def _counted_in_eval(model, example_inputs, forward_fn):
    """``_counted_macs`` of ``model`` in eval mode (batch-1 norms, as the
    trace ran), its modes restored; None when it cannot run (the count is
    a second opinion only)."""
    inputs = example_inputs if isinstance(example_inputs, tuple) else (
        example_inputs, )
    batch = int(inputs[0].shape[0]) if inputs and isinstance(
        inputs[0], torch.Tensor) and inputs[0].dim() else 1
    training = {m: m.training for m in model.modules()}
    model.eval()
    try:
        return _counted_macs(model, inputs, forward_fn, batch)
    except Exception:  # noqa: B902 -- a second opinion only
        return None
    finally:
        for m, flag in training.items():
            m.train(flag)


def _disagreement(ours, theirs, theirs_are, ours_are) -> List[str]:
    total_ours, total_theirs = sum(ours.values()), sum(theirs.values())
    if not total_theirs or abs(total_ours - total_theirs) <= \
            TOLERANCE * total_theirs:
        return []
    names = set(ours) | set(theirs)
    worst = sorted(
        names, key=lambda n: -abs(ours.get(n, 0.) - theirs.get(n, 0.)))[:3]
    where = ', '.join(f'{n or "<top level>"} ({ours.get(n, 0.):.3g} vs '
                      f'{theirs.get(n, 0.):.3g})' for n in worst)
    return [f'{ours_are} {total_ours:.4g} MACs of convs, linears and '
            f"matmuls where {theirs_are} {total_theirs:.4g} (PyTorch's "
            f'FlopCounterMode; {total_ours / total_theirs - 1:+.1%}): the '
            f"budget's MACs may be wrong; modules that differ most: {where}"]


def macs_disagreements(space, example_inputs, forward_fn=None
                       ) -> List[str]:
    """Warning lines when the space's MACs of convs, linears and products
    differ from FlopCounterMode's by more than 1 %, naming the modules that
    differ most; [] when they agree."""
    ours = _traced_mixing_macs(space.graph)
    with space.unmasked() as model:
        theirs = _counted_in_eval(model, example_inputs, forward_fn)
    if theirs is None:
        return []
    return _disagreement(ours, theirs, 'the full model counts',
                         'the search space counts')
