"""What the task says about a gate: the signal the gate rule sums with the
budget's push.

- ``'gradient'`` (default): the latent's task gradient as it is, the
  first-order gain of scaling the channel. On a trained net its mean over
  batches sits near 0 however much the net relies on the channel, so it
  resists the budget's push only by noise (``docs/search_evidence.md``,
  protocols B and C).
- ``'fisher'``: the running mean square of the task gradient (the
  empirical Fisher, the second-order estimate of the loss a channel's
  removal costs; Molchanov et al. 2019), always against the cut. It is
  re-estimated as the search goes, so a channel whose neighbours were cut
  can become worth keeping. Set to the task gradient's RMS, so that the
  budget weight's calibration reads it like the gradient.
"""
from typing import Dict, List

import torch

from ..errors import BudgetError

SIGNALS = ('gradient', 'fisher')


class TaskSignal:
    """Turns the latents' task gradients into the task's part of a step.

    Args:
        kind (str): ``'gradient'`` or ``'fisher'`` (see the module
            docstring). Default: ``'gradient'``.
        momentum (float): EMA factor of the mean square (``'fisher'``),
            its evidence window: about ``1 / (1 - momentum)`` steps.
            Default: 0.9.
    """

    def __init__(self, kind: str = 'gradient', momentum: float = 0.9):
        if kind not in SIGNALS:
            raise BudgetError(f'gate task_signal must be one of {SIGNALS}, '
                              f'got {kind!r}')
        if not 0 <= momentum < 1:
            raise BudgetError(f'gate fisher_momentum must be in [0, 1), got '
                              f'{momentum!r}')
        self.kind = kind
        self.momentum = float(momentum)
        self._square: Dict[str, torch.Tensor] = {}

    def __call__(self, names: List[str],
                 task: List[torch.Tensor]) -> List[torch.Tensor]:
        if self.kind == 'gradient':
            return task
        for name, grad in zip(names, task):
            square = self._square.get(name)
            if square is None or square.shape != grad.shape:
                square = grad.pow(2)
            else:
                square = self.momentum * square + \
                    (1 - self.momentum) * grad.pow(2)
            self._square[name] = square
        squares = [self._square[n] for n in names]
        flat = torch.cat([s.flatten() for s in squares])
        scale = flat.pow(2).mean().sqrt()
        if not float(scale) > 0:
            return [torch.zeros_like(t) for t in task]
        rms = torch.cat([t.flatten() for t in task]).pow(2).mean().sqrt()
        # negative: a descent step raises the latent, against the cut
        return [-s / scale * rms for s in squares]

    def state_dict(self) -> dict:
        return dict(kind=self.kind, momentum=self.momentum,
                    square={n: t.clone() for n, t in self._square.items()})

    def load_state_dict(self, state: dict) -> None:
        self._square = {n: t.clone()
                        for n, t in state.get('square', {}).items()}
