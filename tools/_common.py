"""Shared start-up for the pas-mm command-line tools."""
import os
import os.path as osp
import sys


def die(msg: str, code: int = 2):
    """One clear line on stderr, no traceback: the user's input was wrong."""
    print(f'pas-mm: error: {msg}', file=sys.stderr)
    sys.exit(code)


def setup_env(cfg=None):
    """Apply pas-mm's upstream work-arounds before anything is built."""
    import pas_mm.compat
    pas_mm.compat.apply_all(cfg.get('default_scope') if cfg else None)


def skip_unloadable_inception_metrics(cfg):
    """mmagic: FID/IS whose Inception weights cannot be loaded or downloaded
    are skipped with a log line (pas_mm.engine.inception_metrics)."""
    if cfg.get('default_scope') != 'mmagic':
        return
    from pas_mm.engine.inception_metrics import \
        drop_unloadable_inception_metrics
    try:
        drop_unloadable_inception_metrics(cfg)
    except ValueError as e:
        die(str(e))


def load_config(path: str, cfg_options=None,
                loaders=('train_dataloader', 'val_dataloader',
                         'test_dataloader')):
    """Load a config, failing with one line that names the bad file.
    ``package::rel/path.py`` names a config shipped in an installed
    OpenMMLab package (e.g. ``mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py``).
    """
    if '::' in path:
        path = _package_config(path)
    if not osp.isfile(path):
        die(f'config file not found: {path}')
    from mmengine.config import Config
    try:
        cfg = Config.fromfile(path)
    except Exception as e:  # syntax errors, missing bases, bad imports
        first = str(e).strip().splitlines()[0] if str(e).strip() else ''
        die(f'cannot load config {path}: {type(e).__name__}: {first}')
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
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
    for _, ds in _dataset_cfgs(cfg):
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
        die(f'config {spec}: package {package!r} is not installed')


def _use_gloo_without_cuda(cfg):
    """NCCL needs GPUs: fall back to gloo so dist_train.sh also runs on CPU,
    and let DDP wrap CPU modules (no device_ids)."""
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


def _dataset_cfgs(cfg, loaders=('train_dataloader', 'val_dataloader',
                                'test_dataloader')):
    for key in loaders:
        loader = cfg.get(key)
        if not loader or not loader.get('dataset'):
            continue
        stack = [loader['dataset']]
        while stack:
            ds = stack.pop()
            if isinstance(ds, (list, tuple)):
                stack.extend(ds)
                continue
            if not isinstance(ds, dict):
                continue
            if 'dataset' in ds:  # RepeatDataset, ClassBalancedDataset, ...
                stack.append(ds['dataset'])
            if 'datasets' in ds:  # ConcatDataset
                stack.extend(ds['datasets'])
            yield key, ds


ALL_LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def check_dataset_paths(cfg, cfg_path, loaders=ALL_LOADERS):
    """Fail early, naming the folder, when a dataset path of one of the
    ``loaders`` the tool uses does not exist."""
    for key, ds in _dataset_cfgs(cfg, loaders):
        root = ds.get('data_root') or ''
        if root and not _is_remote(root) and not osp.isdir(root):
            hint = '; run `python tools/data/prepare_demo.py`' if \
                'demo' in root else ''
            die(f'{key}: dataset folder not found: {root} (config '
                f'{cfg_path}{hint})')
        ann = ds.get('ann_file')
        if ann:
            full = osp.join(root, ann)
            if not _is_remote(full) and not osp.exists(full):
                die(f'{key}: annotation file not found: {full} (config '
                    f'{cfg_path})')
            if not _is_remote(full) and _coco_without_images(full):
                die(f'{key}: empty dataset: annotation file {full} lists no '
                    f'images (config {cfg_path})')
        elif root and not _is_remote(root) and not _has_files(root):
            die(f'{key}: empty dataset: no files under {root} (config '
                f'{cfg_path})')
        prefix = ds.get('data_prefix')
        prefixes = prefix.values() if isinstance(prefix, dict) else [prefix]
        for p in prefixes:
            if not p or not isinstance(p, str):
                continue
            full = osp.join(root, p)
            if not _is_remote(full) and not osp.exists(full):
                die(f'{key}: dataset folder not found: {full} (config '
                    f'{cfg_path})')
            if not _is_remote(full) and osp.isdir(full) and \
                    not _has_files(full):
                die(f'{key}: empty dataset: no files under {full} (config '
                    f'{cfg_path})')


def _has_files(folder: str) -> bool:
    for _, _, files in os.walk(folder):
        if files:
            return True
    return False


def _coco_without_images(path: str) -> bool:
    """A COCO-style json whose 'images' list is empty (small files only:
    a real COCO annotation file is not parsed twice)."""
    if not path.endswith('.json') or osp.getsize(path) > 64 * 2**20:
        return False
    import json
    try:
        with open(path) as f:
            data = json.load(f)
    except ValueError:
        die(f'annotation file {path} is not valid JSON')
    return isinstance(data, dict) and data.get('images') == []


def _is_remote(path: str) -> bool:
    return '://' in str(path)


class pas_errors_as_one_line:
    """Turn pas-mm's input errors (bad budget, scope, width spec, checkpoint,
    unsupported op) into one clear line instead of a traceback."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        from pas_mm.core.errors import PaSError
        if exc is not None and isinstance(exc, PaSError):
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ''
            die(f'{type(exc).__name__}: {msg}')
        return False


def suite_runs(task: dict):
    """(method, budget, tag) of every run of a suite task, in run order.

    A 'transfer' method runs once and first: its widths come from another
    task, not from a budget. A budget 'transfer' makes a method target the
    MACs ratio that the task's transfer run reached (an equal-MACs
    comparison); numeric budgets are MACs ratios of the search scope.
    """
    runs = [('transfer', None, 'transfer')] if 'transfer' in task[
        'methods'] else []
    for method in task['methods']:
        if method == 'transfer':
            continue
        for budget in task['budgets']:
            tag = (f'{method}@{budget}' if isinstance(budget, str) else
                   f'{method}@{budget:g}')
            runs.append((method, budget, tag))
    return runs
