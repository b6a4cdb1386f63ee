"""Run a suite's run groups on several workers, in dependency order.

A group is the steps of one run (train, export, test, ...), run as one
subprocess. Groups run in suite order, up to ``jobs`` at a time, except:

- a group that reads another run's output (a width spec, a MACs target, a
  trained checkpoint, a latency table) waits until that run has finished;
- a *barrier* group (a baseline training, a latency table or timing) runs
  alone:
  it waits for every group before it, and no group after it starts until
  it has finished. Baselines get the whole machine; timings are not
  disturbed by training next to them.
"""
import re
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Callable, Dict, List, NamedTuple, Optional, Set

# --cfg-options that read what another run wrote: the run folder is the
# path's leading part (``<run>/compact/width_spec.json``, ``<run>/x.pth``)
_READS = re.compile(r'^model\.(?:transfer\.width_spec|budget\.target_from|'
                    r'budget\.table|pretrained)=(?P<path>.+)$')


class RunGroup(NamedTuple):
    """The steps of one run, as run_suite.py plans them."""
    run_dir: str  # where its steps write (and leave their markers)
    argvs: List[List[str]]  # the command line of every step
    barrier: bool  # run alone (baseline training, latency table / timing)


def run_dir_of(path: str, run_dirs: Set[str]) -> Optional[str]:
    """The run folder among ``run_dirs`` that ``path`` lies in, if any."""
    best = None
    for d in run_dirs:
        if path.startswith(d.rstrip('/') + '/') and (
                best is None or len(d) > len(best)):
            best = d
    return best


def dependencies(groups: List[RunGroup]) -> Dict[str, Set[str]]:
    """run_dir -> the run folders whose outputs its commands read."""
    dirs = {g.run_dir for g in groups}
    deps = {}
    for g in groups:
        found = set()
        for argv in g.argvs:
            for arg in argv:
                m = _READS.match(arg)
                src = m and run_dir_of(m.group('path'), dirs)
                if src and src != g.run_dir:
                    found.add(src)
        deps[g.run_dir] = found
    return deps


def run_all(groups: List[RunGroup],
            run_one: Callable[[RunGroup], Optional[str]],
            jobs: int = 1) -> Optional[str]:
    """Run ``groups`` (``run_one(group)`` returns None on success, else an
    error line) on up to ``jobs`` workers; after the first failure start
    nothing new, let the running groups finish, and return its error line
    (None when all succeeded)."""
    deps = dependencies(groups)
    finished: Set[str] = set()
    pending = list(groups)
    running = {}
    error = None

    def start_ready(pool):
        if any(g.barrier for g in running.values()):
            return  # a barrier runs alone
        i = 0
        while i < len(pending):
            group = pending[i]
            if group.barrier:
                if i == 0 and not running:
                    running[pool.submit(run_one, group)] = pending.pop(0)
                return  # nothing overtakes a barrier
            if len(running) < jobs and deps[group.run_dir] <= finished:
                running[pool.submit(run_one, group)] = pending.pop(i)
            else:
                i += 1

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        while True:
            if error is None:
                start_ready(pool)
            if not running:
                break
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in done:
                group = running.pop(future)
                result = future.result()
                if result is None:
                    finished.add(group.run_dir)
                elif error is None:
                    error = result
    if error is None and pending:
        blocked = pending[0].run_dir
        error = (f'{blocked} waits for runs that did not finish: '
                 f'{sorted(deps[blocked] - finished)}')
    return error
