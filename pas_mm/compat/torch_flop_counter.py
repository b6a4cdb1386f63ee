"""Scaled dot-product attention on the CPU in ``FlopCounterMode``.

torch 2.14.1's ``torch.utils.flop_counter.FlopCounterMode`` has no formula
for ``aten._scaled_dot_product_flash_attention_for_cpu``, the kernel CPU
``F.scaled_dot_product_attention`` dispatches to, so it counts attention
on the CPU as 0 (pytorch/pytorch#195460; fixed upstream by
pytorch/pytorch#195801, after this release). The MACs cross-check
(``pas_mm.core.cost.macs_check``) passes ``cpu_attention_mapping()`` as the
counter's ``custom_mapping``: the formula PyTorch already uses for the
CUDA attention kernels. Nothing here imports an mm* package (the core
uses it).
"""
import torch
from torch.utils.flop_counter import flop_registry, sdpa_flop_count


def _cpu_flash_attention_flop(query_shape, key_shape, value_shape, *args,
                              out_shape=None, **kwargs) -> int:
    return sdpa_flop_count(query_shape, key_shape, value_shape)


def cpu_attention_mapping() -> dict:
    """``FlopCounterMode(custom_mapping=...)`` for CPU attention, or {}
    where PyTorch counts it already."""
    op = getattr(torch.ops.aten, '_scaled_dot_product_flash_attention_for_cpu',
                 None)
    if op is None or op in flop_registry:
        return {}
    return {op: _cpu_flash_attention_flop}
