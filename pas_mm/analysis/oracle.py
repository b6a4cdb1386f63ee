"""The oracle check of ``search_diagnostics``: are the channels the search
kept inside a group better than the L1-strongest or random ones?

One group at a time is cut to its searched width in the unpruned baseline
(every other group whole), and the baseline's val task loss is measured.
"""
from typing import Dict, List, Optional

import torch

from pas_mm.core.criteria.prune import channel_scores


def oracle_check(config: str, checkpoint: str, spec: dict, groups: int = 4,
                 draws: int = 3, seed: int = 0,
                 cfg_options: Optional[List[str]] = None) -> dict:
    """Val task-loss increase of the ``groups`` most-cut groups at their
    searched width: searched channels, L1 channels, random channels (mean
    of ``draws``)."""
    model, cfg = _baseline(config, checkpoint, cfg_options)
    from pas_mm.models import PaSAlgorithm
    if not isinstance(model, PaSAlgorithm):
        return dict(supported=False,
                    reason=f'{type(model).__name__}: the oracle needs a '
                    'PaSAlgorithm (a task loss in mode="loss")')
    from mmengine.runner import Runner
    loader = Runner.build_dataloader(cfg.val_dataloader)
    space = model.search_space()
    batches = [model.data_preprocessor(b, False) for b in loader]
    base = _val_loss(model, batches)
    cut = sorted((g['kept'] / g['channels'], n)
                 for n, g in spec['groups'].items()
                 if g['kept'] < g['channels'] and n in space.gates)
    l1 = channel_scores(space, 'l1')
    gen = torch.Generator().manual_seed(seed)
    out: Dict[str, dict] = {}
    for _, name in cut[:groups]:
        gate = space.gates[name]
        g = spec['groups'][name]
        k = g['kept']
        options = dict(searched=[torch.tensor(g['indices'])],
                       l1=[torch.topk(l1[name], k).indices],
                       random=[torch.randperm(gate.num_channels,
                                              generator=gen)[:k]
                               for _ in range(draws)])
        row = dict(channels=g['channels'], kept=k)
        for label, choices in options.items():
            losses = []
            for idx in choices:
                gate.set_kept(idx)
                losses.append(_val_loss(model, batches) - base)
            with torch.no_grad():
                gate.latent.fill_(1.0)
            row[label] = sum(losses) / len(losses)
        out[name] = row
    return dict(supported=True, baseline_val_loss=base, groups=out)


def _baseline(config, checkpoint, cfg_options):
    from mmengine.registry import MODELS, init_default_scope

    from pas_mm.apis import load_config, setup_env
    options = [f'model.pretrained={checkpoint}', *(cfg_options or [])]
    setup_env()
    cfg = load_config(config, _as_dict(options), loaders=('val_dataloader', ))
    setup_env(cfg)
    init_default_scope(cfg.get('default_scope', 'mmengine'))
    model_cfg = cfg.model
    if cfg.get('data_preprocessor') is not None:  # as the Runner does
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model = MODELS.build(model_cfg)
    model.init_weights()  # loads model.pretrained
    return model.eval(), cfg


def _as_dict(options):
    """``key=value`` strings as tools/train.py's --cfg-options reads them."""
    import argparse

    from mmengine.config import DictAction
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(['--cfg-options', *options]).cfg_options


@torch.no_grad()
def _val_loss(model, batches) -> float:
    total, n = 0.0, 0
    for data in batches:
        losses = model.architecture(data['inputs'], data['data_samples'],
                                    mode='loss')
        loss = sum(v.mean() for k, v in losses.items()
                   if 'loss' in k and isinstance(v, torch.Tensor))
        size = len(data['data_samples'])
        total += float(loss) * size
        n += size
    return total / max(n, 1)
