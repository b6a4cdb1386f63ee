"""Check a benchmark suite config before anything runs: every problem is
one error line that names the suite, the task and the method."""
import argparse
import os.path as osp

from pas_mm.apis.errors import SuiteError
from pas_mm.benchmark.suite import METHOD_KEYS, method_spec, single_transfer


def load_suite(path):
    """The ``tasks`` of the suite config at ``path``, checked: required
    keys, budgets, seeds, methods (``pas_mm.benchmark.suite.method_spec``),
    ``widths_from`` sources and the protocol's post-baseline schedule; or
    ``SuiteError`` naming the first problem (one line in the tools)."""
    from mmengine.config import Config
    if not osp.isfile(path):
        raise SuiteError(f'suite config not found: {path}')
    try:
        tasks = Config.fromfile(path).get('tasks')
    except Exception as e:
        raise SuiteError(f'cannot load suite {path}: {type(e).__name__}: {e}')
    if not tasks:
        raise SuiteError(f'suite {path} defines no `tasks`')
    for t in tasks:
        missing = {'name', 'baseline', 'methods', 'budgets', 'final',
                   'metrics', 'shape'} - set(t)
        if missing:
            raise SuiteError(f'suite {path}: task {t.get("name")!r} lacks '
                             f'{sorted(missing)}')
        _check_methods(path, t, tasks)
        for b in t['budgets']:
            if b == 'transfer' and not single_transfer(t):
                raise SuiteError(
                    f'suite {path}: task {t["name"]!r} has budget '
                    "'transfer' but no transfer method")
            if b != 'transfer' and not (isinstance(b, (int, float))
                                        and 0 < b <= 1):
                raise SuiteError(
                    f'suite {path}: task {t["name"]!r}: budget {b!r} is '
                    "neither a MACs ratio in (0, 1] nor 'transfer'")
        seeds = t.get('seeds')
        if seeds is not None and (not isinstance(seeds, (list, tuple)) or
                                  not all(isinstance(x, int) for x in seeds)):
            raise SuiteError(
                f'suite {path}: task {t["name"]!r}: seeds must be a list '
                f'of ints, got {seeds!r}')
        if single_transfer(t) and '/' not in str(t.get('transfer_from')):
            raise SuiteError(
                f'suite {path}: task {t["name"]!r} has a transfer method '
                "but no transfer_from='task/method@budget'")
        if t.get('test_split') is False and not t.get('val_split'):
            raise SuiteError(
                f'suite {path}: task {t["name"]!r} has test_split=False '
                'and no val_split: it would evaluate nothing')
        _check_post_baseline_schedule(path, t)
        _check_latency_tables(path, t)
    return tasks


def _check_latency_tables(path, task):
    """``latency_tables={name: dict(config, batch)}``: one table per name,
    built by the suite and read by the methods that name it; a table's
    batch must be one the task's timing measures, so that the reached
    latency is reported at the batch the search budgeted."""
    where = f'suite {path}: task {task["name"]!r}'
    tables = task.get('latency_tables') or {}
    timed = (task.get('interleaved_latency') or {}).get('batch_sizes',
                                                        [1, 32])
    for name, table in tables.items():
        if not isinstance(table, dict) or not isinstance(
                table.get('config'), str):
            raise SuiteError(
                f'{where}: latency_tables[{name!r}] must be dict(config, '
                'batch)')
        if table.get('batch', 1) not in timed or table.get('batch',
                                                           1) not in (1, 32):
            raise SuiteError(
                f'{where}: latency_tables[{name!r}] batch '
                f'{table.get("batch", 1)} is not a timed batch size '
                '(1 or 32, and in interleaved_latency.batch_sizes)')
    for method in task['methods']:
        spec = method_spec(task, method)
        name = spec['latency_table']
        if name is None:
            continue
        if name not in tables:
            raise SuiteError(
                f'{where} method {method!r}: latency_table={name!r} is not '
                f'in the task\'s latency_tables {sorted(tables)}')
        if not all(
                isinstance(b, (int, float)) and 0 < b <= 1
                for b in spec['budgets']):
            raise SuiteError(
                f'{where} method {method!r}: budgets {spec["budgets"]!r} '
                'must be latency ratios in (0, 1]')


def _check_post_baseline_schedule(path, task):
    """The protocol: every method that starts from the baseline trains the
    same number of epochs (``post_baseline_epochs``) or iterations
    (``post_baseline_iters``) after it."""
    unit = 'epochs' if 'post_baseline_epochs' in task else 'iters'
    want = task.get(f'post_baseline_{unit}')
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
        got = (cfg.get('train_cfg') or {}).get(f'max_{unit}')
        if got != want:
            raise SuiteError(
                f'suite {path}: task {task["name"]!r} method {method!r} '
                f'trains {got} {unit} after the baseline, the protocol says '
                f'{want} (post_baseline_{unit})')


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
            raise SuiteError(
                f'{where}: unknown keys {sorted(unknown)}; a method is a '
                f'config path or dict({", ".join(METHOD_KEYS)})')
        spec = method_spec(task, method)
        if not isinstance(spec['config'], str):
            raise SuiteError(f'{where} names no config')
        if not all(isinstance(o, str) and '=' in o
                   for o in spec['options']):
            raise SuiteError(f'{where}: options must be --cfg-options strings '
                             f"'key=value', got {spec['options']!r}")
        source = spec['widths_from']
        if source is not None:
            src_task, _, src_method = source.rpartition('/')
            owner = earlier.get(src_task) if src_task else task
            if owner is None:
                raise SuiteError(f'{where}: widths_from={source!r}: no task '
                                 f'{src_task!r} before this one')
            if src_method not in (owner['methods'] if src_task else seen):
                raise SuiteError(
                    f'{where}: widths_from={source!r} must be a method '
                    'listed before it')
            missing = set(spec['budgets']) - set(
                method_spec(owner, src_method)['budgets'])
            if missing:
                raise SuiteError(
                    f'{where}: {source!r} does not run at budgets '
                    f'{sorted(missing)}')
            if src_task and set(task.get('seeds') or [None]) - set(
                    owner.get('seeds') or [None]):
                raise SuiteError(
                    f'{where}: {source!r} does not run every seed of this '
                    'task')
        seen.append(method)
