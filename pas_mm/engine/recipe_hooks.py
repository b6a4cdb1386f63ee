"""Which of a recipe's own hooks a config's ``custom_hooks`` replaced.

mmengine replaces a list from ``_base_`` whole: ``custom_hooks =
[PaSSearchHook]`` drops a recipe's EMAHook or PipelineSwitchHook without a
word (``custom_hooks = _base_.custom_hooks + [...]`` keeps them).
"""
import os.path as osp
from typing import List

from mmengine.config import Config


def _types(hooks) -> List[str]:
    return [str(h.get('type')) for h in hooks or [] if isinstance(h, dict)]


def dropped_recipe_hooks(cfg) -> List[str]:
    """The hook types a ``_base_`` config of ``cfg`` (its file) lists in
    ``custom_hooks`` that ``cfg`` itself no longer has; [] when the bases
    cannot be read (nothing to compare)."""
    filename = getattr(cfg, 'filename', None)
    if not filename or not osp.isfile(filename):
        return []
    try:
        # mmengine 0.10.7's own base-file resolution (pinned)
        bases = Config._get_base_files(filename)
        found = []
        for base in bases:
            path, _ = Config._get_cfg_path(base, filename)
            found += _types(Config.fromfile(path).get('custom_hooks'))
    except Exception:  # noqa: B902 -- a check only; never block training
        return []
    kept = set(_types(cfg.get('custom_hooks')))
    return [t for t in dict.fromkeys(found) if t not in kept]
