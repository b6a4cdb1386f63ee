"""Run (or print the commands of) a cross-task width-search suite.

    python tools/benchmark/run_suite.py [SUITE] [--work-dir work_dirs/suite]
        [--only TASK ...] [--emit {run,local,dist,slurm}] [--gpus 8]
        [--partition P] [--jobs N] [--train-options KEY=VALUE ...]

SUITE (default configs/benchmark/demo_suite.py) lists tasks, each with a
baseline, methods (PaS, baseline criteria, cross-task transfer) and budgets.
Every step goes through the normal tools (train, export, test, get_flops,
benchmark_latency; training with --no-validate, since the test step
evaluates the final model). The steps of one run share a subprocess
(_run_steps.py calls each tool's main()), each step with its own log.
Outputs go to WORK_DIR/<task>/<method>@<budget>/; every finished step leaves
a ``.done-<step>`` marker there, so a second run skips what is finished and
resumes where the first stopped: an unfinished training goes on from the
last checkpoint it saved (``--resume``).
Progress is printed as ``[k/n] task method@budget: step (elapsed)``.
--jobs N runs N runs at a time (pas_mm.benchmark.scheduler): a run that
reads another's width spec or checkpoint waits for it, and baselines,
latency tables and latency timings run alone, with every core.
A task's ``latency_tables={name: dict(config, batch)}`` are built
(build_latency_table.py) before its runs; a method with
``latency_table=name`` budgets latency by that table (its budgets are
latency ratios).

--emit local|dist|slurm prints the commands instead of running them (a
cluster runs the training steps with tools/dist_train.sh or
tools/slurm_train.sh). cross_task_report.py reads WORK_DIR afterwards.
"""
import argparse
import json
import os
import os.path as osp
import shlex
import subprocess
import sys
import time

from mmengine.runner.checkpoint import find_latest_checkpoint

from pas_mm.apis import exit_status, one_line_errors
from pas_mm.apis.errors import ToolInputError
from pas_mm.benchmark.check import load_suite
from pas_mm.benchmark.plan import RunPaths, plan, select_runs

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('suite', nargs='?',
                        default='configs/benchmark/demo_suite.py')
    parser.add_argument('--work-dir', default='work_dirs/suite')
    parser.add_argument('--only', nargs='+', default=None,
                        metavar='TASK[/RUN]',
                        help='run only these tasks, or runs of a task: '
                        'TASK/RUN with RUN an fnmatch pattern of the run '
                        "folders, method@budget-seedS (e.g. "
                        "'classification/*@0.25-seed*'); a task's baseline "
                        'steps always run (skipped when done), its '
                        'interleaved timing only when the whole task is '
                        'selected')
    parser.add_argument('--list', action='store_true',
                        help='print the selected runs and exit')
    parser.add_argument('--emit', default='run',
                        choices=['run', 'local', 'dist', 'slurm'])
    parser.add_argument('--gpus', type=int, default=8)
    parser.add_argument('--partition', default='PARTITION')
    parser.add_argument('--jobs', type=int, default=1,
                        help='runs at a time (each with cores / jobs '
                        'threads); baselines and latency timings run alone')
    parser.add_argument('--train-options', nargs='*', default=[],
                        help='extra --cfg-options for every training run '
                        '(e.g. shorter schedules)')
    return parser.parse_args(argv)


def cluster_command(argv, emit, gpus, partition, name):
    """Printable form: 'python', and dist_train.sh / slurm_train.sh for the
    tools/train.py steps."""
    argv = ['python'] + list(argv[1:])
    if emit == 'local' or argv[1] != 'tools/train.py':
        return argv
    config, rest = argv[2], argv[3:]
    if emit == 'dist':
        return ['bash', 'tools/dist_train.sh', config, str(gpus), *rest]
    work = rest[rest.index('--work-dir') + 1]
    rest = [a for i, a in enumerate(rest)
            if a != '--work-dir' and (i == 0 or rest[i - 1] != '--work-dir')]
    return [f'GPUS={gpus}', 'bash', 'tools/slurm_train.sh', partition, name,
            config, work, *rest]


def batches(steps):
    """The steps of one run (train, export, test, flops, latency) share one
    process (_run_steps.py): a fresh process per step costs ~8 s of imports
    on the 2-core demo machine, ~7 minutes over the demo suite."""
    group = []
    for k, step in enumerate(steps, 1):
        if group and step[3] != group[-1][1][3]:
            yield group
            group = []
        group.append((k, step))
    if group:
        yield group


def run_group(todo, env, start):
    """Run the steps in `todo` in one process (_run_steps.py writes each
    step's log and marker); None, or an error line naming the step that
    failed."""
    steps_json = osp.join(osp.dirname(todo[0]['log']), '.steps.json')
    with open(steps_json, 'w') as f:
        json.dump([dict(s, suite_start=start) for s in todo], f, indent=1)
    proc = subprocess.run(
        [sys.executable, 'tools/benchmark/_run_steps.py', steps_json],
        env=env, cwd=REPO)
    failed = [s for s in todo if not osp.exists(s['marker'])]
    if not failed:
        return None
    tail = open(failed[0]['log']).read().strip().splitlines()[-3:]
    return (f'{failed[0]["label"]} failed (exit {proc.returncode}); see '
            f'{failed[0]["log"]}: ' + ' | '.join(tail))


def resume_args(run_dir):
    """``--resume CKPT`` when an unfinished training (a killed suite) left
    a checkpoint in ``run_dir``, so that the next suite run goes on from
    its last saved epoch; else nothing. The checkpoint is named explicitly:
    plain ``--resume`` would resume from a run's ``load_from`` (its
    pretrained baseline) when the run saved nothing yet."""
    # mmengine reads its own marker; checked first, since it logs a miss
    # and a fresh run has none
    if not osp.isfile(osp.join(run_dir, 'last_checkpoint')):
        return []
    ckpt = find_latest_checkpoint(run_dir)
    return ['--resume', ckpt] if ckpt and osp.isfile(ckpt) else []


def schedule(steps, jobs, env, start):
    """The run groups of `steps` for pas_mm.benchmark.scheduler.run_all,
    and the function that runs one: its finished steps are skipped, the rest
    run in one process. With --jobs N > 1 the runs that share the machine
    get cores // N threads each; baselines and timings run alone, with
    all."""
    from pas_mm.benchmark.scheduler import RunGroup
    groups, todos = [], {}
    for group in batches(steps):
        todo = []
        for k, (task, tag, step, rdir, cmd) in group:
            label = f'[{k}/{len(steps)}] {task["name"]} {tag}: {step}'
            if osp.exists(osp.join(rdir, f'.done-{step}')):
                print(f'{label} (done, skipped)', flush=True)
            else:
                if step == 'train':
                    cmd = cmd + resume_args(rdir)
                    label += ' (resumed)' if '--resume' in cmd else ''
                todo.append(dict(
                    label=label, script=cmd[1], argv=cmd[2:], command=cmd,
                    log=osp.join(rdir, f'{step}.log'),
                    marker=osp.join(rdir, f'.done-{step}')))
        tag, rdir = group[0][1][1], group[0][1][3]
        groups.append(RunGroup(rdir, [s[1][4] for s in group],
                               barrier=tag in ('baseline', 'timing') or
                               tag.startswith('table-')))
        todos[rdir] = todo
    shared_env = dict(env)
    if jobs > 1 and 'OMP_NUM_THREADS' not in env:
        shared_env['OMP_NUM_THREADS'] = str(max(1, (os.cpu_count() or 1) //
                                                jobs))

    def run_one(group):
        todo = todos[group.run_dir]
        if not todo:
            return None
        os.makedirs(group.run_dir, exist_ok=True)
        return run_group(todo, env if group.barrier else shared_env, start)

    return groups, run_one


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    os.chdir(REPO)
    all_tasks = load_suite(args.suite)
    tasks, only = select_runs(all_tasks, args.only)
    steps = plan(tasks, args.work_dir, args.train_options, only)
    if args.list:
        for tag in dict.fromkeys(f'{t["name"]}/{tag}'
                                 for t, tag, *_ in steps):
            print(tag)
        return
    if args.emit != 'run':
        for task, tag, step, _, cmd in steps:
            cmd = cluster_command(cmd, args.emit, args.gpus, args.partition,
                                  f'{task["name"]}-{tag}')
            print(' '.join(shlex.quote(c) for c in cmd))
        return
    start = time.time()
    os.makedirs(args.work_dir, exist_ok=True)
    from pas_mm.core.io import atomic_write_text

    # every task of the suite, also under --only: the report reads them all
    # (runs that did not happen are listed as missing)
    atomic_write_text(RunPaths.suite_json(args.work_dir),
                      json.dumps(dict(suite=args.suite, tasks=all_tasks),
                                 indent=1, default=list))
    env = dict(os.environ, PYTHONPATH=REPO,
               TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD='1')
    from pas_mm.benchmark.scheduler import run_all
    groups, run_one = schedule(steps, args.jobs, env, start)
    error = run_all(groups, run_one, args.jobs)
    if error:
        raise ToolInputError(error)
    print(f'suite finished in {time.time() - start:.0f} s; report: python '
          f'tools/analysis/cross_task_report.py {args.work_dir}')


if __name__ == '__main__':
    sys.exit(exit_status(main()))
