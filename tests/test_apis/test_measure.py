"""count_macs (tools/analysis/get_flops.py): mmengine.analysis' count,
attention included."""
from mmengine.model import BaseModel
from torch import nn

from pas_mm.apis.measure import count_macs


class TokenMixer(BaseModel):
    """Patches through PyTorch's own attention, in eval mode."""

    def __init__(self, dim=16):
        super().__init__()
        self.embed = nn.Conv2d(3, dim, 4, 4)
        self.attn = nn.MultiheadAttention(dim, 2, batch_first=True)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        x = self.embed(inputs).flatten(2).transpose(1, 2)
        return self.attn(x, x, x, need_weights=False)[0]


def test_multihead_attention_is_counted_in_eval_mode():
    model = TokenMixer().eval()
    result = count_macs(model, 'mmpretrain', (16, 16),
                        modules=['embed', 'attn'])
    tokens, dim = 16, 16
    # in_proj (3 d^2) and out_proj (d^2) per token, q k^T and attn v
    expected = tokens * 4 * dim * dim + 2 * tokens * tokens * dim
    assert result['modules']['attn']['macs'] == expected
    assert result['macs'] == expected + result['modules']['embed']['macs']
