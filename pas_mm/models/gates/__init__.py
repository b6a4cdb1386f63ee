from .dbc_gate import DBCGate

__all__ = ['DBCGate']
