"""Run several tool steps of one suite run in a single Python process.

    python tools/benchmark/_run_steps.py STEPS.json

run_suite.py uses this for the steps of one run (train, export, test,
get_flops, benchmark_latency): each is a separate tool with its own
``main(argv)``, but a fresh process per step costs ~8 s of imports (torch,
mmengine, the toolkit) on the 2-core demo machine. STEPS.json is a list of
``{"label", "script", "argv", "log", "marker", "command", "suite_start"}``.
Each step's stdout and stderr (file descriptors 1 and 2, so C-level output
too) go to its own log, and its ``.done-<step>`` marker is written when it
succeeds, exactly as when run_suite.py runs it alone. The first failing step
ends the process with exit status 1; run_suite.py then names it.
"""
import json
import os
import runpy
import sys
import time
import traceback

from pas_mm.apis.cli import exit_status


def _redirected(log_path):
    """Point fds 1 and 2 at log_path; return the saved originals."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    return saved


def _restore(saved):
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(saved[0], 1)
    os.dup2(saved[1], 2)
    os.close(saved[0])
    os.close(saved[1])


def run_step(step, shared) -> bool:
    t0 = time.time()
    print(f'{step["label"]} ({t0 - step["suite_start"]:.0f} s elapsed'
          + (', same process as the previous step)' if shared else ')'),
          flush=True)
    saved = _redirected(step['log'])
    ok = True
    try:
        namespace = runpy.run_path(step['script'], run_name='pas_suite_step')
        # a tool's main returns its result, or INPUT_ERROR after printing
        # an input error's one line
        ok = exit_status(namespace['main'](step['argv'])) == 0
    except SystemExit as e:
        ok = e.code in (None, 0)
        if not ok and not isinstance(e.code, int):
            print(e.code, file=sys.stderr)
    except BaseException:  # noqa: B902 -- report any failure in the log
        traceback.print_exc()
        ok = False
    finally:
        _restore(saved)
    if ok:
        with open(step['marker'], 'w') as f:
            json.dump(dict(seconds=time.time() - t0,
                           command=step['command']), f)
    return ok


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    with open(argv[0]) as f:
        steps = json.load(f)
    for i, step in enumerate(steps):
        if not run_step(step, shared=i > 0):
            sys.exit(1)


if __name__ == '__main__':
    main()
