"""Run (or print the commands of) a cross-task width-search suite.

    python tools/benchmark/run_suite.py [SUITE] [--work-dir work_dirs/suite]
        [--only TASK ...] [--emit {run,local,dist,slurm}] [--gpus 8]
        [--partition P] [--train-options KEY=VALUE ...]

SUITE (default configs/benchmark/demo_suite.py) lists tasks, each with a
baseline, methods (PaS, baseline criteria, cross-task transfer) and budgets.
Every step goes through the normal tools (train, export, test, get_flops,
benchmark_latency; training with --no-validate, since the test step
evaluates the final model). The steps of one run share a subprocess
(_run_steps.py calls each tool's main()), each step with its own log.
Outputs go to WORK_DIR/<task>/<method>@<budget>/; every finished step leaves
a ``.done-<step>`` marker there, so a second run skips what is finished and
resumes where the first stopped.
Progress is printed as ``[k/n] task method@budget: step (elapsed)``.

--emit local|dist|slurm prints the commands instead of running them (a
cluster runs the training steps with tools/dist_train.sh or
tools/slurm_train.sh). cross_task_report.py reads WORK_DIR afterwards.
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import shlex
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

from pas_mm.apis import die  # noqa: E402
from pas_mm.apis.suite import (METHOD_KEYS, method_spec, run_tag,  # noqa
                               single_transfer, suite_runs)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('suite', nargs='?',
                        default='configs/benchmark/demo_suite.py')
    parser.add_argument('--work-dir', default='work_dirs/suite')
    parser.add_argument('--only', nargs='+', default=None,
                        help='run only these task names')
    parser.add_argument('--emit', default='run',
                        choices=['run', 'local', 'dist', 'slurm'])
    parser.add_argument('--gpus', type=int, default=8)
    parser.add_argument('--partition', default='PARTITION')
    parser.add_argument('--train-options', nargs='*', default=[],
                        help='extra --cfg-options for every training run '
                        '(e.g. shorter schedules)')
    return parser.parse_args(argv)


def load_suite(path):
    from mmengine.config import Config
    if not osp.isfile(path):
        die(f'suite config not found: {path}')
    try:
        tasks = Config.fromfile(path).get('tasks')
    except Exception as e:
        die(f'cannot load suite {path}: {type(e).__name__}: {e}')
    if not tasks:
        die(f'suite {path} defines no `tasks`')
    for t in tasks:
        missing = {'name', 'baseline', 'methods', 'budgets', 'final',
                   'metrics', 'shape'} - set(t)
        if missing:
            die(f'suite {path}: task {t.get("name")!r} lacks '
                f'{sorted(missing)}')
        _check_methods(path, t, tasks)
        for b in t['budgets']:
            if b == 'transfer' and not single_transfer(t):
                die(f'suite {path}: task {t["name"]!r} has budget '
                    "'transfer' but no transfer method")
            if b != 'transfer' and not (isinstance(b, (int, float)) and
                                        0 < b <= 1):
                die(f'suite {path}: task {t["name"]!r}: budget {b!r} is '
                    "neither a MACs ratio in (0, 1] nor 'transfer'")
        seeds = t.get('seeds')
        if seeds is not None and (not isinstance(seeds, (list, tuple)) or
                                  not all(isinstance(x, int)
                                          for x in seeds)):
            die(f'suite {path}: task {t["name"]!r}: seeds must be a list '
                f'of ints, got {seeds!r}')
        if single_transfer(t) and '/' not in str(t.get('transfer_from')):
            die(f'suite {path}: task {t["name"]!r} has a transfer method '
                "but no transfer_from='task/method@budget'")
        if t.get('test_split') is False and not t.get('val_split'):
            die(f'suite {path}: task {t["name"]!r} has test_split=False '
                'and no val_split: it would evaluate nothing')
        _check_post_baseline_schedule(path, t)
    return tasks


def _check_post_baseline_schedule(path, task):
    """The protocol: every method that starts from the baseline trains the
    same number of epochs (or iterations) after it."""
    want = task.get('post_baseline_epochs')
    if want is None:
        return
    from mmengine.config import Config
    for method in task['methods']:
        spec = method_spec(task, method)
        if not spec['pretrained']:
            continue  # trained from scratch: its own, longer schedule
        cfg = Config.fromfile(spec['config'])
        if spec['options']:  # a variant may change its own schedule
            cfg.merge_from_dict(_parse_options(spec['options']))
        train_cfg = cfg.get('train_cfg') or {}
        got = train_cfg.get('max_epochs', train_cfg.get('max_iters'))
        if got != want:
            die(f'suite {path}: task {task["name"]!r} method {method!r} '
                f'trains {got} epochs after the baseline, the protocol says '
                f'{want} (post_baseline_epochs)')


def _parse_options(options):
    """``['key=value', ...]`` as tools/train.py's --cfg-options reads
    them."""
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(['--cfg-options', *options]).cfg_options


def _check_methods(path, task, tasks):
    seen = []
    position = next(i for i, t in enumerate(tasks) if t is task)
    earlier = {t['name']: t for t in tasks[:position]}
    for method, entry in task['methods'].items():
        where = f'suite {path}: task {task["name"]!r} method {method!r}'
        unknown = set(entry) - set(METHOD_KEYS) if isinstance(
            entry, dict) else set()
        if unknown:
            die(f'{where}: unknown keys {sorted(unknown)}; a method is a '
                f'config path or dict({", ".join(METHOD_KEYS)})')
        spec = method_spec(task, method)
        if not isinstance(spec['config'], str):
            die(f'{where} names no config')
        if not all(isinstance(o, str) and '=' in o
                   for o in spec['options']):
            die(f'{where}: options must be --cfg-options strings '
                f"'key=value', got {spec['options']!r}")
        source = spec['widths_from']
        if source is not None:
            src_task, _, src_method = source.rpartition('/')
            owner = earlier.get(src_task) if src_task else task
            if owner is None:
                die(f'{where}: widths_from={source!r}: no task '
                    f'{src_task!r} before this one')
            if src_method not in (owner['methods'] if src_task else seen):
                die(f'{where}: widths_from={source!r} must be a method '
                    'listed before it')
            missing = set(spec['budgets']) - set(
                method_spec(owner, src_method)['budgets'])
            if missing:
                die(f'{where}: {source!r} does not run at budgets '
                    f'{sorted(missing)}')
            if src_task and set(task.get('seeds') or [None]) - set(
                    owner.get('seeds') or [None]):
                die(f'{where}: {source!r} does not run every seed of this '
                    'task')
        seen.append(method)


def plan(tasks, work, train_options):
    """Ordered steps: (task, run tag, step name, done marker dir, argv)."""
    py = 'python' if sys.executable is None else sys.executable
    steps = []
    for task in tasks:
        tdir = osp.join(work, task['name'])
        base = task['baseline']
        bdir = osp.join(tdir, 'baseline')
        # a published checkpoint (real datasets) or one trained here (demo)
        bckpt = base.get('checkpoint') or osp.join(bdir, base['final'])
        extra = list(task.get('train_options', [])) + list(train_options)
        base_extra = list(base.get('train_options', [])) + list(
            train_options)
        shape = [str(s) for s in task['shape']]
        if not base.get('checkpoint'):
            steps.append(
                (task, 'baseline', 'train', bdir,
                 [py, 'tools/train.py', base['config'], '--work-dir', bdir,
                  '--no-validate'] +
                 (['--cfg-options'] + base_extra if base_extra else [])))
        # --cfg-options of the evaluation steps (e.g. smaller splits)
        test_extra = ['--cfg-options'] + list(task['test_options']) \
            if task.get('test_options') else []
        if task.get('val_split'):
            steps.append(
                (task, 'baseline', 'val', bdir,
                 [py, 'tools/test.py', base['config'], bckpt, '--split',
                  'val', '--work-dir', osp.join(bdir, 'val')] + test_extra))
        # test_split=False (a tuning sweep): nothing is evaluated on test
        use_test = task.get('test_split', True)
        if use_test:
            steps.append(
                (task, 'baseline', 'test', bdir,
                 [py, 'tools/test.py', base['config'], bckpt, '--work-dir',
                  bdir] + test_extra))
        steps += [
            (task, 'baseline', 'flops', bdir,
             [py, 'tools/analysis/get_flops.py', base['config'], '--shape',
              *shape, '--json', osp.join(bdir, 'flops.json')]),
        ]
        if not task.get('interleaved_latency'):
            steps.append(
                (task, 'baseline', 'latency', bdir,
                 [py, 'tools/analysis/benchmark_latency.py', base['config'],
                  '--shape', *shape, '--json',
                  osp.join(bdir, 'latency.json')]))
        for method, budget, tag, seed in suite_runs(task):
            spec = method_spec(task, method)
            config = spec['config']
            rdir = osp.join(tdir, tag)
            opts = [f'model.pretrained={bckpt}'] if spec['pretrained'] \
                else []
            if spec['widths_from']:  # PaS widths from scratch, or transfer
                src_task, _, src = spec['widths_from'].rpartition('/')
                opts.append('model.transfer.width_spec=' + osp.join(
                    osp.join(work, src_task) if src_task else tdir,
                    run_tag(src, budget, seed), 'compact',
                    'width_spec.json'))
                # a transfer with scale_to_budget scales to it
                opts.append(f'model.budget.target_ratio={budget}')
            elif method == 'transfer':
                src_task, src_tag = task['transfer_from'].split('/')
                opts.append('model.transfer.width_spec=' + osp.join(
                    work, src_task, src_tag, 'compact',
                    'width_spec.json'))
            elif budget == 'transfer':  # equal MACs with the transfer
                opts.append('model.budget.target_from=' + osp.join(
                    tdir, 'transfer', 'compact', 'width_spec.json'))
            else:
                opts.append(f'model.budget.target_ratio={budget}')
            if seed is not None:
                opts.append(f'randomness.seed={seed}')
            ckpt = osp.join(rdir, spec['final'])
            cdir = osp.join(rdir, 'compact')
            cfg_c = osp.join(cdir, 'config.py')
            pth_c = osp.join(cdir, 'compact.pth')
            steps += [
                (task, tag, 'train', rdir,
                 [py, 'tools/train.py', config, '--work-dir', rdir,
                  '--no-validate', '--cfg-options', *opts, *extra,
                  *spec['options']]),
                (task, tag, 'export', rdir,
                 [py, 'tools/export.py', config, ckpt, '--out', cdir]),
            ]
            if use_test:
                steps.append(
                    (task, tag, 'test', rdir,
                     [py, 'tools/test.py', cfg_c, pth_c, '--work-dir',
                      cdir] + test_extra))
            if task.get('val_split'):  # tune on val, report on test
                steps.append(
                    (task, tag, 'val', rdir,
                     [py, 'tools/test.py', cfg_c, pth_c, '--split', 'val',
                      '--work-dir', osp.join(cdir, 'val')] + test_extra))
            steps += [
                (task, tag, 'flops', rdir,
                 [py, 'tools/analysis/get_flops.py', cfg_c,
                  '--checkpoint', pth_c, '--shape', *shape, '--json',
                  osp.join(cdir, 'flops.json')]),
            ]
            if not task.get('interleaved_latency'):  # else timed together
                steps.append(
                    (task, tag, 'latency', rdir,
                     [py, 'tools/analysis/benchmark_latency.py', cfg_c,
                      '--checkpoint', pth_c, '--shape', *shape, '--json',
                      osp.join(cdir, 'latency.json')]))
        timing = task.get('interleaved_latency')
        if timing:
            # all of the task's models in one process, interleaved; the
            # step's name carries the runs it times, so that adding runs
            # times them again
            tags = ','.join(r.tag for r in suite_runs(task))
            digest = hashlib.sha1(tags.encode()).hexdigest()[:8]
            steps.append(
                (task, 'timing', f'latency-{digest}',
                 osp.join(tdir, 'timing'),
                 [py, 'tools/analysis/benchmark_suite_latency.py', work,
                  task['name'], '--batch-sizes',
                  *[str(b) for b in timing['batch_sizes']], '--iters',
                  str(timing['iters']), '--warmup', str(timing['warmup'])]))
    return steps


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
    step's log and marker), or die naming the step that failed."""
    steps_json = osp.join(osp.dirname(todo[0]['log']), '.steps.json')
    with open(steps_json, 'w') as f:
        json.dump([dict(s, suite_start=start) for s in todo], f, indent=1)
    proc = subprocess.run(
        [sys.executable, 'tools/benchmark/_run_steps.py', steps_json],
        env=env, cwd=REPO)
    failed = [s for s in todo if not osp.exists(s['marker'])]
    if failed:
        tail = open(failed[0]['log']).read().strip().splitlines()[-3:]
        die(f'{failed[0]["label"]} failed (exit {proc.returncode}); see '
            f'{failed[0]["log"]}: ' + ' | '.join(tail))


def main(argv=None):
    args = parse_args(argv)
    os.chdir(REPO)
    all_tasks = tasks = load_suite(args.suite)
    if args.only:
        unknown = set(args.only) - {t['name'] for t in tasks}
        if unknown:
            die(f'--only: no task {sorted(unknown)[0]!r} in {args.suite}')
        tasks = [t for t in tasks if t['name'] in args.only]
    steps = plan(tasks, args.work_dir, args.train_options)
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
    atomic_write_text(osp.join(args.work_dir, 'suite.json'),
                      json.dumps(dict(suite=args.suite, tasks=all_tasks),
                                 indent=1, default=list))
    env = dict(os.environ, PYTHONPATH=REPO,
               TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD='1')
    for group in batches(steps):
        todo = []
        for k, (task, tag, step, rdir, cmd) in group:
            label = f'[{k}/{len(steps)}] {task["name"]} {tag}: {step}'
            if osp.exists(osp.join(rdir, f'.done-{step}')):
                print(f'{label} (done, skipped)', flush=True)
            else:
                os.makedirs(rdir, exist_ok=True)
                todo.append(dict(
                    label=label, script=cmd[1], argv=cmd[2:], command=cmd,
                    log=osp.join(rdir, f'{step}.log'),
                    marker=osp.join(rdir, f'.done-{step}')))
        if todo:
            run_group(todo, env, start)
    print(f'suite finished in {time.time() - start:.0f} s; report: python '
          f'tools/analysis/cross_task_report.py {args.work_dir}')


if __name__ == '__main__':
    main()
