"""Errors of the tools' own input (files, folders, options, devices).

They are whole sentences: the tools print the message as their one line
(``PaSError.named`` is False), where a core error is printed with its
type's name.
"""
from pas_mm.core.errors import PaSError


class ToolInputError(PaSError):
    """A tool's own input that cannot be used (a file, a folder, an option);
    its message is the whole line the tool prints."""
    named = False


class ConfigError(ToolInputError, ValueError):
    """A config file that is missing, cannot be loaded, or needs a package
    that is not installed."""


class DatasetError(ToolInputError, FileNotFoundError):
    """A dataset folder or annotation file that is missing or empty."""


class SuiteError(ToolInputError, ValueError):
    """A benchmark suite config, or a selection of its runs, that cannot be
    run."""


class DeviceError(ToolInputError, RuntimeError):
    """A device or backend that is not available here."""


class ModelLoadError(ToolInputError, RuntimeError):
    """A model that cannot be built, loaded or exported as asked."""
