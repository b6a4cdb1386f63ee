"""Export a searched PaS model as a compact, ordinary OpenMMLab model.

    python tools/export.py CONFIG CHECKPOINT --out DIR [--no-reparam]

Writes to DIR (each file atomically):
    compact.pth       state_dict + meta (torch.load(weights_only=True))
    width_spec.json   the searched widths (pas_mm.core width spec)
    config.py         builds the compact model (tools/test.py, ...)
"""
import argparse
import copy
import json
import os
import os.path as osp
import sys

from mmengine.config import DictAction

from pas_mm.apis import load_config, one_line_errors, setup_env
from pas_mm.core.errors import ToolInputError
from pas_mm.core.io import atomic_torch_save, atomic_write_text


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Export a PaS model')
    parser.add_argument('config', help='the PaS config used for the search')
    parser.add_argument('checkpoint', help='checkpoint of the search run')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--no-reparam', action='store_true',
                        help='keep RepVGG blocks multi-branch')
    parser.add_argument('--round-to', type=int, default=None,
                        help='round every width up to a multiple of N '
                        '(hardware-friendly; re-opens the best channels, '
                        'so MACs rise a little); default: the config\'s')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={}, help='override config settings')
    return parser.parse_args(argv)


def compact_config(cfg, model, reparam):
    """The search config with the model replaced by its compact build."""
    out = copy.deepcopy(cfg)
    arch, module_path = type(model).plain_model_cfg(
        copy.deepcopy(out.model))
    arch_type = arch.pop('type')
    extra = {} if module_path is None else dict(search_module=module_path)
    out.model = dict(type='pas_mm.PaSCompact', arch_type=arch_type,
                     width_spec='{{ fileDirname }}/width_spec.json',
                     reparameterize=reparam,
                     trace_mode=model.settings.trace_mode,
                     **extra, **arch)
    out.custom_hooks = [h for h in out.get('custom_hooks', [])
                        if 'PaSSearchHook' not in str(h.get('type'))]
    out.load_from = None
    out.resume = False
    paramwise = out.get('optim_wrapper', {}).get('paramwise_cfg')
    if paramwise and 'custom_keys' in paramwise:
        paramwise['custom_keys'].pop('pas_gates', None)
    return out


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    setup_env()
    options = dict(args.cfg_options or {})
    # settings that choose widths at training time: export reads them
    # from the checkpoint, so say so rather than drop them silently
    ignored = [k for k in options
               if k.startswith(('model.transfer', 'model.criterion'))]
    if ignored:
        print(f'pas-mm export: warning: --cfg-options {", ".join(ignored)} '
              'ignored: the widths come from the checkpoint', file=sys.stderr)
    options = {k: v for k, v in options.items() if k not in ignored}
    cfg = load_config(args.config, options or None, loaders=())
    setup_env(cfg)
    if not str(cfg.model.get('type')).startswith('pas_mm.PaS'):
        raise ToolInputError(
            f'{args.config} is not a PaS config (model.type is '
            f'{cfg.model.get("type")!r}, expected pas_mm.PaSAlgorithm or '
            'another pas_mm.PaS* search model)')
    if not osp.isfile(args.checkpoint):
        raise ToolInputError(f'checkpoint not found: {args.checkpoint}')

    import torch
    from mmengine.registry import MODELS, init_default_scope
    from mmengine.runner import load_checkpoint

    from pas_mm.core import export, reparameterize
    from pas_mm.core.export import max_rel_diff
    from pas_mm.models.algorithms import weights_from_checkpoint
    from pas_mm.models.utils import (check_checkpoint_shapes, read_checkpoint,
                                     trace_inputs)

    init_default_scope(cfg.get('default_scope', 'mmengine'))
    # weights come from the search checkpoint
    model_cfg = weights_from_checkpoint(copy.deepcopy(cfg.model))
    model = MODELS.build(model_cfg)
    # a tensor of another width is named, not buried in mmengine's
    # multi-line mismatch report
    check_checkpoint_shapes(model, read_checkpoint(args.checkpoint),
                            args.checkpoint)
    try:
        ckpt = load_checkpoint(model, args.checkpoint, map_location='cpu',
                               strict=True)
    except Exception as e:
        raise ToolInputError(
            f'cannot load checkpoint {args.checkpoint} into {args.config}: '
            f'{type(e).__name__}: {str(e).strip().splitlines()[0][:300]}')
    model.eval()
    arch = model.search_module
    run = model.search_forward
    x = trace_inputs(model.settings.input_shape, seed=1)
    with torch.no_grad():
        ref_out = run(arch, *x)
    if model.compact_spec is not None:  # exported in place during training
        if args.round_to:
            raise ToolInputError(
                '--round-to needs the gated search checkpoint; '
                f'{args.checkpoint} was already exported in place')
        compact, spec = arch, model.compact_spec
    else:
        if args.round_to:
            model.space.round_to = args.round_to
            model.space.apply_constraints()
            with torch.no_grad():  # the reference has the rounded widths
                ref_out = run(arch, *x)
        compact, spec = export(model.space)
    merged = 0 if args.no_reparam else reparameterize(compact)
    with torch.no_grad():
        compact_out = run(compact, *x)
    diff = max_rel_diff(ref_out, compact_out)

    os.makedirs(args.out, exist_ok=True)
    meta = dict(ckpt.get('meta', {})) if isinstance(ckpt, dict) else {}
    meta = {k: v for k, v in meta.items() if k in ('dataset_meta', 'epoch',
                                                   'iter', 'seed')}
    meta['pas_mm'] = dict(source_checkpoint=osp.abspath(args.checkpoint),
                          macs=spec['macs'], reparameterized_blocks=merged,
                          max_rel_diff=diff)
    # the whole plain model (a GAN's discriminators too), not only the
    # searched sub-module
    state = {k: v for k, v in model.weights_target.state_dict().items()
             if not k.endswith('_extra_state')}
    atomic_torch_save(dict(meta=meta, state_dict=state),
                      osp.join(args.out, 'compact.pth'))
    atomic_write_text(osp.join(args.out, 'width_spec.json'),
                      json.dumps(spec, indent=1))
    out_cfg = compact_config(cfg, model, not args.no_reparam)
    atomic_write_text(osp.join(args.out, 'config.py'), out_cfg.pretty_text)
    m = spec['macs']
    # a checkpoint exported in place has no gated model left: the diff then
    # only covers the reparameterisation
    ref = ('gated model' if model.compact_spec is None else
           'checkpoint (exported in place during training)')
    print(f'pas-mm export: {len(spec["groups"])} groups, MACs '
          f'{m["full"] / 1e6:.2f}M -> {m["compact"] / 1e6:.2f}M '
          f'(ratio {m["ratio"]:.4f}), {merged} blocks reparameterised, '
          f'max rel diff vs {ref} {diff:.2e}; wrote {args.out}')


if __name__ == '__main__':
    sys.exit(main())
