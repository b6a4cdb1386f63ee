"""Atomic file writes (a crash leaves the old file or none, never half)
and the JSON files of pas-mm (width specs, latency tables).

Files get the usual mode (0666 minus the umask), not mkstemp's 0600, so
results written by one user can be read by the rest of a team.
"""
import json
import os
import tempfile
from typing import Callable, Type


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str, write: Callable[[str], None]) -> None:
    """Call ``write(tmp_path)`` on a temporary file next to ``path``, then
    move it into place."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    base = os.path.basename(path)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.tmp-',
                               suffix=os.path.splitext(base)[1] or '')
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str, text: str) -> None:
    def write(tmp):
        with open(tmp, 'w') as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    atomic_write(path, write)


def atomic_torch_save(obj, path: str) -> None:
    """``torch.save`` through ``atomic_write``."""
    import torch
    atomic_write(str(path), lambda tmp: torch.save(obj, tmp))


def write_json(path: str, obj) -> None:
    """``obj`` as indented JSON, written atomically."""
    atomic_write_text(path, json.dumps(obj, indent=1))


def read_json(path: str, error: Type[Exception], what: str):
    """The JSON in ``path``, or ``error`` with one line that names ``what``
    and the path (missing, unreadable, not JSON)."""
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise error(f'{what} not found: {path}') from None
    except json.JSONDecodeError as e:
        raise error(f'{what} {path} is not valid JSON: {e.msg} (line '
                    f'{e.lineno})') from None
    except OSError as e:
        raise error(f'{what} {path}: {e.strerror or e}') from None
