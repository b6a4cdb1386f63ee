"""Latency of every model of a suite task, measured in one process,
interleaved, after warm-up: the baseline and each run's exported compact
model.

    python tools/analysis/benchmark_suite_latency.py WORK_DIR TASK
        [--batch-sizes 1 32] [--iters 20] [--warmup 5] [--threads N]
        [--json OUT]

Speed figures from separate processes on a shared machine are not
comparable; here all models of the task are timed in the same rounds
(``pas_mm.apis.measure.interleaved_medians``), each round in a rotated
order, and each figure is the median of ``--iters`` rounds. oneDNN keeps
every model's compiled primitives (``reserve_primitive_cache``), so that a
model's figure does not depend on its neighbours in the round. Every
model is timed as deployed: RepVGG-style blocks merged (``as_deployed``;
the exported runs already are, the baseline is merged here). Writes
WORK_DIR/TASK/timing/latency.json (or --json): per model and batch size,
ms per batch. Detectors are timed on real val images: ``ms_per_batch`` is
backbone + FPN (what PaS prunes), ``test_step_ms_per_batch`` the whole
test step with the heads' box counts fixed (``pas_mm.apis.det_latency``).
"""
import argparse
import json
import os.path as osp
import sys

import torch

from pas_mm.apis import exit_status, one_line_errors
from pas_mm.apis.det_latency import FIXED_HEAD_WORK, detector_runs
from pas_mm.apis.errors import ToolInputError
from pas_mm.apis.measure import interleaved_medians
from pas_mm.apis.model_runner import as_deployed, inference_fn, load_model
from pas_mm.benchmark.plan import RunPaths
from pas_mm.benchmark.results import (MS_PER_BATCH, TEST_STEP_MS_PER_BATCH,
                                      load_suite_tasks)
from pas_mm.benchmark.suite import suite_runs
from pas_mm.core.cost.latency import reserve_primitive_cache
from pas_mm.core.io import atomic_write_text


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir')
    parser.add_argument('task')
    parser.add_argument('--batch-sizes', type=int, nargs='+', default=[1, 32])
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--json', default=None)
    return parser.parse_args(argv)


def task_models(work_dir, task_name):
    """(tag, config, checkpoint) of the baseline and of every finished run
    of the task (as the suite wrote them)."""
    try:
        tasks = {t['name']: t for t in load_suite_tasks(work_dir)}
    except FileNotFoundError as e:
        raise ToolInputError(str(e))
    if task_name not in tasks:
        raise ToolInputError(
            f'no task {task_name!r} in {RunPaths.suite_json(work_dir)}; '
            f'tasks: {sorted(tasks)}')
    task = tasks[task_name]
    base = task['baseline']
    models = [('baseline', base['config'], base.get('checkpoint') or
               osp.join(work_dir, task_name, 'baseline', base['final']))]
    for run in suite_runs(task):
        paths = RunPaths(work_dir, task_name, run.tag)
        if osp.isfile(paths.checkpoint):
            models.append((run.tag, paths.config, paths.checkpoint))
    return task, models


def _no_grad(fn):
    def run():
        with torch.no_grad():
            return fn()
    return run


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    # before the first convolution: every model's primitives stay compiled
    reserve_primitive_cache()
    if args.threads:
        torch.set_num_threads(args.threads)
    task, models = task_models(args.work_dir, args.task)
    shape = tuple(task['shape'])
    built, cfgs, merged = {}, {}, {}
    for tag, config, ckpt in models:
        model, cfgs[tag], scope = load_model(config, ckpt)
        # the baseline as deployed too: RepVGG blocks merged, as the
        # exported runs are
        merged[tag] = as_deployed(model)
        built[tag] = (model, scope)
    result = dict(task=args.task, shape=list(shape), iters=args.iters,
                  warmup=args.warmup, threads=torch.get_num_threads(),
                  models=[m[0] for m in models], merged_blocks=merged,
                  **{MS_PER_BATCH: {}})
    detector = all(scope == 'mmdet' for _, scope in built.values())
    if detector:
        # what PaS prunes (backbone + FPN) on real val images; the whole
        # test step with fixed head work is the secondary figure
        result.update(timed='backbone+fpn on real val images',
                      **{TEST_STEP_MS_PER_BATCH: {}},
                      head_work=FIXED_HEAD_WORK)
    for batch in args.batch_sizes:
        if detector:
            per_model = {tag: detector_runs(model, cfgs[tag], batch)
                         for tag, (model, _) in built.items()}
            kinds = ((MS_PER_BATCH, 'backbone+fpn'),
                     (TEST_STEP_MS_PER_BATCH, 'test_step'))
        else:
            per_model = {tag: {None: inference_fn(model, scope, shape,
                                                  batch)}
                         for tag, (model, scope) in built.items()}
            kinds = ((MS_PER_BATCH, None), )
        for key, kind in kinds:
            runs = {tag: _no_grad(fns[kind])
                    for tag, fns in per_model.items()}
            medians = interleaved_medians(runs, args.warmup, args.iters)
            result[key][str(batch)] = {
                tag: sec * 1e3 for tag, sec in medians.items()}
            base = medians['baseline']
            print(f'batch {batch}{"" if kind is None else ", " + kind}: '
                  f'{len(runs)} models, baseline {base * 1e3:.2f} ms; '
                  f'fastest/baseline {min(medians.values()) / base:.3f}',
                  flush=True)
    out = args.json or RunPaths.timing_json(args.work_dir, args.task)
    atomic_write_text(out, json.dumps(result, indent=1))
    print(f'wrote {out}')


if __name__ == '__main__':
    sys.exit(exit_status(main()))
