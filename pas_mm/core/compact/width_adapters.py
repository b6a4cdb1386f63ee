"""Widths a model keeps as Python numbers, updated after export.

Export slices every weight, but some classes also keep a width as a plain
number that their ``forward`` reads, e.g. a Swin backbone that views its
output as ``(-1, H, W, self.num_features[i])``. The tracer cannot see such
a constant: a class that has one registers a *width adapter* here (by
class, or by qualified class name so that the core imports no toolkit),
and export calls it on every module of that class once the weights are
sliced. ``pas_mm.models.utils.width_adapters`` registers the toolkits'.
"""
from typing import Callable, Dict, Union

from torch import nn

_WIDTH_ADAPTERS: Dict[Union[type, str], Callable[[nn.Module], None]] = {}


def register_width_adapter(cls: Union[type, str],
                           update: Callable[[nn.Module], None]) -> None:
    """After export, call ``update(module)`` on every module of ``cls`` (a
    class or ``'module.ClassName'``) to match its numbers to its sliced
    layers."""
    _WIDTH_ADAPTERS[cls] = update


def update_kept_widths(model: nn.Module) -> None:
    """Run the registered width adapters over ``model``'s modules."""
    for module in model.modules():
        cls = type(module)
        for key in (cls, f'{cls.__module__}.{cls.__qualname__}'):
            if key in _WIDTH_ADAPTERS:
                _WIDTH_ADAPTERS[key](module)
                break
