"""Fail early, naming the folder, when a config's dataset is missing."""
import json
import os
import os.path as osp

from .errors import DatasetError

ALL_LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def dataset_cfgs(cfg, loaders=ALL_LOADERS):
    """(loader key, dataset config) of every dataset, wrappers unpacked."""
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


# the data folders the project generates, and the script that writes each
GENERATED = {'data/demo': 'tools/data/prepare_demo.py',
             'data/proxy': 'tools/data/prepare_proxy.py'}


def _generator_hint(root: str) -> str:
    """'; run `python <script>`' for a folder the project generates (not
    for a user's own data_root, whatever its name)."""
    rel = osp.normpath(root)
    for folder, script in GENERATED.items():
        if rel == folder or rel.startswith(folder + osp.sep):
            return f'; run `python {script}`'
    return ''


def check_dataset_paths(cfg, cfg_path, loaders=ALL_LOADERS):
    """Fail early, naming the folder, when a dataset path of one of the
    ``loaders`` the tool uses does not exist."""
    for key, ds in dataset_cfgs(cfg, loaders):
        root = ds.get('data_root') or ''
        if root and not is_remote(root) and not osp.isdir(root):
            hint = _generator_hint(root)
            raise DatasetError(
                f'{key}: dataset folder not found: {root} (config '
                f'{cfg_path}{hint})')
        ann = ds.get('ann_file')
        if ann:
            full = osp.join(root, ann)
            if not is_remote(full) and not osp.exists(full):
                raise DatasetError(
                    f'{key}: annotation file not found: {full} (config '
                    f'{cfg_path})')
            if not is_remote(full) and _coco_without_images(full):
                raise DatasetError(
                    f'{key}: empty dataset: annotation file {full} lists no '
                    f'images (config {cfg_path})')
        elif root and not is_remote(root) and not _has_files(root):
            raise DatasetError(
                f'{key}: empty dataset: no files under {root} (config '
                f'{cfg_path})')
        prefix = ds.get('data_prefix')
        prefixes = prefix.values() if isinstance(prefix, dict) else [prefix]
        for p in prefixes:
            if not p or not isinstance(p, str):
                continue
            full = osp.join(root, p)
            if not is_remote(full) and not osp.exists(full):
                raise DatasetError(
                    f'{key}: dataset folder not found: {full} (config '
                    f'{cfg_path})')
            if not is_remote(full) and osp.isdir(full) and \
                    not _has_files(full):
                raise DatasetError(
                    f'{key}: empty dataset: no files under {full} (config '
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
    try:
        with open(path) as f:
            data = json.load(f)
    except ValueError:
        raise DatasetError(f'annotation file {path} is not valid JSON')
    return isinstance(data, dict) and data.get('images') == []


def is_remote(path: str) -> bool:
    """A URL (s3://, http://): not checked on disk."""
    return '://' in str(path)
