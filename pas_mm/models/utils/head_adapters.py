"""Head adapters of mmpretrain's and mmdet's attention modules.

``pas_mm.core.trace.heads`` gives each attention unit's heads one channel
group; export slices ``qkv`` and ``proj``. These adapters update what each
class keeps per head. They register by qualified class name, so importing
this module imports no toolkit.
"""
from pas_mm.core.trace.heads import register_head_adapter

MMPRETRAIN_MHA = 'mmpretrain.models.utils.attention.MultiheadAttention'


def _resize_multihead_attention(module, kept_heads, head_dim) -> None:
    """mmpretrain's MultiheadAttention reshapes by ``num_heads`` and
    ``embed_dims``; ``head_dims`` and the scale are unchanged."""
    module.num_heads = int(kept_heads.numel())
    module.embed_dims = module.num_heads * module.head_dims


def _multihead_attention_prunable(module) -> bool:
    # v_shortcut adds v (all heads) to the output: a pruned head would
    # change it; input_dims != embed_dims is fine (qkv reads the stream)
    return not module.v_shortcut and \
        module.num_heads * module.head_dims == module.embed_dims


register_head_adapter(
    MMPRETRAIN_MHA, _resize_multihead_attention,
    accepts=_multihead_attention_prunable,
    reason='v_shortcut adds every head to the output')


WINDOW_MSA = ('mmpretrain.models.utils.attention.WindowMSA',
              'mmdet.models.backbones.swin.WindowMSA')


def _window_forward_of_kept_heads(self, x, mask=None):
    """Swin's window attention for a module whose heads were pruned.

    The toolkits' forward splits the *input* width C into ``num_heads``
    heads of ``C // num_heads``; once heads are pruned the heads are
    narrower than C, so this forward uses the unchanged head size instead.
    Otherwise it is the same computation.
    """
    batch, tokens, _ = x.shape
    qkv = self.qkv(x).reshape(batch, tokens, 3, self.num_heads,
                              self.head_dims).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0] * self.scale, qkv[1], qkv[2]
    attn = q @ k.transpose(-2, -1)
    area = self.window_size[0] * self.window_size[1]
    bias = self.relative_position_bias_table[
        self.relative_position_index.view(-1)].view(area, area, -1)
    attn = attn + bias.permute(2, 0, 1).contiguous().unsqueeze(0)
    if mask is not None:
        windows = mask.shape[0]
        attn = attn.view(batch // windows, windows, self.num_heads, tokens,
                         tokens) + mask.unsqueeze(1).unsqueeze(0)
        attn = attn.view(-1, self.num_heads, tokens, tokens)
    attn = self.attn_drop(self.softmax(attn))
    x = (attn @ v).transpose(1, 2).reshape(batch, tokens,
                                           self.num_heads * self.head_dims)
    return self.proj_drop(self.proj(x))


_KEPT_HEADS_CLASSES = {}


def window_attention_of_kept_heads(cls):
    """The subclass of a Swin window-attention class that runs with pruned
    heads (made once per class)."""
    if cls not in _KEPT_HEADS_CLASSES:
        _KEPT_HEADS_CLASSES[cls] = type(
            f'{cls.__name__}OfKeptHeads', (cls, ),
            dict(forward=_window_forward_of_kept_heads,
                 __module__=__name__,
                 __doc__=f'{cls.__name__} with pruned heads (pas-mm).'))
    return _KEPT_HEADS_CLASSES[cls]


def _resize_window_attention(module, kept_heads, head_dim) -> None:
    """Slice the relative-position bias table (one column per head) and
    run with the unchanged head size."""
    module.head_dims = head_dim
    table = module.relative_position_bias_table
    table.data = table.data[:, kept_heads.to(table.device)].clone()
    module.num_heads = int(kept_heads.numel())
    if type(module) not in _KEPT_HEADS_CLASSES.values():
        module.__class__ = window_attention_of_kept_heads(type(module))


for _name in WINDOW_MSA:
    register_head_adapter(_name, _resize_window_attention)
