"""Depth-wise binary convolution (DBC) gate: one latent scalar per channel,
or per unit of channels (an attention head).

Forward multiplies channel c by 1 if latent[c] > threshold else 0; backward is
an identity straight-through estimator, so the latents receive the gradient of
the task loss w.r.t. the (binary) mask and of the budget loss w.r.t. the kept
count. A gate with ``unit=d`` keeps or drops consecutive runs of ``d``
channels together: one latent per head of ``d`` channels.
"""
import torch
from torch import nn


def ste_mask(latent: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """Binary mask in the forward pass, identity gradient in the backward."""
    hard = (latent > threshold).to(latent.dtype)
    return hard + latent - latent.detach()


class DBCGate(nn.Module):
    """Per-channel (or per-unit) binary gate with a straight-through
    estimator.

    Args:
        num_channels (int): channels of the gated group.
        init (float): initial latent value (1.0: every channel kept).
            Default: 1.0.
        threshold (float): a unit is kept while its latent is above it.
            Default: 0.5.
        unit (int): channels per latent (the head size of an attention
            head gate; 1: one latent per channel). Default: 1.
    """

    def __init__(self, num_channels: int, init: float = 1.0,
                 threshold: float = 0.5, unit: int = 1):
        super().__init__()
        if unit < 1 or num_channels % unit:
            raise ValueError(f'a gate of {num_channels} channels cannot have '
                             f'units of {unit}')
        self.num_channels = num_channels
        self.unit = unit
        self.threshold = threshold
        self.latent = nn.Parameter(
            torch.full((num_channels // unit, ), float(init)))

    @property
    def num_units(self) -> int:
        return self.num_channels // self.unit

    def _expand(self, per_unit: torch.Tensor) -> torch.Tensor:
        if self.unit == 1:
            return per_unit
        return per_unit.repeat_interleave(self.unit)

    def mask(self) -> torch.Tensor:
        """STE mask of shape (C,): values are exactly 0 or 1."""
        return self._expand(ste_mask(self.latent, self.threshold))

    def kept(self) -> torch.Tensor:
        """Differentiable kept-channel count (STE sum of the mask)."""
        return ste_mask(self.latent, self.threshold).sum() * self.unit

    def kept_units(self) -> torch.Tensor:
        """Indices of the kept units (heads; channels when unit is 1)."""
        return torch.nonzero(self.latent.detach() > self.threshold).flatten()

    def kept_indices(self) -> torch.Tensor:
        """Indices of the kept channels."""
        units = self.kept_units()
        if self.unit == 1:
            return units
        offsets = torch.arange(self.unit, device=units.device)
        return (units.view(-1, 1) * self.unit + offsets).flatten()

    @torch.no_grad()
    def set_kept(self, channels: torch.Tensor) -> None:
        """Keep exactly the units holding ``channels`` (channel indices)."""
        channels = torch.as_tensor(channels, dtype=torch.long)
        self.latent.zero_()
        self.latent[(channels // self.unit).to(self.latent.device)] = 1.0

    def unit_scores(self, scores: torch.Tensor) -> torch.Tensor:
        """Per-channel scores averaged over each unit."""
        if self.unit == 1:
            return scores
        return scores.reshape(self.num_units, self.unit).mean(1)

    @torch.no_grad()
    def set_scores(self, scores: torch.Tensor) -> None:
        """Latents from per-channel scores (averaged over each unit)."""
        self.latent.copy_(self.unit_scores(scores).to(self.latent))

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
        unit = f', unit={self.unit}' if self.unit > 1 else ''
        return f'{self.num_channels}, threshold={self.threshold}{unit}'
