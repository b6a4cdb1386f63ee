"""Train (or search + fine-tune) any pas-mm / OpenMMLab config.

One entry point for all three tasks: the config's ``default_scope``
(mmpretrain / mmdet / mmagic) decides which toolkit builds the pieces.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--channels-last]
"""
import argparse
import os.path as osp
import sys

from pas_mm.apis import exit_status, load_config, one_line_errors, setup_env
from pas_mm.apis.cli import (add_launch_args, parse_launch_args,
                             skip_unloadable_inception_metrics)
from pas_mm.apis.errors import ToolInputError


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a model (pas-mm)')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from the given checkpoint, or from the latest one in '
        'the work dir when no path is given')
    parser.add_argument(
        '--amp', action='store_true',
        help='automatic mixed precision (AmpOptimWrapper; the gates and the '
        'budget loss stay fp32)')
    parser.add_argument(
        '--amp-dtype', choices=['float16', 'bfloat16'], default=None,
        help='autocast dtype with --amp (default: float16 on GPUs)')
    parser.add_argument(
        '--channels-last', action='store_true',
        help='train in the channels_last memory format '
        '(pas_mm.ChannelsLastHook)')
    parser.add_argument(
        '--no-validate', action='store_true',
        help='skip validation during training')
    parser.add_argument(
        '--auto-scale-lr', action='store_true',
        help='scale the lr by the actual batch size / base_batch_size')
    add_launch_args(parser, ' (e.g. train_cfg.max_epochs=2 '
                    'model.backbone.depth=18)')
    return parse_launch_args(parser, argv)


def merge_args(cfg, args):
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        _enable_amp(cfg, args)
    elif args.amp_dtype:
        raise ToolInputError('--amp-dtype needs --amp')
    if args.channels_last:
        hooks = list(cfg.get('custom_hooks') or [])
        if not any('ChannelsLastHook' in str(h.get('type')) for h in hooks):
            hooks.append(dict(type='pas_mm.ChannelsLastHook'))
        cfg.custom_hooks = hooks
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise ToolInputError(
                f'--resume: checkpoint not found: {args.resume}')
        cfg.resume = True
        cfg.load_from = args.resume
    if args.resume is not None:
        _check_resume_checkpoint(cfg, args.resume)
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    if args.auto_scale_lr:
        cfg.setdefault('auto_scale_lr', {})
        cfg.auto_scale_lr.enable = True
    cfg.launcher = args.launcher
    return cfg


def _enable_amp(cfg, args):
    """AmpOptimWrapper for the optimizer wrapper, or for each one of a
    multi-optimizer config (mmagic GANs: generators, discriminators)."""
    optim = cfg.optim_wrapper
    wrappers = [optim]
    if optim.get('constructor') == 'MultiOptimWrapperConstructor' or (
            'type' not in optim and 'optimizer' not in optim):
        wrappers = [w for w in optim.values() if isinstance(w, dict)]
    for wrapper in wrappers:
        kind = wrapper.get('type', 'OptimWrapper')
        if kind not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ToolInputError(
                f'--amp: optim_wrapper type {kind!r} of {args.config} is '
                'not OptimWrapper; set AMP in the config')
        wrapper.type = 'AmpOptimWrapper'
        wrapper.setdefault('loss_scale', 'dynamic')
        if args.amp_dtype:
            wrapper.dtype = args.amp_dtype


def _check_resume_checkpoint(cfg, resume):
    """A corrupt checkpoint is one error line, not a traceback."""
    from mmengine.runner import find_latest_checkpoint

    from pas_mm.core.errors import CheckpointError
    from pas_mm.models.utils import read_checkpoint
    path = find_latest_checkpoint(cfg.work_dir) if resume == 'auto' \
        else resume
    if path:
        try:
            read_checkpoint(path)
        except CheckpointError as e:
            raise ToolInputError(f'--resume: {e}')


def _check_resume_shapes(runner, cfg, resume):
    """--resume with a checkpoint of another width is one error line
    (the Runner's non-strict load would go on with size mismatches)."""
    from mmengine.model import is_model_wrapper
    from mmengine.runner import find_latest_checkpoint

    from pas_mm.models.utils import check_checkpoint_shapes, read_checkpoint
    path = find_latest_checkpoint(cfg.work_dir) if resume == 'auto' \
        else resume
    if not path:
        return
    model = runner.model.module if is_model_wrapper(runner.model) else \
        runner.model
    check_checkpoint_shapes(model, read_checkpoint(path), path,
                            hint=' (--resume)')


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    setup_env()
    cfg = load_config(args.config, args.cfg_options, launcher=args.launcher)
    setup_env(cfg)
    skip_unloadable_inception_metrics(cfg)
    cfg = merge_args(cfg, args)

    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    if 'runner_type' in cfg:
        runner = RUNNERS.build(cfg)
    else:
        runner = Runner.from_cfg(cfg)
    if cfg.get('resume'):
        _check_resume_shapes(runner, cfg, args.resume)
    runner.train()


if __name__ == '__main__':
    sys.exit(exit_status(main()))
