"""Registers the core DBC gate so configs can build it (``type='DBCGate'``)."""
from pas_mm.core.search.gate import DBCGate
from pas_mm.registry import MODELS

MODELS.register_module(module=DBCGate)

__all__ = ['DBCGate']
