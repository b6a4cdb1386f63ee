"""Merge RepVGG-style multi-branch blocks into one conv, after pruning.

A block is recognised by its branches (mmpretrain's ``RepVGGBlock`` naming):
``branch_3x3`` and ``branch_1x1`` (conv + BN) and ``branch_norm`` (identity
BN, or after export a partial-identity 1x1 conv + BN when the block's kept
input and output channels differ). The merged kernel is the sum of the
BN-fused branch kernels, zero-padded to the largest size.
"""
import torch
import torch.nn.functional as F
from torch import nn

# build_search_space(**REP_BLOCK_SPACE) for RepVGG-style nets: per-layer
# widths through the identity branch, and MACs of the merged 3x3 convs
REP_BLOCK_SPACE = dict(
    decouple=('*branch_norm', ),
    fold=('*branch_1x1.*', '*branch_norm', '*branch_3x3.norm'))


def _fuse(conv_weight, bn):
    std = (bn.running_var + bn.eps).sqrt()
    gamma = bn.weight if bn.weight is not None else torch.ones_like(std)
    beta = bn.bias if bn.bias is not None else torch.zeros_like(std)
    weight = conv_weight * (gamma / std).reshape(-1, 1, 1, 1)
    return weight, beta - bn.running_mean * gamma / std


def _branch_kernel(branch, in_channels, groups):
    """(weight, bias) of one branch as a conv kernel."""
    if isinstance(branch, nn.modules.batchnorm._BatchNorm):  # identity
        c = branch.num_features
        if c != in_channels:
            raise ValueError('identity branch with a different width must be '
                             'exported first (pas_mm.core.compact.export)')
        per_group = in_channels // groups
        eye = torch.zeros(c, per_group, 1, 1, dtype=branch.running_mean.dtype,
                          device=branch.running_mean.device)
        eye[torch.arange(c), torch.arange(c) % per_group] = 1
        return _fuse(eye, branch)
    conv, bn = branch.conv, branch.norm
    return _fuse(conv.weight, bn)


def is_rep_block(module: nn.Module) -> bool:
    return hasattr(module, 'branch_3x3') and hasattr(module, 'branch_1x1') \
        and not getattr(module, 'deploy', False)


def merge_block(block: nn.Module) -> nn.Conv2d:
    """Replace the branches of one block by ``block.branch_reparam``."""
    main = block.branch_3x3.conv
    groups, k = main.groups, main.kernel_size[0]
    branches = [block.branch_3x3, block.branch_1x1,
                getattr(block, 'branch_norm', None)]
    weight, bias = 0, 0
    with torch.no_grad():
        for branch in branches:
            if branch is None:
                continue
            w, b = _branch_kernel(branch, main.in_channels, groups)
            pad = (k - w.shape[-1]) // 2
            weight = weight + F.pad(w, [pad] * 4)
            bias = bias + b
    fused = nn.Conv2d(main.in_channels, main.out_channels, k,
                      stride=main.stride, padding=main.padding,
                      dilation=main.dilation, groups=groups, bias=True,
                      padding_mode=main.padding_mode).to(main.weight.device)
    fused.weight = nn.Parameter(weight.detach().clone())
    fused.bias = nn.Parameter(bias.detach().clone())
    for attr in ('branch_3x3', 'branch_1x1', 'branch_norm'):
        if hasattr(block, attr):
            delattr(block, attr)
    block.branch_reparam = fused
    block.deploy = True
    if hasattr(block, 'in_channels'):
        block.in_channels, block.out_channels = \
            fused.in_channels, fused.out_channels
    return fused


def reparameterize(model: nn.Module) -> int:
    """Merge every multi-branch block of ``model`` in place.

    Call after ``export`` so that pruned blocks merge at their searched
    widths.

    Args:
        model (nn.Module): a model holding RepVGG-style blocks.

    Returns:
        int: the number of merged blocks.
    """
    blocks = [m for m in model.modules() if is_rep_block(m)]
    for block in blocks:
        merge_block(block)
    if hasattr(model, 'deploy'):
        model.deploy = True
    return len(blocks)
