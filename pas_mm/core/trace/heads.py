"""Attention heads as whole units of the search.

An *attention unit* is a module with a ``qkv`` linear (input -> 3 * H * d,
laid out as ``[q | k | v]``, head-major inside each), an output ``proj``
linear (H * d -> output) and an int ``num_heads`` (H). The tracer gives its
heads one channel group of H * d channels in units of d: the gate masks
whole heads at ``proj``'s input, ``qkv``'s three parts and the attention
products are costed per kept head, and export slices ``qkv`` and ``proj``
like any linear. What else a class keeps per head (``num_heads``,
``embed_dims``, a relative-position table) is updated by its *adapter*.

The core knows no toolkit: adapters are registered by class (or by a
qualified class name, so that the toolkit need not be imported here);
``pas_mm.models.utils.head_adapters`` registers mmpretrain's and mmdet's.
"""
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Union

import torch
from torch import nn


@dataclass
class HeadAdapter:
    """How one attention class is resized to its kept heads.

    Args:
        resize (callable): ``resize(module, kept_heads, head_dim)``
            updates what the module keeps per head (``qkv`` and ``proj``
            are already sliced); ``kept_heads`` is a LongTensor of head
            indices, ``head_dim`` the (unchanged) channels per head.
        accepts (callable, optional): ``accepts(module)`` is False for an
            instance whose heads cannot be pruned exactly (say so in
            ``reason``). Default: None (every instance).
        reason (str): why ``accepts`` refused, for the trace's explanation.
            Default: ''.
        prepare (callable, optional): ``prepare(module)`` readies an
            accepted instance for the search, in place and with the same
            function (a forward that calls ``qkv`` and ``proj`` as
            modules). Default: None.
    """
    resize: Callable[[nn.Module, torch.Tensor, int], None]
    accepts: Optional[Callable[[nn.Module], bool]] = None
    reason: str = ''
    prepare: Optional[Callable[[nn.Module], None]] = None


_ADAPTERS: Dict[Union[type, str], HeadAdapter] = {}


def register_head_adapter(cls: Union[type, str], resize, accepts=None,
                          reason: str = '', prepare=None) -> None:
    """Make the heads of ``cls`` (a class or ``'module.ClassName'``)
    searchable; see :class:`HeadAdapter`."""
    _ADAPTERS[cls] = HeadAdapter(resize, accepts, reason, prepare)


def adapter_of(module: nn.Module) -> Optional[HeadAdapter]:
    cls = type(module)
    for key in (cls, f'{cls.__module__}.{cls.__qualname__}'):
        if key in _ADAPTERS:
            return _ADAPTERS[key]
    return None


def is_attention_unit(module: nn.Module) -> bool:
    qkv, proj = getattr(module, 'qkv', None), getattr(module, 'proj', None)
    heads = getattr(module, 'num_heads', None)
    return (isinstance(qkv, nn.Linear) and isinstance(proj, nn.Linear) and
            isinstance(heads, int) and heads > 0 and
            qkv.out_features % 3 == 0 and
            qkv.out_features // 3 == proj.in_features and
            proj.in_features % heads == 0)


@dataclass
class HeadUnit:
    """A traced attention unit: its name, its head size, its adapter."""
    name: str
    module: nn.Module
    head_dim: int
    adapter: HeadAdapter

    @property
    def channels(self) -> int:
        """H * d: the channels of all its heads (``proj``'s input)."""
        return self.module.proj.in_features

    def is_qkv(self, layer: str) -> bool:
        """``layer`` is this unit's input projection (``[q | k | v]``)."""
        return layer == f'{self.name}.qkv'


def find_head_units(model: nn.Module) -> Dict[str, HeadUnit]:
    """name -> HeadUnit for every attention unit with an adapter that
    accepts it."""
    units = {}
    for name, mod in model.named_modules():
        adapter = adapter_of(mod)
        if adapter is None or not is_attention_unit(mod):
            continue
        if adapter.accepts is not None and not adapter.accepts(mod):
            continue
        if adapter.prepare is not None:
            adapter.prepare(mod)
        units[name] = HeadUnit(name, mod, mod.proj.in_features //
                               mod.num_heads, adapter)
    return units


def unit_of(units: Dict[str, HeadUnit], layer: str) -> Optional[str]:
    """The unit whose qkv or proj ``layer`` is, if any."""
    owner, _, leaf = layer.rpartition('.')
    return owner if leaf in ('qkv', 'proj') and owner in units else None


def resize_heads(units: List[HeadUnit], kept: Dict[str, torch.Tensor]):
    """Call each unit's adapter with its kept head indices (export)."""
    for unit in units:
        heads = kept.get(unit.name)
        if heads is not None:
            unit.adapter.resize(unit.module, heads, unit.head_dim)
