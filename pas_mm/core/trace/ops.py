"""How the channel tracer classifies torch ops, by name.

Names are ``func.__name__`` (Tensor methods and torch functions share them).
``op_class`` turns a name into an ``OpClass``; an op of class ``UNKNOWN`` that
touches a traced tensor raises ``UnsupportedOpError``, so an unknown op can
never yield a wrong compact model.
"""
from enum import Enum

import torch.nn.functional as F

# dispatch wrappers whose __name__ is not the op's
_ALIASES = {
    F.max_pool1d: 'max_pool1d', F.max_pool2d: 'max_pool2d',
    F.max_pool3d: 'max_pool3d', F.adaptive_max_pool1d: 'adaptive_max_pool1d',
    F.adaptive_max_pool2d: 'adaptive_max_pool2d',
    F.adaptive_max_pool3d: 'adaptive_max_pool3d',
    F.fractional_max_pool2d: 'fractional_max_pool2d',
}


def func_name(func) -> str:
    alias = _ALIASES.get(func)
    if alias is not None:
        return alias
    return getattr(func, '__name__', repr(func))


CONV_OPS = {'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d',
            'conv_transpose2d', 'conv_transpose3d'}

# results carry no channel data flow
NON_TENSOR_OPS = {
    'size', 'dim', 'ndimension', 'numel', 'nelement', '__len__', 'data_ptr',
    'element_size', 'is_contiguous', '__bool__', 'item', 'tolist', 'numpy',
    '__format__', '__repr__', 'stride', 'storage_offset', 'get_device',
    'is_floating_point', 'is_complex', '__hash__',
    'equal', 'allclose', 'isclose', 'any', 'all', 'requires_grad_',
    'retain_grad', 'register_hook', '__setstate__', '__reduce_ex__',
    '__deepcopy__', 'untyped_storage', '__array__', 'isfinite', 'isnan',
    'isinf', 'argmax', 'argmin', 'argsort', 'topk', 'sort', 'nonzero',
}
CREATION_OPS = {
    'zeros_like', 'ones_like', 'empty_like', 'full_like', 'rand_like',
    'randn_like', 'randint_like', 'new_zeros', 'new_ones', 'new_empty',
    'new_full', 'new_tensor',
}

# channel-wise: the output has the input's channels, one to one
UNARY_OPS = {
    'relu', 'relu_', 'relu6', 'leaky_relu', 'leaky_relu_', 'elu', 'elu_',
    'selu', 'celu', 'gelu', 'silu', 'mish', 'hardswish', 'hardsigmoid',
    'hardtanh', 'hardtanh_', 'sigmoid', 'sigmoid_', 'tanh', 'tanh_',
    'softplus', 'softsign', 'prelu', 'rrelu', 'threshold', 'logsigmoid',
    'dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout',
    'feature_alpha_dropout', 'contiguous', 'clone', 'float', 'half',
    'double', 'bfloat16', 'to', 'type', 'type_as', 'detach', 'detach_',
    'abs', 'neg', '__neg__', 'exp', 'log', 'sqrt', 'rsqrt', 'square',
    'reciprocal', 'clamp', 'clamp_', 'clip', 'clamp_min', 'clamp_max',
    'sign', 'floor', 'ceil', 'round', 'nan_to_num', 'cpu', 'cuda',
    'max_pool1d', 'max_pool2d', 'max_pool3d', 'avg_pool1d', 'avg_pool2d',
    'avg_pool3d', 'adaptive_avg_pool1d', 'adaptive_avg_pool2d',
    'adaptive_avg_pool3d', 'adaptive_max_pool1d', 'adaptive_max_pool2d',
    'adaptive_max_pool3d', 'lp_pool2d', 'interpolate', 'upsample',
    'upsample_nearest', 'upsample_bilinear', 'pad', 'grid_sample',
    'pow', '__pow__', '__get__', 'flip', 'roll', 'fractional_max_pool2d',
}
# element-wise between tensors: couples their channels
BINARY_OPS = {
    'add', 'add_', 'sub', 'sub_', 'mul', 'mul_', 'div', 'div_', 'true_divide',
    '__add__', '__radd__', '__iadd__', '__sub__', '__rsub__', '__isub__',
    '__mul__', '__rmul__', '__imul__', '__truediv__', '__rtruediv__',
    '__itruediv__', '__div__', 'maximum', 'minimum', 'max', 'min', 'where',
    'addcmul', 'addcdiv', 'lerp', 'rsub', 'copy_', 'masked_fill',
    'masked_fill_', 'fmod', 'remainder', 'atan2',
}
CONCAT_OPS = {'cat', 'concat', 'concatenate', 'stack'}
RESHAPE_OPS = {'view', 'reshape', 'flatten', 'squeeze', 'unsqueeze',
               'expand', 'expand_as', 'repeat', 'permute', 'transpose',
               'swapaxes', 'swapdims', 'view_as', 'reshape_as', 'unflatten'}
REDUCTION_OPS = {'mean', 'sum', 'amax', 'amin', 'std', 'var', 'prod',
                 'logsumexp', 'norm'}
# act along one dim: channel-wise unless that dim holds the channels
DIM_OPS = {'softmax', 'log_softmax', 'normalize', 'cumsum', 'cumprod'}
# mix or move channels in ways that cannot be sliced
MIXING_OPS = {'matmul', 'mm', 'bmm', 'einsum', 'baddbmm', 'addmm', 'addbmm',
              '__matmul__', '__rmatmul__', 'pixel_shuffle',
              'pixel_unshuffle', 'unbind',
              'tensor_split', 'gather', 'scatter', 'index_select',
              '__setitem__', 'unfold', 'fold', 'channel_shuffle',
              'movedim', 'narrow', 'select', 'embedding',
              'scaled_dot_product_attention'}
# products of activations: costed (pas_mm.core.cost.macs.product_macs) although
# no gate changes them
PRODUCT_OPS = {'matmul', 'mm', 'bmm', '__matmul__', '__rmatmul__', 'einsum',
               'scaled_dot_product_attention'}
SPLIT_OPS = {'split', 'chunk'}
PARAMETRIC_FUNCS = {F.linear, F.batch_norm, F.instance_norm, F.group_norm,
                    F.layer_norm}


class OpClass(Enum):
    """What an op does to the channels of the tensors it reads."""
    IGNORED = 'ignored'  # no channel data flow (shapes, creation)
    PARAMETRIC = 'parametric'  # conv, linear, norms: tied to a module
    UNARY = 'unary'  # channel-wise, one to one
    BINARY = 'binary'  # element-wise between tensors: couples channels
    CONCAT = 'concat'
    RESHAPE = 'reshape'
    REDUCTION = 'reduction'
    DIM = 'dim'  # acts along one dim
    MIXING = 'mixing'  # moves channels in ways that cannot be sliced
    SPLIT = 'split'
    GETITEM = 'getitem'
    UNKNOWN = 'unknown'


_CLASSES = [
    (NON_TENSOR_OPS | CREATION_OPS, OpClass.IGNORED),
    (CONV_OPS, OpClass.PARAMETRIC),
    (UNARY_OPS, OpClass.UNARY), (BINARY_OPS, OpClass.BINARY),
    (CONCAT_OPS, OpClass.CONCAT), (RESHAPE_OPS, OpClass.RESHAPE),
    (REDUCTION_OPS, OpClass.REDUCTION), (DIM_OPS, OpClass.DIM),
    (MIXING_OPS, OpClass.MIXING), (SPLIT_OPS, OpClass.SPLIT),
    ({'__getitem__'}, OpClass.GETITEM),
]


def op_class(func, name: str) -> OpClass:
    """The class of ``func`` (whose ``func_name`` is ``name``)."""
    if func in PARAMETRIC_FUNCS:
        return OpClass.PARAMETRIC
    for names, cls in _CLASSES:
        if name in names:
            return cls
    return OpClass.UNKNOWN
