"""The steps of a benchmark suite, in run order, and the one place the
suite's folder layout is spelt (``RunPaths``).

Every step goes through the normal tools (train, export, test, get_flops,
benchmark_latency); ``tools/benchmark/run_suite.py`` runs them.
"""
import fnmatch
import hashlib
import os.path as osp
import sys
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from pas_mm.apis.errors import SuiteError
from .suite import method_spec, run_tag, suite_runs

__all__ = ['SuiteError', 'Step', 'RunPaths', 'select_runs', 'plan']


class Step(NamedTuple):
    """One tool call of a suite: ``folder`` gets its log and its
    ``.done-<name>`` marker."""
    task: dict
    run: str  # a run tag, 'baseline', 'timing' or 'table-<name>'
    name: str  # train, export, test, val, flops, latency, build, ...
    folder: str
    argv: List[str]

    @property
    def marker(self) -> str:
        return osp.join(self.folder, f'.done-{self.name}')


class RunPaths:
    """Where one run of a suite keeps what it writes:
    ``WORK/<task>/<tag>/`` (training), ``compact/`` (the export, its test
    metrics, ``val/``, ``flops.json``)."""

    def __init__(self, work: str, task: str, tag: str):
        self.folder = osp.join(work, task, tag)
        self.compact = osp.join(self.folder, 'compact')
        self.config = osp.join(self.compact, 'config.py')
        self.checkpoint = osp.join(self.compact, 'compact.pth')
        self.width_spec = osp.join(self.compact, 'width_spec.json')
        self.search_spec = osp.join(self.folder, 'pas_search',
                                    'width_spec.json')

    def result_dir(self, split: str = 'test') -> str:
        """Where ``tools/test.py`` writes a split's metrics."""
        return self.compact if split == 'test' else osp.join(
            self.compact, split)

    @staticmethod
    def suite_json(work: str) -> str:
        return osp.join(work, 'suite.json')

    @staticmethod
    def timing_json(work: str, task: str) -> str:
        return osp.join(work, task, 'timing', 'latency.json')

    @staticmethod
    def table(work: str, task: str, name: str) -> str:
        return osp.join(work, task, 'tables', name, 'table.json')


def select_runs(tasks: List[dict], only: Optional[Sequence[str]]
                ) -> Tuple[List[dict], Dict[str, Optional[List[str]]]]:
    """(tasks, task name -> fnmatch patterns of its run tags, or None for
    all) of ``--only TASK[/RUN-PATTERN] ...``.

    Raises:
        SuiteError: an entry naming no task, or a pattern matching no run.
    """
    if not only:
        return tasks, {}
    names = {t['name']: t for t in tasks}
    patterns = {}
    for entry in only:
        name, _, pattern = entry.partition('/')
        if name not in names:
            raise SuiteError(f'--only {entry}: no task {name!r} in the suite '
                             f'(tasks: {", ".join(names)})')
        if not pattern:
            patterns[name] = None
            continue
        tags = [r.tag for r in suite_runs(names[name])]
        if not fnmatch.filter(tags, pattern):
            raise SuiteError(f'--only {entry}: no run of {name} matches '
                             f'{pattern!r}; its runs are {", ".join(tags)}')
        if name not in patterns or patterns[name] is not None:
            patterns.setdefault(name, []).append(pattern)
    return [t for t in tasks if t['name'] in patterns], patterns


def _selected(tag: str, patterns) -> bool:
    return patterns is None or any(
        fnmatch.fnmatchcase(tag, p) for p in patterns)


def _python() -> str:
    return sys.executable or 'python'


def _test_options(task) -> List[str]:
    """``--cfg-options`` of the evaluation steps (e.g. smaller splits)."""
    return ['--cfg-options'] + list(task['test_options']) \
        if task.get('test_options') else []


def baseline_steps(task: dict, work: str, train_options) -> List[Step]:
    """Train (unless a published checkpoint is given), evaluate, count and
    (unless timed with the runs) time the task's baseline; then build its
    latency tables."""
    py, base = _python(), task['baseline']
    bdir = osp.join(work, task['name'], 'baseline')
    ckpt = base.get('checkpoint') or osp.join(bdir, base['final'])
    shape = [str(s) for s in task['shape']]
    extra = list(base.get('train_options', [])) + list(train_options)
    test_extra = _test_options(task)
    steps = []
    if not base.get('checkpoint'):
        steps.append(Step(task, 'baseline', 'train', bdir, [
            py, 'tools/train.py', base['config'], '--work-dir', bdir,
            '--no-validate'] + (['--cfg-options'] + extra if extra else [])))
    if task.get('val_split'):
        steps.append(Step(task, 'baseline', 'val', bdir, [
            py, 'tools/test.py', base['config'], ckpt, '--split', 'val',
            '--work-dir', osp.join(bdir, 'val')] + test_extra))
    if task.get('test_split', True):  # False: a tuning sweep, val only
        steps.append(Step(task, 'baseline', 'test', bdir, [
            py, 'tools/test.py', base['config'], ckpt, '--work-dir',
            bdir] + test_extra))
    steps.append(Step(task, 'baseline', 'flops', bdir, [
        py, 'tools/analysis/get_flops.py', base['config'], '--shape',
        *shape, '--json', osp.join(bdir, 'flops.json')]))
    if not task.get('interleaved_latency'):
        steps.append(Step(task, 'baseline', 'latency', bdir, [
            py, 'tools/analysis/benchmark_latency.py', base['config'],
            '--shape', *shape, '--json', osp.join(bdir, 'latency.json')]))
    # latency tables (a latency-budget method reads one), built alone
    for name, table in (task.get('latency_tables') or {}).items():
        path = RunPaths.table(work, task['name'], name)
        steps.append(Step(task, f'table-{name}', 'build', osp.dirname(path), [
            py, 'tools/analysis/build_latency_table.py', table['config'],
            '--out', path, '--batch', str(table.get('batch', 1))]))
    return steps


def _budget_options(task, work, method, budget, seed, spec) -> List[str]:
    """What a run's training sets besides the pretrained baseline: where
    its widths or its target come from, and its seed."""
    opts = []
    if spec['latency_table']:
        opts.append('model.budget.table=' + RunPaths.table(
            work, task['name'], spec['latency_table']))
    if spec['widths_from']:  # widths from scratch, or a transfer per run
        src_task, _, src = spec['widths_from'].rpartition('/')
        opts += ['model.transfer.width_spec=' + RunPaths(
            work, src_task or task['name'], run_tag(src, budget,
                                                    seed)).width_spec,
                 # a transfer with scale_to_budget scales to it
                 f'model.budget.target_ratio={budget}']
    elif method == 'transfer':
        src_task, src_tag = task['transfer_from'].split('/')
        opts.append('model.transfer.width_spec=' + RunPaths(
            work, src_task, src_tag).width_spec)
    elif budget == 'transfer':  # equal MACs with the transfer
        opts.append('model.budget.target_from=' + RunPaths(
            work, task['name'], 'transfer').width_spec)
    else:
        opts.append(f'model.budget.target_ratio={budget}')
    if seed is not None:
        opts.append(f'randomness.seed={seed}')
    return opts


def run_steps(task: dict, work: str, train_options, run) -> List[Step]:
    """Train, export, evaluate, count (and maybe time) one run."""
    py, spec = _python(), method_spec(task, run.method)
    paths = RunPaths(work, task['name'], run.tag)
    base = task['baseline']
    bckpt = base.get('checkpoint') or osp.join(work, task['name'],
                                               'baseline', base['final'])
    opts = [f'model.pretrained={bckpt}'] if spec['pretrained'] else []
    opts += _budget_options(task, work, run.method, run.budget, run.seed,
                            spec)
    extra = list(task.get('train_options', [])) + list(train_options)
    # a latency budget: the export rebuilds the search model, which reads
    # the table and checks the target against the table's floor
    table_opts = ['--cfg-options', 'model.budget.table=' + RunPaths.table(
        work, task['name'], spec['latency_table']),
        f'model.budget.target_ratio={run.budget}'] \
        if spec['latency_table'] else []
    shape = [str(s) for s in task['shape']]
    test_extra = _test_options(task)
    c, folder = paths, paths.folder
    steps = [
        Step(task, run.tag, 'train', folder, [
            py, 'tools/train.py', spec['config'], '--work-dir', folder,
            '--no-validate', '--cfg-options', *opts, *extra,
            *spec['options']]),
        Step(task, run.tag, 'export', folder, [
            py, 'tools/export.py', spec['config'],
            osp.join(folder, spec['final']), '--out', c.compact,
            *table_opts])]
    if task.get('test_split', True):
        steps.append(Step(task, run.tag, 'test', folder, [
            py, 'tools/test.py', c.config, c.checkpoint, '--work-dir',
            c.result_dir('test')] + test_extra))
    if task.get('val_split'):  # tune on val, report on test
        steps.append(Step(task, run.tag, 'val', folder, [
            py, 'tools/test.py', c.config, c.checkpoint, '--split', 'val',
            '--work-dir', c.result_dir('val')] + test_extra))
    steps.append(Step(task, run.tag, 'flops', folder, [
        py, 'tools/analysis/get_flops.py', c.config, '--checkpoint',
        c.checkpoint, '--shape', *shape, '--json',
        osp.join(c.compact, 'flops.json')]))
    if not task.get('interleaved_latency'):  # else timed together
        steps.append(Step(task, run.tag, 'latency', folder, [
            py, 'tools/analysis/benchmark_latency.py', c.config,
            '--checkpoint', c.checkpoint, '--shape', *shape, '--json',
            osp.join(c.compact, 'latency.json')]))
    return steps


def timing_step(task: dict, work: str) -> Step:
    """All of the task's models timed in one process, interleaved; the
    step's name carries the runs it times, so that adding runs times them
    again."""
    timing = task['interleaved_latency']
    tags = ','.join(r.tag for r in suite_runs(task))
    digest = hashlib.sha1(tags.encode()).hexdigest()[:8]
    return Step(task, 'timing', f'latency-{digest}',
                osp.dirname(RunPaths.timing_json(work, task['name'])), [
                    _python(), 'tools/analysis/benchmark_suite_latency.py',
                    work, task['name'], '--batch-sizes',
                    *[str(b) for b in timing['batch_sizes']], '--iters',
                    str(timing['iters']), '--warmup',
                    str(timing['warmup'])])


def plan(tasks: List[dict], work: str, train_options=(),
         only: Optional[dict] = None) -> List[Step]:
    """Every step of ``tasks``, in run order. ``only``: task name ->
    fnmatch patterns of its run tags (``select_runs``); a task not in it
    runs whole, and only a whole task is timed."""
    only = only or {}
    steps = []
    for task in tasks:
        patterns = only.get(task['name'])
        steps += baseline_steps(task, work, train_options)
        for run in suite_runs(task):
            if _selected(run.tag, patterns):
                steps += run_steps(task, work, train_options, run)
        if task.get('interleaved_latency') and patterns is None:
            steps.append(timing_step(task, work))
    return steps
