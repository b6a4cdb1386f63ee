"""Attention in mmengine.analysis' MACs count.

mmengine 0.10.7's ``FlopAnalyzer`` (ported from fvcore) has no handle for
``aten::scaled_dot_product_attention``, which mmpretrain and mmdet
transformers call on torch >= 2.0: it is skipped as an unsupported op, so
a ViT's count misses its attention products (the same gap in fvcore is
discussed in MzeroMiko/VMamba#296). ``add_attention_handle`` registers a
handle that counts them as ``pas_mm.core.cost`` does, so the two counts
agree.
"""
from pas_mm.core.cost import attention_macs

SDPA_OP = 'aten::scaled_dot_product_attention'


def sdpa_flop_jit(inputs, outputs) -> int:
    """MACs of one ``scaled_dot_product_attention`` node."""
    from mmengine.analysis.jit_handles import get_shape
    q, k, v = (get_shape(value) for value in inputs[:3])
    return int(attention_macs(q, k, v))


def add_attention_handle(analyzer):
    """Count scaled dot-product attention in ``analyzer`` (a
    ``FlopAnalyzer``); returns it."""
    return analyzer.set_op_handle(SDPA_OP, sdpa_flop_jit)


def flop_analyzer(module, inputs):
    """mmengine.analysis' ``FlopAnalyzer`` of ``module`` on ``inputs`` (a
    tuple), attention counted, its warnings about unsupported ops and
    uncalled modules off: the one way pas-mm builds it."""
    from mmengine.analysis import FlopAnalyzer
    analyzer = add_attention_handle(FlopAnalyzer(module, tuple(inputs)))
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    return analyzer
