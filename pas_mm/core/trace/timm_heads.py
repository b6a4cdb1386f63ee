"""Head adapters of timm's ViT attention (``timm.layers.attention.Attention``,
used by ViT, DeiT, DeiT-III and their kin) and Swin's window attention,
registered by qualified class name so that nothing here imports timm.

Its ``forward`` reshapes ``qkv`` by ``num_heads`` x ``head_dim`` and the
heads' output by ``attn_dim``: export sets both from the kept heads. A
unit that normalises or gates its whole attention output (``scale_norm``,
``gated``) mixes heads after the attention and is left whole.

Swin's ``WindowAttention`` reshapes by ``num_heads`` and ``-1`` only; its
relative-position bias table has one column per head, cut to the kept
heads.
"""
from torch import nn

from .heads import register_head_adapter

TIMM_ATTENTION = 'timm.layers.attention.Attention'


def _resize_timm_attention(module, kept_heads, head_dim) -> None:
    module.num_heads = int(kept_heads.numel())
    module.attn_dim = module.num_heads * head_dim


def _timm_attention_prunable(module) -> bool:
    return isinstance(getattr(module, 'norm', None), nn.Identity) and \
        getattr(module, 'gate', None) is None and \
        getattr(module, 'attn_dim', None) == module.proj.in_features


register_head_adapter(TIMM_ATTENTION, _resize_timm_attention,
                      accepts=_timm_attention_prunable,
                      reason='its output is normalised or gated as a whole')


TIMM_WINDOW_ATTENTION = 'timm.models.swin_transformer.WindowAttention'


def _resize_timm_window_attention(module, kept_heads, head_dim) -> None:
    table = module.relative_position_bias_table
    table.data = table.data[:, kept_heads.to(table.device)].clone()
    module.num_heads = int(kept_heads.numel())


register_head_adapter(TIMM_WINDOW_ATTENTION, _resize_timm_window_attention)
