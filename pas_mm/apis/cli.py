"""Command-line plumbing shared by the tools: one-line errors, start-up."""
import functools
import sys
from typing import Callable

from pas_mm.core.errors import ConfigError, PaSError


def error_line(exc: PaSError) -> str:
    """The one line a tool prints for an input error: its first line,
    named by its type unless it is a whole sentence already
    (``ToolInputError``)."""
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ''
    return 'pas-mm: error: ' + (f'{type(exc).__name__}: {msg}'
                                if exc.named else msg)


def one_line_errors(main: Callable) -> Callable:
    """A tool's ``main``: pas-mm's input errors (``PaSError``: bad
    config, dataset, budget, scope, width spec, checkpoint, unsupported op)
    become one clear line on stderr and exit status 2 (returned; the
    script's ``sys.exit(main())`` exits), not a traceback. Library code
    only raises them."""
    @functools.wraps(main)
    def wrapped(*args, **kwargs):
        try:
            return main(*args, **kwargs)
        except PaSError as e:
            print(error_line(e), file=sys.stderr, flush=True)
            return 2
    return wrapped


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
        raise ConfigError(str(e)) from None
