"""The MACs of one traced call, as mmengine.analysis counts them.

The tracer records each call's cost factors while it traces (positions
per sample, a norm's or free op's per-channel cost, a product's MACs), so
these formulas belong to the trace; ``pas_mm.core.cost.macs`` sums them for
kept channel counts. The rules, one multiply-add being one "flop":

- conv: ``kernel * c_in / groups * c_out`` per output position; a
  transposed conv per *input* position; a depth-wise conv
  ``kernel * c`` per output position;
- linear: ``c_in * c_out`` per output row (each layer kind's ``macs`` is
  in ``pas_mm.core.trace.layer_rules``; the geometry is here);
- batch norm (eval): 1 per element, 2 with affine params; instance, group
  and layer norm, and a batch norm that computes its statistics
  (``training=True``: weight standardisation): 4 per element, 5 with
  affine params;
- nearest / bilinear upsampling: 1 / 4 per output element; adaptive
  average pooling: 1 per input element; other parameter-free ops: free;
- products of activations: matmul / mm / bmm ``numel(a) * b.shape[-1]``,
  einsum as numpy's optimal contraction path counts it (halved: MACs),
  scaled dot-product attention ``L * S * (E + Ev)`` per head (mmengine has
  no rule for it: ``pas_mm.compat.flop_handles`` adds the same one).
"""
import math
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F

from .call_args import arg

_UPSAMPLE_OPS = ('interpolate', 'upsample', 'upsample_nearest',
                 'upsample_bilinear')


def conv_positions(x: torch.Tensor, out: torch.Tensor,
                   transposed: bool) -> int:
    """Positions per sample a conv is costed at."""
    return math.prod((x if transposed else out).shape[2:])


def linear_positions(out: torch.Tensor, batch: int) -> int:
    """Rows per sample a linear layer is costed at (tokens, positions)."""
    return out.numel() // (out.shape[-1] * batch)


def norm_cost(func, args, kwargs, x: torch.Tensor, out: torch.Tensor,
              channel_dim: int, batch: int) -> int:
    """Per-sample cost of a norm per channel."""
    positions = out.numel() // (x.shape[channel_dim] * batch) if \
        x.dim() > channel_dim else 1
    if func is F.batch_norm:
        affine = arg(args, kwargs, 3, 'weight') is not None
        if arg(args, kwargs, 5, 'training'):
            # statistics computed here (weight standardisation, a BN
            # without running stats): mmengine costs it as the other norms
            factor = 5 if affine else 4
        else:
            factor = 2 if affine else 1
    else:
        pos = 3 if func is F.instance_norm else 2  # group / layer norm: 2
        factor = 5 if arg(args, kwargs, pos, 'weight') is not None else 4
    return positions * factor


def free_op_cost(name: str, args, kwargs, x: torch.Tensor,
                 res: torch.Tensor, channel_dim: int,
                 batch: int) -> Optional[int]:
    """Per-sample, per-channel cost of a channel-wise parameter-free op, or
    None when mmengine charges nothing for it."""
    if name in _UPSAMPLE_OPS:
        mode = arg(args, kwargs, 3, 'mode') or 'nearest'
        if name == 'upsample_bilinear':
            mode = 'bilinear'
        if mode not in ('nearest', 'bilinear') or res.dim() != 4:
            return None
        per_out = res.numel() // (res.shape[channel_dim] * batch)
        return per_out * (4 if mode == 'bilinear' else 1)
    if name == 'adaptive_avg_pool2d':
        return x.numel() // (x.shape[channel_dim] * batch)
    return None


def _shape(t):
    return list(t.shape) if isinstance(t, torch.Tensor) else None


def einsum_macs(equation: str, shapes) -> float:
    """MACs of an einsum as mmengine counts them (its two special-cased
    equations and numpy's optimal path, halved, are the same count)."""
    arrays = [np.broadcast_to(np.zeros(()), s) for s in shapes]
    info = np.einsum_path(equation.replace(' ', ''), *arrays,
                          optimize='optimal')[1]
    for line in info.split('\n'):
        if 'optimized flop' in line.lower():
            return float(math.floor(float(line.split(':')[-1]) / 2))
    raise ValueError(f'einsum {equation!r}: numpy gave no flop count')


def attention_macs(q_shape, k_shape, v_shape) -> float:
    """softmax(q k^T) v: ``L * S * E`` for the scores and ``L * S * Ev``
    for the weighted sum, per head and batch element."""
    lead = math.prod(q_shape[:-2])
    length, source = q_shape[-2], k_shape[-2]
    return float(lead * length * source * (q_shape[-1] + v_shape[-1]))


def product_macs(name: str, args, kwargs) -> Optional[float]:
    """MACs of one call of a product op (``pas_mm.core.trace.ops.PRODUCT_OPS``)
    over the whole batch, or None for an operand that is not a tensor."""
    if name == 'einsum':
        equation = args[0] if args else kwargs['equation']
        operands = args[1:] if len(args) > 1 else kwargs.get('operands', ())
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = operands[0]
        shapes = [_shape(t) for t in operands]
        return None if None in shapes else einsum_macs(equation, shapes)
    if name == 'scaled_dot_product_attention':
        q, k, v = (arg(args, kwargs, i, n) for i, n in
                   enumerate(('query', 'key', 'value')))
        shapes = [_shape(t) for t in (q, k, v)]
        return None if None in shapes else attention_macs(*shapes)
    a, b = args[0], args[1] if len(args) > 1 else kwargs.get('other')
    if name == '__rmatmul__':
        a, b = b, a
    sa, sb = _shape(a), _shape(b)
    if sa is None or sb is None:
        return None
    sa = [1] + sa if len(sa) == 1 else sa
    return float(math.prod(sa) * (sb[-1] if len(sb) > 1 else 1))
