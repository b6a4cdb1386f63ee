"""Depth-wise binary convolution (DBC) gate: one latent scalar per channel.

Forward multiplies channel c by 1 if latent[c] > threshold else 0; backward is
an identity straight-through estimator, so the latents receive the gradient of
the task loss w.r.t. the (binary) mask and of the budget loss w.r.t. the kept
count.
"""
import torch
from torch import nn


def ste_mask(latent: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """Binary mask in the forward pass, identity gradient in the backward."""
    hard = (latent > threshold).to(latent.dtype)
    return hard + latent - latent.detach()


class DBCGate(nn.Module):
    """Per-channel binary gate with a straight-through estimator.

    Args:
        num_channels (int): channels of the gated group.
        init (float): initial latent value (1.0: every channel kept).
            Default: 1.0.
        threshold (float): a channel is kept while its latent is above it.
            Default: 0.5.
    """

    def __init__(self, num_channels: int, init: float = 1.0,
                 threshold: float = 0.5):
        super().__init__()
        self.num_channels = num_channels
        self.threshold = threshold
        self.latent = nn.Parameter(torch.full((num_channels,), float(init)))

    def mask(self) -> torch.Tensor:
        """STE mask of shape (C,): values are exactly 0 or 1."""
        return ste_mask(self.latent, self.threshold)

    def kept(self) -> torch.Tensor:
        """Differentiable kept-channel count (STE sum of the mask)."""
        return self.mask().sum()

    def kept_indices(self) -> torch.Tensor:
        return torch.nonzero(self.latent.detach() > self.threshold).flatten()

    @property
    def frozen(self) -> bool:
        return not self.latent.requires_grad

    def freeze(self) -> None:
        """End the search: the mask no longer changes."""
        self.latent.requires_grad_(False)
        self.latent.grad = None

    def forward(self, x: torch.Tensor, dim: int = 1) -> torch.Tensor:
        shape = [1] * x.dim()
        shape[dim] = self.num_channels
        return x * self.mask().to(x.dtype).view(shape)

    def extra_repr(self) -> str:
        return f'{self.num_channels}, threshold={self.threshold}'
