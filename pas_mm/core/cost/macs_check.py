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


def _traced_mixing_macs(graph) -> Dict[str, float]:
    """Module name -> per-sample MACs of its convs and linears (products
    under '')."""
    out = defaultdict(float)
    for name, calls in graph.calls.items():
        for call in calls:
            rule = rule_of(call.kind)
            if rule.costed:
                out[name] += float(rule.mixing_macs(
                    call, call.in_layout.size, call.out_layout.size))
    for prod in graph.product_calls:
        out[''] += float(prod.macs)
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


def macs_disagreements(space, example_inputs, forward_fn=None
                       ) -> List[str]:
    """Warning lines when the space's MACs of convs, linears and products
    differ from FlopCounterMode's by more than 1 %, naming the modules that
    differ most; [] when they agree."""
    inputs = example_inputs if isinstance(example_inputs, tuple) else (
        example_inputs, )
    batch = int(inputs[0].shape[0]) if inputs and isinstance(
        inputs[0], torch.Tensor) and inputs[0].dim() else 1
    ours = _traced_mixing_macs(space.graph)
    with space.unmasked() as model:
        training = {m: m.training for m in model.modules()}
        model.eval()  # batch-1 norms; the trace ran in eval mode too
        try:
            theirs = _counted_macs(model, inputs, forward_fn, batch)
        except Exception:  # noqa: B902 -- a second opinion only
            return []
        finally:
            for m, flag in training.items():
                m.train(flag)
    total_ours, total_theirs = sum(ours.values()), sum(theirs.values())
    if not total_theirs or abs(total_ours - total_theirs) <= \
            TOLERANCE * total_theirs:
        return []
    names = set(ours) | set(theirs)
    worst = sorted(
        names, key=lambda n: -abs(ours.get(n, 0.) - theirs.get(n, 0.)))[:3]
    where = ', '.join(f'{n or "<top level>"} ({ours.get(n, 0.):.3g} vs '
                      f'{theirs.get(n, 0.):.3g})' for n in worst)
    return [f'the search space counts {total_ours:.4g} MACs of convs, '
            f'linears and matmuls where PyTorch\'s FlopCounterMode counts '
            f'{total_theirs:.4g} ({total_ours / total_theirs - 1:+.1%}): '
            f'the budget\'s MACs may be wrong; modules that differ most: '
            f'{where}']
