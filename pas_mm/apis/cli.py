"""Command-line plumbing shared by the tools: one-line errors, start-up."""
import sys

from pas_mm.core.errors import PaSError


def die(msg: str, code: int = 2):
    """One clear line on stderr, no traceback: the user's input was wrong."""
    print(f'pas-mm: error: {msg}', file=sys.stderr)
    sys.exit(code)


def setup_env(cfg=None):
    """Apply pas-mm's upstream work-arounds before anything is built."""
    import pas_mm.compat
    pas_mm.compat.apply_all(cfg.get('default_scope') if cfg else None)


def skip_unloadable_inception_metrics(cfg):
    """mmagic: FID/IS whose Inception weights cannot be loaded or downloaded
    are skipped with a log line (pas_mm.engine.inception_metrics)."""
    if cfg.get('default_scope') != 'mmagic':
        return
    from pas_mm.engine.inception_metrics import \
        drop_unloadable_inception_metrics
    try:
        drop_unloadable_inception_metrics(cfg)
    except ValueError as e:
        die(str(e))


class pas_errors_as_one_line:
    """Turn pas-mm's input errors (bad budget, scope, width spec, checkpoint,
    unsupported op) into one clear line instead of a traceback."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is not None and isinstance(exc, PaSError):
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ''
            die(f'{type(exc).__name__}: {msg}')
        return False
