"""Step 4 of the core pipeline: the compact network.

``export`` slices the real weights of a searched model to its kept
channels (exactly equivalent, genuinely smaller); width specs record and
replay the kept channels (``width_spec``, ``apply_width_spec``),
``transfer_widths`` carries a spec to another model, and
``reparameterize`` merges RepVGG blocks after pruning. (The folder is not
called ``export`` so that ``pas_mm.core.export`` stays the function.)
"""
from .export import apply_width_spec, export
from .reparam import reparameterize
from .transfer import transfer_widths
from .width_spec import load_width_spec, make_width_spec, save_width_spec

__all__ = ['export', 'apply_width_spec', 'reparameterize', 'transfer_widths',
           'load_width_spec', 'make_width_spec', 'save_width_spec']
