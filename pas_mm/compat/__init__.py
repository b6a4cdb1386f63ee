"""Work-arounds for upstream bugs, applied by ``pas_mm.compat.apply_all()``.

tools/train.py, tools/test.py and tools/export.py call ``apply_all()`` before
anything is built. Each patch names the upstream issue it works around and
never edits installed files.
"""
from .mmagic_init_weights import patch_mmagic_init_weights
from .torch_load import allow_trusted_runner_checkpoints


def apply_all() -> None:
    allow_trusted_runner_checkpoints()
    patch_mmagic_init_weights()


__all__ = ['apply_all', 'allow_trusted_runner_checkpoints',
           'patch_mmagic_init_weights']
