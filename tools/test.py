"""Evaluate a checkpoint with a pas-mm / OpenMMLab config.

    python tools/test.py CONFIG CHECKPOINT [--out preds.pkl] [--show-dir DIR]
"""
import argparse
import os.path as osp
import sys

from pas_mm.apis import exit_status, load_config, one_line_errors, setup_env
from pas_mm.apis.cli import (add_launch_args, parse_launch_args,
                             skip_unloadable_inception_metrics)
from pas_mm.apis.errors import ToolInputError


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test a model (pas-mm)')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save logs and metrics')
    parser.add_argument(
        '--out', help='dump the raw predictions to this pickle file')
    parser.add_argument(
        '--show-dir', help='draw predictions into this folder (a relative '
        'path is under the work dir)')
    parser.add_argument(
        '--metrics-json', help='write the metrics here as JSON (default: '
        '<work_dir>/test_metrics.json)')
    parser.add_argument(
        '--split', choices=['test', 'val'], default='test',
        help="'val' evaluates on the config's val_dataloader and "
        'val_evaluator (benchmarks tune on val and report on test)')
    parser.add_argument(
        '--amp', action='store_true', help='test with mixed precision')
    parser.add_argument(
        '--allow-key-mismatch', action='store_true',
        help='load a checkpoint whose keys do not match the model (by '
        'default that is an error: it is usually another model\'s)')
    add_launch_args(parser)
    return parse_launch_args(parser, argv)


def enable_visualization(cfg, show_dir):
    """Turn on the toolkit's visualisation hook for every test sample."""
    hooks = cfg.get('default_hooks', {})
    vis = hooks.get('visualization') if hooks else None
    vis_type = str(vis.get('type', '')) if vis else ''
    if 'DetVisualizationHook' in vis_type:  # mmdet: under work_dir/<time>/
        vis['draw'] = True
        vis['interval'] = 1
        vis['test_out_dir'] = show_dir
    elif vis_type.endswith('VisualizationHook') and \
            cfg.get('default_scope') == 'mmpretrain':
        vis['enable'] = True  # mmpretrain: every sample, under the work dir
        vis['interval'] = 1
        vis['out_dir'] = show_dir if osp.isabs(show_dir) else osp.join(
            cfg.work_dir, show_dir)
    else:  # mmagic's hooks draw during training only
        raise ToolInputError(
            f'--show-dir is supported for mmpretrain and mmdet configs; '
            f'{cfg.filename} has no such visualization hook')
    return cfg


def default_work_dir(cfg, config, split):
    """An exported compact config (``tools/export.py``'s ``config.py``)
    tests into its own folder (``val/`` for the val split), so that two
    compact models never share ``work_dirs/config``; any other config into
    ``work_dirs/<config name>``."""
    if str(cfg.model.get('type', '')).endswith('PaSCompact'):
        folder = osp.dirname(osp.abspath(config))
        return folder if split == 'test' else osp.join(folder, split)
    return osp.join('./work_dirs', osp.splitext(osp.basename(config))[0])


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    setup_env()
    cfg = load_config(args.config, args.cfg_options,
                      loaders=(f'{args.split}_dataloader', ),
                      launcher=args.launcher)
    if args.split == 'val':
        if not cfg.get('val_evaluator'):
            raise ToolInputError(
                f'--split val: {args.config} has no val_evaluator')
        cfg.test_dataloader = cfg.val_dataloader
        cfg.test_evaluator = cfg.val_evaluator
    setup_env(cfg)
    skip_unloadable_inception_metrics(cfg)
    if not osp.isfile(args.checkpoint):
        raise ToolInputError(f'checkpoint not found: {args.checkpoint}')
    cfg.launcher = args.launcher
    cfg.load_from = args.checkpoint
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = default_work_dir(cfg, args.config, args.split)
    if args.amp:
        cfg.test_cfg = cfg.get('test_cfg') or {}
        cfg.test_cfg['fp16'] = True
    if args.show_dir:
        enable_visualization(cfg, args.show_dir)

    from mmengine.model import is_model_wrapper
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner

    from pas_mm.models.utils import check_checkpoint_keys, read_checkpoint
    ckpt = read_checkpoint(args.checkpoint)
    runner = RUNNERS.build(cfg) if 'runner_type' in cfg else \
        Runner.from_cfg(cfg)
    model = runner.model.module if is_model_wrapper(runner.model) \
        else runner.model
    if not args.allow_key_mismatch:
        check_checkpoint_keys(model, ckpt, args.checkpoint,
                              hint='; --allow-key-mismatch loads it '
                              'anyway')
    del ckpt
    if args.out:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ToolInputError(f'--out must be a .pkl file, got {args.out}')
        from mmengine.evaluator import DumpResults
        runner.test_evaluator.metrics.append(
            DumpResults(out_file_path=args.out))
    collector = _metrics_collector()
    runner.register_hook(collector, priority='LOWEST')
    metrics = runner.test()
    metrics = metrics if metrics is not None else collector.metrics
    if runner.rank == 0 and metrics is not None:
        path = args.metrics_json or osp.join(cfg.work_dir, 'test_metrics.json')
        write_metrics(metrics, path, args.config, args.checkpoint)
    return metrics


def _metrics_collector():
    """mmagic's MultiTestLoop returns None: take the metrics from the
    after_test_epoch hook call that every test loop makes."""
    from mmengine.hooks import Hook

    class MetricsCollector(Hook):
        metrics = None

        def after_test_epoch(self, runner, metrics=None):
            self.metrics = metrics

    return MetricsCollector()


def write_metrics(metrics, path, config, checkpoint):
    import json

    from pas_mm.core.io import atomic_write_text
    plain = {k: float(v) if hasattr(v, '__float__') else v
             for k, v in metrics.items()}
    atomic_write_text(path, json.dumps(
        dict(config=config, checkpoint=checkpoint, metrics=plain), indent=1))


if __name__ == '__main__':
    sys.exit(exit_status(main()))
