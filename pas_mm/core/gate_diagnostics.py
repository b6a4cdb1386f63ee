"""What the gate rule saw during a search, per latent: the task gradient's
moments (its signal-to-noise) and the threshold crossings each way.

``GateOptimizer(record=True)`` feeds it at every step; ``summary()`` gives
the per-group figures of ``tools/analysis/search_diagnostics.py``.
"""
import math
from typing import Dict

import torch


class GateDiagnostics:
    """Running per-latent statistics of a search."""

    FIELDS = ('n', 'sum', 'sumsq', 'on_to_off', 'off_to_on')

    def __init__(self):
        self.stats: Dict[str, Dict[str, torch.Tensor]] = {}
        self.phase_steps: Dict[str, int] = {}

    def record(self, space, names, task, before, phase: str) -> None:
        """One step: ``task`` gradients per latent and the on/off state
        ``before`` the step (``space`` holds the state after it)."""
        self.phase_steps[phase] = self.phase_steps.get(phase, 0) + 1
        for name, grad in zip(names, task):
            gate = space.gates[name]
            after = gate.latent.detach() > gate.threshold
            s = self.stats.get(name)
            if s is None:
                zeros = torch.zeros_like(grad, dtype=torch.float64)
                s = {f: zeros.clone() for f in self.FIELDS}
                self.stats[name] = s
            g = grad.detach().double().cpu().view_as(s['sum'])
            s['n'] += 1
            s['sum'] += g
            s['sumsq'] += g * g
            was = before[name].cpu()
            now = after.cpu()
            s['on_to_off'] += (was & ~now).double()
            s['off_to_on'] += (~was & now).double()

    @staticmethod
    def snr(s) -> torch.Tensor:
        """|mean| / std * sqrt(N) of each latent's task gradient: how many
        standard errors its mean is from 0."""
        n = s['n'].clamp_min(1)
        mean = s['sum'] / n
        var = (s['sumsq'] / n - mean * mean).clamp_min(0)
        std = var.sqrt().clamp_min(1e-30)
        return mean.abs() / std * n.sqrt()

    def summary(self, space) -> Dict[str, dict]:
        """Per group: kept ratio, median and max SNR, the share of
        latents with SNR > 2, and crossings each way."""
        out = {}
        for name, s in self.stats.items():
            gate = space.gates[name]
            snr = self.snr(s)
            kept = int(gate.kept_indices().numel())
            out[name] = dict(
                channels=gate.num_channels, kept=kept,
                kept_ratio=kept / gate.num_channels,
                snr_median=_finite(snr.median()),
                snr_max=_finite(snr.max()),
                snr_over_2=float((snr > 2).double().mean()),
                on_to_off=int(s['on_to_off'].sum()),
                off_to_on=int(s['off_to_on'].sum()),
                latents_switched_back_on=int((s['off_to_on'] > 0).sum()))
        return out

    def state_dict(self) -> dict:
        return dict(stats={n: {f: t.clone() for f, t in s.items()}
                           for n, s in self.stats.items()},
                    phase_steps=dict(self.phase_steps))

    def load_state_dict(self, state: dict) -> None:
        self.stats = {n: {f: t.clone() for f, t in s.items()}
                      for n, s in state.get('stats', {}).items()}
        self.phase_steps = dict(state.get('phase_steps', {}))


def _finite(x) -> float:
    x = float(x)
    return x if math.isfinite(x) else 0.0
