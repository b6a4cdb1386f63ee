"""Two ops mmengine.analysis' MACs count skips.

mmengine 0.10.7's ``FlopAnalyzer`` (ported from fvcore) has no handle for

- ``aten::scaled_dot_product_attention``, which mmpretrain and mmdet
  transformers call on torch >= 2.0, so a ViT's count misses its attention
  products (the same gap in fvcore is discussed in MzeroMiko/VMamba#296);
- ``aten::_convolution_mode``, what a conv with a string padding
  (``padding='same'``, as in timm's ConvMixer) traces to, so such convs
  count 0 (its default handles name only ``aten::_convolution``).

``add_missing_handles`` registers both: attention with torch's own
formula, halved (one multiply-add is one flop here), and the conv with
mmengine's own conv formula, which is how ``pas_mm.core`` counts them, so
the two counts agree. Like every module here it imports nothing else of
pas_mm: compat is the bottom layer.
"""
import math

from torch.utils.flop_counter import sdpa_flop_count

SDPA_OP = 'aten::scaled_dot_product_attention'
CONV_MODE_OP = 'aten::_convolution_mode'


def sdpa_flop_jit(inputs, outputs) -> int:
    """MACs of one ``scaled_dot_product_attention`` node."""
    from mmengine.analysis.jit_handles import get_shape
    q, k, v = (get_shape(value) for value in inputs[:3])
    heads = math.prod(q[:-2])  # torch's formula takes (batch, heads, L, E)
    return sdpa_flop_count((1, heads, *q[-2:]), (1, heads, *k[-2:]),
                           (1, heads, *v[-2:])) // 2


def conv_mode_flop_jit(inputs, outputs) -> int:
    """MACs of one ``_convolution_mode`` node (input, weight, bias,
    stride, padding string, dilation, groups): never transposed."""
    from mmengine.analysis.jit_handles import conv_flop_count, get_shape
    return conv_flop_count(get_shape(inputs[0]), get_shape(inputs[1]),
                           get_shape(outputs[0]))


def add_missing_handles(analyzer):
    """Count scaled dot-product attention and string-padded convs in
    ``analyzer`` (a ``FlopAnalyzer``); returns it."""
    return analyzer.set_op_handle(SDPA_OP, sdpa_flop_jit,
                                  CONV_MODE_OP, conv_mode_flop_jit)


def flop_analyzer(module, inputs):
    """mmengine.analysis' ``FlopAnalyzer`` of ``module`` on ``inputs`` (a
    tuple), attention counted, its warnings about unsupported ops and
    uncalled modules off: the one way pas-mm builds it."""
    from mmengine.analysis import FlopAnalyzer
    analyzer = add_missing_handles(FlopAnalyzer(module, tuple(inputs)))
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    return analyzer
