"""Command-line plumbing shared by the tools: one-line errors, start-up."""
import functools
import os
import sys
from typing import Callable

from ..core.errors import PaSError
from .errors import ConfigError


def error_line(exc: PaSError) -> str:
    """The one line a tool prints for an input error: its first line,
    named by its type unless it is a whole sentence already
    (``ToolInputError``)."""
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ''
    return 'pas-mm: error: ' + (f'{type(exc).__name__}: {msg}'
                                if exc.named else msg)


class InputErrorStatus(int):
    """What a ``one_line_errors`` main returns after an input error (it
    equals 2, the exit status); any other return value is the tool's
    result (metrics, a ratio, ...), exit status 0."""


INPUT_ERROR = InputErrorStatus(2)


def exit_status(result) -> int:
    """The exit status of a tool's ``main`` from what it returned:
    ``sys.exit(exit_status(main()))``."""
    return int(result) if isinstance(result, InputErrorStatus) else 0


def one_line_errors(main: Callable) -> Callable:
    """A tool's ``main``: pas-mm's input errors (``PaSError``: bad
    config, dataset, budget, scope, width spec, checkpoint, unsupported op)
    become one clear line on stderr and ``INPUT_ERROR`` (exit status 2:
    the script's ``sys.exit(exit_status(main()))``), not a traceback.
    Library code only raises them."""
    @functools.wraps(main)
    def wrapped(*args, **kwargs):
        try:
            return main(*args, **kwargs)
        except PaSError as e:
            print(error_line(e), file=sys.stderr, flush=True)
            return INPUT_ERROR
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


def add_launch_args(parser, cfg_example: str = '') -> None:
    """The options tools/train.py and tools/test.py share, as OpenMMLab's
    do: ``--cfg-options``, ``--launcher`` and the local rank."""
    from mmengine.config import DictAction
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, default={},
        help='override config settings, key=value' + cfg_example)
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none', help='job launcher')
    # torchrun passes --local-rank; older launchers pass --local_rank
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def parse_launch_args(parser, argv=None):
    """``parser.parse_args(argv)``, with ``LOCAL_RANK`` set from it when the
    launcher did not set it."""
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args
