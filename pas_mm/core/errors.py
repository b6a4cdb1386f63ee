"""Errors pas-mm raises for bad input; the tools turn them into one line."""


class PaSError(Exception):
    """Base of every pas-mm input error.

    ``named``: the tools' one line names the error's type (``BudgetError:
    ...``); the tool-input errors below are whole sentences already.
    """
    named = True


class BudgetError(PaSError, ValueError):
    """A MACs budget that is malformed or cannot be met."""


class ScopeError(PaSError, ValueError):
    """A search scope or exclude entry that names no module."""


class UnsupportedOpError(PaSError, RuntimeError):
    """The tracer met an op whose channel semantics it does not know."""


class WidthSpecError(PaSError, ValueError):
    """A width spec that is malformed or belongs to another model."""


class CheckpointError(PaSError, RuntimeError):
    """A checkpoint that cannot be read or does not fit the model."""


class CriterionError(PaSError, ValueError):
    """An unknown baseline pruning criterion."""


class TransferError(PaSError, ValueError):
    """A malformed width-transfer setting (keys, channel choice)."""


class SettingsError(PaSError, TypeError):
    """An argument a PaS model does not take (e.g. a misspelt key)."""
