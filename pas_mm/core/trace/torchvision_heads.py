"""Head adapter of torchvision's Swin window attention
(``ShiftedWindowAttention``), registered by qualified class name so that
nothing here imports torchvision.

torchvision's functional attention splits the *input* width C into
``num_heads`` heads of ``C // num_heads``; once heads are pruned they are
narrower than C together. Every such module therefore runs
:func:`window_attention_of_kept_heads` from the trace on (the class is
swapped in place, as ``nn.MultiheadAttention`` is; the state-dict keys
stay): the same computation, with the head size read from ``qkv`` and
``qkv`` / ``proj`` called as modules, so that the gates' hooks see them
during the search. What the class keeps per head, the relative-position
table's columns, is cut with the heads at export.

Its V2 (``ShiftedWindowAttentionV2``) is not registered: its position-bias
MLP makes one output per head, whose cost the space does not yet scale
with the kept heads (the pruned MACs would be off by about 1 %).
"""
import torch
import torch.nn.functional as F

from .heads import register_head_adapter

TORCHVISION_SWIN = (
    'torchvision.models.swin_transformer.ShiftedWindowAttention')


def _shift_mask(height, width, window, shift, device):
    """(windows, N, N): 0 inside one shifted region, -100 across two."""
    label = torch.zeros(height, width, device=device)
    count = 0
    for rows in ((0, -window[0]), (-window[0], -shift[0]), (-shift[0], None)):
        for cols in ((0, -window[1]), (-window[1], -shift[1]),
                     (-shift[1], None)):
            label[rows[0]:rows[1], cols[0]:cols[1]] = count
            count += 1
    label = label.view(height // window[0], window[0], width // window[1],
                       window[1]).permute(0, 2, 1, 3).reshape(
                           -1, window[0] * window[1])
    diff = label.unsqueeze(1) - label.unsqueeze(2)
    return torch.zeros_like(diff).masked_fill(diff != 0, -100.0)


def window_attention_of_kept_heads(self, x):
    """``forward`` of a torchvision Swin window attention with pruned
    heads: x is (B, H, W, C); returns (B, H, W, proj's output width)."""
    batch, height, width, channels = x.shape
    window, shift = list(self.window_size), list(self.shift_size)
    x = F.pad(x, (0, 0, 0, (window[1] - width % window[1]) % window[1],
                  0, (window[0] - height % window[0]) % window[0]))
    padded_h, padded_w = x.shape[1], x.shape[2]
    shift = [0 if window[i] >= (padded_h, padded_w)[i] else shift[i]
             for i in range(2)]
    if any(shift):
        x = torch.roll(x, shifts=(-shift[0], -shift[1]), dims=(1, 2))
    rows, cols = padded_h // window[0], padded_w // window[1]
    tokens = window[0] * window[1]
    x = x.view(batch, rows, window[0], cols, window[1], channels).permute(
        0, 1, 3, 2, 4, 5).reshape(batch * rows * cols, tokens, channels)
    heads = self.num_heads
    head_dim = self.qkv.out_features // (3 * heads)
    # the modules are called: the gates' hooks see them
    qkv = self.qkv(x).reshape(x.shape[0], tokens, 3, heads,
                              head_dim).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    attn = (q * head_dim ** -0.5).matmul(k.transpose(-2, -1))
    attn = attn + self.get_relative_position_bias()
    if any(shift):
        mask = _shift_mask(padded_h, padded_w, window, shift, x.device)
        attn = attn.view(batch, rows * cols, heads, tokens, tokens) + \
            mask.unsqueeze(1).unsqueeze(0)
        attn = attn.view(-1, heads, tokens, tokens)
    attn = F.dropout(F.softmax(attn, dim=-1), p=self.attention_dropout,
                     training=self.training)
    x = attn.matmul(v).transpose(1, 2).reshape(x.shape[0], tokens,
                                               heads * head_dim)
    x = F.dropout(self.proj(x), p=self.dropout, training=self.training)
    x = x.view(batch, rows, cols, window[0], window[1], -1).permute(
        0, 1, 3, 2, 4, 5).reshape(batch, padded_h, padded_w, -1)
    if any(shift):
        x = torch.roll(x, shifts=(shift[0], shift[1]), dims=(1, 2))
    return x[:, :height, :width, :].contiguous()


_KEPT_HEADS_CLASSES = {}


def _of_kept_heads(cls):
    """The subclass of ``cls`` that runs with pruned heads (one per
    class)."""
    if cls not in _KEPT_HEADS_CLASSES:
        kept = _KEPT_HEADS_CLASSES[cls] = type(
            f'{cls.__name__}OfKeptHeads', (cls, ),
            dict(forward=window_attention_of_kept_heads,
                 __module__=__name__,
                 __doc__=f'{cls.__name__} with pruned heads (pas-mm).'))
        # a model traced again (or exported and searched again) keeps it
        register_head_adapter(kept, _resize_swin_attention)
    return _KEPT_HEADS_CLASSES[cls]


def _run_with_kept_heads(module) -> None:
    """Swap ``module`` to the forward that calls qkv and proj."""
    if type(module) not in _KEPT_HEADS_CLASSES.values():
        module.__class__ = _of_kept_heads(type(module))


def _resize_swin_attention(module, kept_heads, head_dim) -> None:
    table = module.relative_position_bias_table
    table.data = table.data[:, kept_heads.to(table.device)].clone()
    module.num_heads = int(kept_heads.numel())


register_head_adapter(TORCHVISION_SWIN, _resize_swin_attention,
                      prepare=_run_with_kept_heads)
