"""Work-arounds for upstream bugs, applied by ``pas_mm.compat.apply_all()``.

tools/train.py, tools/test.py and tools/export.py call ``apply_all()`` before
anything is built. Each patch names the upstream issue it works around and
never edits installed files.
"""
from .cpu_distributed import patch_cpu_distributed
from .mmagic_init_weights import mmagic_loaded, patch_mmagic_init_weights
from .mmagic_translation_steps import patch_translation_steps
from .torch_load import allow_trusted_runner_checkpoints


def apply_all(default_scope=None) -> None:
    """Apply every work-around the run needs.

    The mmagic patch imports mmagic (slow), so it runs only for mmagic
    configs or when mmagic is already imported.
    """
    allow_trusted_runner_checkpoints()
    patch_cpu_distributed()
    if default_scope == 'mmagic' or mmagic_loaded():
        patch_mmagic_init_weights()
        patch_translation_steps()


__all__ = ['apply_all', 'allow_trusted_runner_checkpoints',
           'patch_cpu_distributed',
           'patch_mmagic_init_weights', 'patch_translation_steps']
