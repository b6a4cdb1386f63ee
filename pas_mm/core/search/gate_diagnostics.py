"""What the gate rule saw during a search, per latent: the task gradient's
moments (its signal-to-noise) and the threshold crossings each way.

Every ``PaSSearch`` keeps one (its gate rule feeds it, or, under the
original rule, the search itself); ``summary()`` gives the per-group
figures of ``tools/analysis/search_diagnostics.py`` and ``evidence()``
the share of width decisions whose task evidence stands clear of its
noise, which the end-of-search summary reports.
"""
import math
from typing import Dict

import torch

# a mean more than this many standard errors from 0 stands clear of noise
CLEAR_SNR = 2.0


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
            elif s['sum'].device != grad.device:  # loaded on another device
                s = {f: t.to(grad.device) for f, t in s.items()}
                self.stats[name] = s
            # on the gradient's device: no host sync per step
            g = grad.detach().double().view_as(s['sum'])
            s['n'] += 1
            s['sum'] += g
            s['sumsq'] += g * g
            was = before[name].to(g.device)
            now = after.to(g.device)
            s['on_to_off'] += (was & ~now).double()
            s['off_to_on'] += (~was & now).double()

    @staticmethod
    def snr(s) -> torch.Tensor:
        """``|mean| / std * sqrt(N)`` of each latent's task gradient: how
        many standard errors its mean is from 0."""
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
                snr_over_2=float((snr > CLEAR_SNR).double().mean()),
                on_to_off=int(s['on_to_off'].sum()),
                off_to_on=int(s['off_to_on'].sum()),
                latents_switched_back_on=int((s['off_to_on'] > 0).sum()))
        return out

    def evidence(self, clear: float = CLEAR_SNR) -> dict:
        """How much task evidence stood behind the widths: ``decisions``
        (latents recorded), ``clear`` (those whose task gradient's mean
        lies more than ``clear`` standard errors from 0), their ``share``,
        and the ``steps`` recorded (0 when nothing was)."""
        # one sample has no spread: it stands clear of nothing
        snrs = [torch.where(s['n'] > 1, self.snr(s), 0.0).flatten().cpu()
                for s in self.stats.values()]
        steps = max((int(s['n'].max()) for s in self.stats.values()
                     if s['n'].numel()), default=0)
        if not snrs:
            return dict(decisions=0, clear=0, share=0.0, steps=0,
                        threshold=clear)
        snr = torch.cat(snrs)
        count = int((snr > clear).sum())
        return dict(decisions=int(snr.numel()), clear=count,
                    share=count / max(int(snr.numel()), 1), steps=steps,
                    threshold=clear)

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
