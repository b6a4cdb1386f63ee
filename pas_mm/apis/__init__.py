"""The package layer under tools/: config loading with one-line errors,
the per-toolkit model runner, MACs / latency measurement, export.

Tools are thin scripts over these functions; none imports another tool.
"""
from .cli import error_line, exit_status, one_line_errors, setup_env
from .config import load_config, resolve_data_roots
from .dataset_check import ALL_LOADERS, check_dataset_paths

__all__ = ['error_line', 'exit_status', 'one_line_errors', 'setup_env',
           'load_config', 'resolve_data_roots', 'ALL_LOADERS',
           'check_dataset_paths']
