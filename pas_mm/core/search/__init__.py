"""Step 3 of the core pipeline: the gates and the rules that move them.

``SearchSpace`` puts a DBC gate on every searchable channel group of a
traced model and prices kept widths against a ``Budget``. The gate rules
(``gate_optimizer``, ``gate_steps``), the evidence recorder
(``gate_diagnostics``) and the cuts (``evidence_cut``) are here;
``pas_mm.core.PaSSearch`` runs them and ends a search by exporting.
"""
from .budget import Budget
from .gate import DBCGate, ste_mask
from .space import SearchSpace, build_search_space

__all__ = ['Budget', 'DBCGate', 'ste_mask', 'SearchSpace',
           'build_search_space']
