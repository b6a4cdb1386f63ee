"""Export a searched PaS checkpoint as a compact, ordinary OpenMMLab model
(``tools/export.py``): ``compact.pth``, ``width_spec.json`` and a
``config.py`` that builds it, each written atomically."""
import copy
import json
import os
import os.path as osp
from typing import Optional

import torch

from pas_mm.core.io import atomic_torch_save, atomic_write_text
from ..core.errors import CheckpointError
from .cli import setup_env
from .config import load_config
from .errors import ConfigError


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


def load_search_model(config: str, checkpoint: str,
                      cfg_options: Optional[dict] = None):
    """(model, cfg, checkpoint dict): the PaS search model of ``config``
    with the weights (and gates, or compact widths) of ``checkpoint``."""
    cfg = load_config(config, cfg_options or None, loaders=())
    setup_env(cfg)
    if not str(cfg.model.get('type')).startswith('pas_mm.PaS'):
        raise ConfigError(
            f'{config} is not a PaS config (model.type is '
            f'{cfg.model.get("type")!r}, expected pas_mm.PaSAlgorithm or '
            'another pas_mm.PaS* search model)')
    if not osp.isfile(checkpoint):
        raise CheckpointError(f'checkpoint not found: {checkpoint}')
    from mmengine.registry import MODELS, init_default_scope
    from mmengine.runner import load_checkpoint

    from pas_mm.models.algorithms import weights_from_checkpoint
    from pas_mm.models.utils import check_checkpoint_shapes, read_checkpoint
    init_default_scope(cfg.get('default_scope', 'mmengine'))
    # weights come from the search checkpoint
    model = MODELS.build(weights_from_checkpoint(copy.deepcopy(cfg.model)))
    # a tensor of another width is named, not buried in mmengine's
    # multi-line mismatch report
    check_checkpoint_shapes(model, read_checkpoint(checkpoint), checkpoint)
    try:
        ckpt = load_checkpoint(model, checkpoint, map_location='cpu',
                               strict=True)
    except Exception as e:
        raise CheckpointError(
            f'cannot load checkpoint {checkpoint} into {config}: '
            f'{type(e).__name__}: {str(e).strip().splitlines()[0][:300]}')
    return model.eval(), cfg, ckpt


def export_checkpoint(config: str, checkpoint: str, out: str,
                      cfg_options: Optional[dict] = None,
                      round_to: Optional[int] = None,
                      reparam: bool = True) -> dict:
    """Slice (and reparameterise) a search checkpoint and write the compact
    model to ``out``.

    Args:
        config (str): the PaS config of the search.
        checkpoint (str): a checkpoint of that run (gated, or exported in
            place during training).
        out (str): the output folder.
        cfg_options (dict, optional): config overrides. Default: None.
        round_to (int, optional): round every width up to a multiple of
            this (gated checkpoints only). Default: None (the config's).
        reparam (bool): merge RepVGG blocks. Default: True.

    Returns:
        dict: ``spec`` (the width spec), ``merged`` (blocks
        reparameterised), ``max_rel_diff`` and ``reference`` (what the
        compact outputs were compared with).
    """
    from pas_mm.core import export, reparameterize
    from pas_mm.core.compact.export import max_rel_diff
    from pas_mm.models.utils import trace_inputs
    model, cfg, ckpt = load_search_model(config, checkpoint, cfg_options)
    arch, run = model.search_module, model.search_forward
    x = trace_inputs(model.settings.input_shape, seed=1)
    in_place = model.compact_spec is not None  # exported during training
    if in_place and round_to:
        raise CheckpointError(f'--round-to needs the gated search '
                              f'checkpoint; {checkpoint} was already '
                              'exported in place')
    if round_to:
        model.round_widths_to(round_to)
    with torch.no_grad():  # the reference has the rounded widths
        ref_out = run(arch, *x)
    compact, spec = (arch, model.compact_spec) if in_place else \
        export(model.space)
    merged = reparameterize(compact) if reparam else 0
    with torch.no_grad():
        diff = max_rel_diff(ref_out, run(compact, *x))
    _write_compact(out, model, cfg, ckpt, spec, checkpoint, reparam,
                   dict(macs=spec['macs'], reparameterized_blocks=merged,
                        max_rel_diff=diff))
    # a checkpoint exported in place has no gated model left: the diff then
    # only covers the reparameterisation
    reference = ('checkpoint (exported in place during training)'
                 if in_place else 'gated model')
    return dict(spec=spec, merged=merged, max_rel_diff=diff,
                reference=reference)


def _write_compact(out, model, cfg, ckpt, spec, checkpoint, reparam, info):
    os.makedirs(out, exist_ok=True)
    meta = dict(ckpt.get('meta', {})) if isinstance(ckpt, dict) else {}
    meta = {k: v for k, v in meta.items() if k in ('dataset_meta', 'epoch',
                                                   'iter', 'seed')}
    meta['pas_mm'] = dict(source_checkpoint=osp.abspath(checkpoint), **info)
    # the whole plain model (a GAN's discriminators too), not only the
    # searched sub-module
    state = {k: v for k, v in model.weights_target.state_dict().items()
             if not k.endswith('_extra_state')}
    atomic_torch_save(dict(meta=meta, state_dict=state),
                      osp.join(out, 'compact.pth'))
    atomic_write_text(osp.join(out, 'width_spec.json'),
                      json.dumps(spec, indent=1))
    atomic_write_text(osp.join(out, 'config.py'),
                      compact_config(cfg, model, reparam).pretty_text)
