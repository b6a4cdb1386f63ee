"""``nn.MultiheadAttention`` as an attention unit whose heads are searched.

PyTorch's attention module runs as one fused function
(``F.multi_head_attention_forward``) and ties the width of q, k and v to
the embedding width. So its heads can neither be masked during a search
nor be fewer than ``embed_dim / head_dim`` in a model.
:func:`convert_multihead_attention` replaces each one by a
:class:`MultiheadAttentionUnit`:

- the same function, with the same call signature and the same
  state-dict keys (``in_proj_weight``, ``in_proj_bias``, ``out_proj.*``),
  so checkpoints load both ways;
- built from a ``qkv`` and a ``proj`` linear, the attention-unit pattern of
  :mod:`pas_mm.core.trace.heads`: its heads become one channel group, and
  export slices them like any other attention unit's.

Only self-attention calls (``query is key is value``) search heads. A
cross-attention call projects with slices of the same weights; its channels
are pinned, and its MACs are still counted.
"""
import math
from typing import List, Optional

import torch
import torch.nn.functional as F
from torch import nn

from .heads import register_head_adapter

# this module's parameter names -> nn.MultiheadAttention's
_STATE_KEYS = {'qkv.weight': 'in_proj_weight', 'qkv.bias': 'in_proj_bias',
               'proj.weight': 'out_proj.weight', 'proj.bias': 'out_proj.bias'}


class MultiheadAttentionUnit(nn.Module):
    """Multi-head attention with ``num_heads * head_dim`` free of
    ``embed_dim``; computes what ``nn.MultiheadAttention`` computes.

    Args:
        embed_dim (int): the width of the query, key, value and output.
        num_heads (int): the number of heads.
        head_dim (int, optional): channels per head. Default: None
            (``embed_dim // num_heads``).
        dropout (float): dropout on the attention weights in training.
            Default: 0.0.
        bias (bool): biases in the projections. Default: True.
        batch_first (bool): inputs and outputs are (batch, seq, feature).
            Default: False.
    """

    def __init__(self, embed_dim: int, num_heads: int,
                 head_dim: Optional[int] = None, dropout: float = 0.0,
                 bias: bool = True, batch_first: bool = False):
        super().__init__()
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.head_dim = head_dim or embed_dim // num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        # heads of the original module that are kept, for per-head masks
        self.source_heads: Optional[List[int]] = None
        inner = self.num_heads * self.head_dim
        self.qkv = nn.Linear(embed_dim, 3 * inner, bias=bias)
        self.proj = nn.Linear(inner, embed_dim, bias=bias)
        self._register_state_dict_hook(_rename_saved)
        self.register_load_state_dict_pre_hook(_rename_loaded)

    @classmethod
    def from_module(cls, mha: nn.MultiheadAttention
                    ) -> 'MultiheadAttentionUnit':
        """A unit holding copies of ``mha``'s parameters."""
        factory = dict(device=mha.in_proj_weight.device,
                       dtype=mha.in_proj_weight.dtype)
        unit = cls(mha.embed_dim, mha.num_heads, dropout=mha.dropout,
                   bias=mha.in_proj_bias is not None,
                   batch_first=mha.batch_first).to(**factory)
        with torch.no_grad():
            unit.qkv.weight.copy_(mha.in_proj_weight)
            unit.proj.weight.copy_(mha.out_proj.weight)
            if mha.in_proj_bias is not None:
                unit.qkv.bias.copy_(mha.in_proj_bias)
                unit.proj.bias.copy_(mha.out_proj.bias)
        unit.train(mha.training)
        return unit

    def extra_repr(self) -> str:
        return (f'embed_dim={self.embed_dim}, num_heads={self.num_heads}, '
                f'head_dim={self.head_dim}, batch_first={self.batch_first}')

    def forward(self, query, key, value, key_padding_mask=None,
                need_weights: bool = True, attn_mask=None,
                average_attn_weights: bool = True, is_causal: bool = False):
        self_attention = query is key and key is value
        batched = query.dim() == 3
        if not batched:  # (L, E): one sequence
            query, key, value = (t.unsqueeze(0) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        elif not self.batch_first:
            query, key, value = (t.transpose(0, 1)
                                 for t in (query, key, value))
        if is_causal and attn_mask is None:
            raise RuntimeError('is_causal needs attn_mask, as in '
                               'nn.MultiheadAttention')
        batch, length, source = query.shape[0], query.shape[1], key.shape[1]
        q, k, v = self._project(query, key, value, self_attention)
        heads, dim = self.num_heads, self.head_dim
        q = q.view(batch, length, heads, dim).transpose(1, 2)
        k = k.view(batch, source, heads, dim).transpose(1, 2)
        v = v.view(batch, source, heads, dim).transpose(1, 2)
        causal = is_causal and key_padding_mask is None and not need_weights
        mask = None if causal else self._mask(
            attn_mask, key_padding_mask, batch, length, source, q.dtype)
        dropout = self.dropout if self.training else 0.0
        weights = None
        if need_weights:
            scores = (q * math.sqrt(1.0 / dim)) @ k.transpose(-2, -1)
            if mask is not None:
                scores = scores + mask
            weights = scores.softmax(dim=-1)
            if dropout > 0.0:
                weights = F.dropout(weights, p=dropout)
            out = weights @ v
        else:
            out = F.scaled_dot_product_attention(
                q, k, v, attn_mask=mask, dropout_p=dropout, is_causal=causal)
        out = self.proj(out.transpose(1, 2).reshape(batch, length,
                                                    heads * dim))
        if weights is not None and average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            out = out.squeeze(0)
            weights = None if weights is None else weights.squeeze(0)
        elif not self.batch_first:
            out = out.transpose(0, 1)
        return out, weights

    def _project(self, query, key, value, self_attention: bool):
        if self_attention:
            return self.qkv(query).chunk(3, dim=-1)
        weights = self.qkv.weight.chunk(3)
        biases = self.qkv.bias.chunk(3) if self.qkv.bias is not None \
            else (None, ) * 3
        return tuple(F.linear(t, w, b) for t, w, b in
                     zip((query, key, value), weights, biases))

    def _mask(self, attn_mask, key_padding_mask, batch, length, source,
              dtype):
        """One additive (batch, heads or 1, length, source) mask, or None:
        boolean masks block where True, as in nn.MultiheadAttention."""
        mask = None
        if attn_mask is not None:
            mask = _additive(attn_mask, dtype)
            if mask.dim() == 2:
                mask = mask.view(1, 1, length, source)
            else:  # (batch * heads of the original module, L, S)
                mask = mask.view(batch, -1, length, source)
                if self.source_heads is not None:
                    mask = mask[:, self.source_heads]
        if key_padding_mask is not None:
            padding = _additive(key_padding_mask, dtype).view(
                batch, 1, 1, source)
            mask = padding if mask is None else mask + padding
        return mask


def _additive(mask: torch.Tensor, dtype) -> torch.Tensor:
    if mask.dtype == torch.bool:
        return torch.zeros_like(mask, dtype=dtype).masked_fill(
            mask, float('-inf'))
    return mask.to(dtype)


def _rename_saved(module, state_dict, prefix, local_metadata):
    for ours, theirs in _STATE_KEYS.items():
        if prefix + ours in state_dict:
            state_dict[prefix + theirs] = state_dict.pop(prefix + ours)
    return state_dict


def _rename_loaded(module, state_dict, prefix, local_metadata, strict,
                   missing_keys, unexpected_keys, error_msgs):
    for ours, theirs in _STATE_KEYS.items():
        if prefix + theirs in state_dict:
            state_dict[prefix + ours] = state_dict.pop(prefix + theirs)


def _resize(unit: MultiheadAttentionUnit, kept: torch.Tensor,
            head_dim: int) -> None:
    source = unit.source_heads or list(range(unit.num_heads))
    unit.source_heads = [source[i] for i in kept.tolist()]
    unit.num_heads = len(unit.source_heads)


register_head_adapter(MultiheadAttentionUnit, _resize)


def why_not_convertible(mha: nn.MultiheadAttention) -> Optional[str]:
    """None if ``mha`` converts exactly, else what stops it."""
    if not mha._qkv_same_embed_dim:
        return 'key/value widths (kdim, vdim) differ from embed_dim'
    if mha.bias_k is not None or mha.bias_v is not None:
        return 'add_bias_kv=True'
    if mha.add_zero_attn:
        return 'add_zero_attn=True'
    if (mha.in_proj_bias is None) != (mha.out_proj.bias is None):
        return 'only one of its projections has a bias'
    return None


def convert_multihead_attention(model: nn.Module, keep=None) -> List[str]:
    """Replace every convertible ``nn.MultiheadAttention`` of ``model`` (in
    place) by an equal :class:`MultiheadAttentionUnit`.

    Args:
        model (nn.Module): the model; a bare ``nn.MultiheadAttention`` is
            not converted (it has no parent to hold the unit).
        keep (callable, optional): ``keep(name)`` is True for a module
            that must stay as it is (excluded or out of scope).
            Default: None.

    Returns:
        list[str]: the names of the converted modules.
    """
    converted = []
    for name, mod in list(model.named_modules()):
        if not isinstance(mod, nn.MultiheadAttention) or not name or (
                keep is not None and keep(name)) or \
                why_not_convertible(mod) is not None:
            continue
        parent_name, _, leaf = name.rpartition('.')
        parent = model.get_submodule(parent_name)
        setattr(parent, leaf, MultiheadAttentionUnit.from_module(mod))
        converted.append(name)
    return converted
