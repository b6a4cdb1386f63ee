"""mmengine.analysis' count beside the search space's, when a PaS model
is built, so that a MACs figure is never silently off.

The search space counts MACs as ``mmengine.analysis`` does (its
``FlopAnalyzer`` defaults; scaled dot-product attention added by
``pas_mm.compat.flop_handles``), so over the search scope the two totals
must agree within 1 %. When they do not, the warning names the modules
whose counts differ most, and says whether PyTorch's ``FlopCounterMode``
(the core's check, ``pas_mm.core.cost.macs_check``) agrees with the search
space on convs, linears and products, i.e. whether mmengine's count is
the one to doubt.
"""
from typing import Callable, Dict, List, Optional, Sequence

from mmengine.logging import MMLogger
from torch import nn

from pas_mm.core.cost.macs import macs_by_module
from pas_mm.core.cost.macs_check import macs_disagreements
from pas_mm.core.trace.graph import module_in_prefixes

TOLERANCE = 0.01


class _Forward(nn.Module):
    """``forward_fn(model, *inputs)`` as a module for ``FlopAnalyzer``."""

    def __init__(self, model: nn.Module, forward_fn: Callable):
        super().__init__()
        self.model, self.forward_fn = model, forward_fn

    def forward(self, *inputs):
        return self.forward_fn(self.model, *inputs)


def _mmengine_by_module(model, inputs, forward_fn) -> Dict[str, float]:
    """Module name -> per-sample MACs (its children's included) by
    mmengine.analysis."""
    from pas_mm.compat.flop_handles import flop_analyzer
    analyzer = flop_analyzer(_Forward(model, forward_fn), inputs)
    batch = int(inputs[0].shape[0]) or 1
    return {name[len('model.'):] if name.startswith('model.') else
            ('' if name in ('', 'model') else name): float(count) / batch
            for name, count in analyzer.by_module().items()}


def _in_scope(total: Dict[str, float], scope: Optional[Sequence[str]]
              ) -> float:
    if scope is None:
        return total.get('', 0.0)
    return sum(total.get(prefix, 0.0) for prefix in scope)


def mmengine_macs_warnings(space, inputs, forward_fn: Callable,
                           scope: Optional[Sequence[str]] = None
                           ) -> List[str]:
    """Warning lines when ``space.full_macs`` and mmengine.analysis' count
    of the scope differ by more than 1 %; [] when they agree (or when
    mmengine cannot trace the model: it is a second opinion only)."""
    with space.unmasked() as model:
        training = {m: m.training for m in model.modules()}
        model.eval()
        try:
            # with gradients on: under no_grad nn.MultiheadAttention takes
            # its fused fast path, which mmengine.analysis does not count
            theirs = _mmengine_by_module(model, inputs, forward_fn)
        except Exception as e:  # noqa: B902 -- a second opinion only
            MMLogger.get_current_instance().info(
                f'PaS MACs cross-check: mmengine.analysis cannot trace the '
                f'model ({type(e).__name__}); not compared')
            return []
        finally:
            for m, flag in training.items():
                m.train(flag)
    reference = _in_scope(theirs, scope)
    ours = space.full_macs
    if not reference or abs(ours - reference) <= TOLERANCE * reference:
        return []
    own = macs_by_module(space.graph, space.fold)
    modules = [n for n in own if n and (
        scope is None or module_in_prefixes(n, scope))]
    worst = sorted(modules, key=lambda n: -abs(own[n] - theirs.get(n, 0.)))
    where = ', '.join(f'{n} ({own[n]:.3g} vs {theirs.get(n, 0.):.3g})'
                      for n in worst[:3]
                      if abs(own[n] - theirs.get(n, 0.)) > 0)
    where = where or ('none of its layers or norms: the difference is in '
                      'parameter-free ops')
    second = macs_disagreements(space, inputs, forward_fn)
    verdict = ("PyTorch's FlopCounterMode disagrees with the search space "
               'too (see its warning)') if second else (
        "PyTorch's FlopCounterMode agrees with the search space on the "
        'convs, linears and products, so mmengine.analysis may be the one '
        'that is wrong here')
    return [f'the search space counts {ours:.4g} MACs per sample where '
            f'mmengine.analysis counts {reference:.4g} '
            f'({ours / reference - 1:+.1%}); modules that differ most '
            f'(pas-mm vs mmengine): {where}; {verdict}']
