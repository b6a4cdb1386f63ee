"""Loading a config for the tools: one-line errors, data roots that work
from any directory, and datasets checked before anything is built."""
import os
import os.path as osp

from .dataset_check import ALL_LOADERS, check_dataset_paths, dataset_cfgs
from .dataset_check import is_remote as _is_remote
from .errors import ConfigError


def load_config(path: str, cfg_options=None, loaders=ALL_LOADERS,
                launcher: str = 'none'):
    """Load a config, failing with one line that names the bad file.

    Args:
        path (str): the config file; ``package::rel/path.py`` names a
            config shipped in an installed OpenMMLab package (e.g.
            ``mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py``).
        cfg_options (dict, optional): ``--cfg-options`` to merge.
            Default: None.
        loaders (Sequence[str]): the dataloaders whose datasets the tool
            uses, checked to exist. Default: all three.
        launcher (str): the job launcher; a distributed one without CUDA
            falls back to gloo. Default: 'none'.
    """
    if '::' in path:
        path = _package_config(path)
    if not osp.isfile(path):
        raise ConfigError(f'config file not found: {path}')
    from mmengine.config import Config
    try:
        cfg = Config.fromfile(path)
    except Exception as e:  # syntax errors, missing bases, bad imports
        first = str(e).strip().splitlines()[0] if str(e).strip() else ''
        raise ConfigError(
            f'cannot load config {path}: {type(e).__name__}: {first}')
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if launcher != 'none':
        _use_gloo_without_cuda(cfg)
    resolve_data_roots(cfg, path)
    check_dataset_paths(cfg, path, loaders)
    return cfg


def _anchors(cfg_path):
    """Folders a relative data path may be relative to, in order: the
    working directory, the config's folder and its parents (a checkout or
    a work dir inside one), and the checkout pas-mm is installed from."""
    import pas_mm
    seen, out = set(), []
    folder = osp.dirname(osp.abspath(cfg_path))
    chain = [os.getcwd()]
    while True:
        chain.append(folder)
        parent = osp.dirname(folder)
        if parent == folder:
            break
        folder = parent
    chain.append(osp.dirname(osp.dirname(osp.abspath(pas_mm.__file__))))
    for c in chain:
        if c not in seen:
            seen.add(c)
            out.append(c)
    return out


def _resolve(rel, anchors):
    if not rel or not isinstance(rel, str) or osp.isabs(rel) or \
            _is_remote(rel) or osp.exists(rel):
        return rel
    for anchor in anchors:
        cand = osp.join(anchor, rel)
        if osp.exists(cand):
            return cand
    return rel


def resolve_data_roots(cfg, cfg_path):
    """Relative data roots and annotation files that do not exist from
    the working directory are looked up from the config's folder upwards
    and in the pas-mm checkout, so tools run from any directory."""
    anchors = _anchors(cfg_path)
    for _, ds in dataset_cfgs(cfg):
        root = ds.get('data_root')
        if root:
            ds['data_root'] = _resolve(root, anchors)
        elif ds.get('ann_file'):
            ds['ann_file'] = _resolve(ds['ann_file'], anchors)
    for key in ('val_evaluator', 'test_evaluator'):
        evaluators = cfg.get(key)
        if isinstance(evaluators, dict):
            evaluators = evaluators.get('metrics', [evaluators])
        for ev in evaluators if isinstance(evaluators, (list, tuple)) \
                else []:
            if isinstance(ev, dict) and ev.get('ann_file'):
                ev['ann_file'] = _resolve(ev['ann_file'], anchors)


def _package_config(spec: str) -> str:
    package, rel = spec.split('::', 1)
    try:
        from mmengine.utils import get_installed_path
        return osp.join(get_installed_path(package), '.mim', 'configs', rel)
    except Exception:
        raise ConfigError(
            f'config {spec}: package {package!r} is not installed')


def _use_gloo_without_cuda(cfg):
    """NCCL needs GPUs: fall back to gloo so dist_train.sh also runs on CPU,
    and let DDP wrap CPU modules (no device_ids). Only for distributed
    launchers: a single-process run never builds a process group."""
    import torch
    if torch.cuda.is_available():
        return
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    dist_cfg['backend'] = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg')
    if wrapper is None:
        cfg.model_wrapper_cfg = dict(
            type='MMDistributedDataParallel', device_ids=None,
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    elif 'DistributedDataParallel' in str(wrapper.get('type', '')) and \
            'Separate' not in str(wrapper.get('type', '')):
        wrapper['device_ids'] = None
