"""The COCO / facades / edges2shoes / horse2zebra PaS configs are complete:
they load, keep the toolkit's real-dataset evaluation (CocoMetric, FID/IS),
build their search space at the real input size and train a step on a
tiny fake dataset laid out like the real one (demo images, no download:
pretrained weights are switched off)."""
import json
import os.path as osp
import shutil

import pytest
import torch
from conftest import REPO, run_tool

pytestmark = pytest.mark.slow  # runs the tools in subprocesses

DET = 'configs/instance_segmentation/mask_rcnn/'
GAN = 'configs/image_translation/'
NO_VAL = ['val_cfg=None', 'val_dataloader=None', 'val_evaluator=None',
          'test_cfg=None', 'test_dataloader=None', 'test_evaluator=None',
          'model.pretrained=None']


@pytest.fixture(scope='module')
def fake_coco(tmp_path_factory, demo_data):
    """COCO layout with two demo images; categories renamed to COCO's."""
    root = tmp_path_factory.mktemp('coco')
    src = json.load(open(osp.join(demo_data, 'coco', 'annotations',
                                  'instances_train.json')))
    images = src['images'][:2]
    ids = {im['id'] for im in images}
    names = {1: 'person', 2: 'bicycle'}
    ann = dict(images=images,
               annotations=[a for a in src['annotations']
                            if a['image_id'] in ids],
               categories=[dict(c, name=names[c['id']])
                           for c in src['categories']])
    (root / 'annotations').mkdir()
    (root / 'train2017').mkdir()
    for im in images:
        shutil.copy(osp.join(demo_data, 'coco', 'train', im['file_name']),
                    root / 'train2017' / im['file_name'])
    (root / 'annotations' / 'instances_train2017.json').write_text(
        json.dumps(ann))
    return root


@pytest.fixture(scope='module')
def fake_translation(tmp_path_factory, demo_data):
    """Paired (train/, test/) and unpaired (trainA/B, testA/B) layouts."""
    import cv2
    root = tmp_path_factory.mktemp('translation')
    pairs = sorted(__import__('os').listdir(osp.join(demo_data, 'paired',
                                                     'train')))[:2]
    for name in pairs:
        img = cv2.imread(osp.join(demo_data, 'paired', 'train', name))
        for split in ('train', 'test'):
            (root / 'paired' / split).mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(root / 'paired' / split / name), img)
            for side, half in (('A', img[:, :128]), ('B', img[:, 128:])):
                folder = root / 'unpaired' / (split + side)
                folder.mkdir(parents=True, exist_ok=True)
                cv2.imwrite(str(folder / name), half)
    return root


@pytest.fixture(scope='module')
def r50_cls_spec(tmp_path_factory):
    """An exported width spec of an mmpretrain ResNet-50 classifier."""
    from _helpers import prune_randomly
    from mmengine.registry import MODELS, init_default_scope

    from pas_mm.core import build_search_space, export
    init_default_scope('mmpretrain')
    model = MODELS.build(dict(
        type='ImageClassifier',
        backbone=dict(type='ResNet', depth=50, out_indices=(3, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=10, in_channels=2048)))
    space = build_search_space(model, (torch.randn(1, 3, 64, 64), ),
                               forward_fn=lambda m, x: m(x, mode='tensor'))
    prune_randomly(space, seed=1, keep=0.6)
    _, spec = export(space)
    path = tmp_path_factory.mktemp('spec') / 'width_spec.json'
    path.write_text(json.dumps(spec))
    return path


def config_of(path):
    from mmengine.config import Config
    return Config.fromfile(osp.join(REPO, path))


@pytest.mark.parametrize('config, extra', [
    (DET + 'pas_mask-rcnn_r50_fpn_8xb2-1x_coco_flops-0.5x.py', []),
    (DET + 'transfer_mask-rcnn_r50_fpn_8xb2-1x_coco.py', ['transfer']),
])
def test_coco_configs(config, extra, fake_coco, r50_cls_spec, tmp_path):
    cfg = config_of(config)
    assert cfg.val_evaluator.type == 'CocoMetric'
    assert set(cfg.val_evaluator.metric) == {'bbox', 'segm'}
    assert cfg.model.architecture.backbone.frozen_stages == 1
    assert cfg.model.input_shape == (1, 3, 800, 1344)
    opts = ['train_cfg.max_epochs=1', 'train_dataloader.batch_size=2',
            'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False',
            f'train_dataloader.dataset.data_root={fake_coco}/',
            'default_hooks.logger.interval=1', *NO_VAL]
    if extra:
        opts.append(f'model.transfer.width_spec={r50_cls_spec}')
    log = run_tool('tools/train.py', config, '--work-dir', tmp_path,
                   '--cfg-options', *opts).stdout
    assert 'PaS search space: 38 gates' in log
    assert 'Epoch(train) [1][1/1]' in log
    if extra:  # widths from the classification spec; FPN kept whole
        assert 'PaS transfer from' in log and 'gates frozen' in log
        assert 'PaS: exported in place' in log
    else:
        assert 'loss_budget' in log


@pytest.mark.parametrize('config, layout', [
    (GAN + 'pix2pix/pas_pix2pix_vanilla-unet-bn_1xb4-80kiters_facades'
     '_flops-0.25x.py',
     'paired'),
    (GAN + 'pix2pix/pas_pix2pix_vanilla-unet-bn_1xb4-80kiters_facades'
     '_flops-0.1x.py',
     'paired'),
    (GAN + 'pix2pix/pas_pix2pix_vanilla-unet-bn-wo-jitter-flip_1xb4-190kiters'
     '_edges2shoes_flops-0.25x.py', 'paired'),
    (GAN + 'cyclegan/pas_cyclegan_lsgan-resnet-in_1xb4-270kiters_horse2zebra'
     '_flops-0.25x.py', 'unpaired'),
])
def test_translation_configs(config, layout, fake_translation, tmp_path):
    cfg = config_of(config)
    types = {m['type'] for m in cfg.val_evaluator.metrics}
    assert {'TransFID', 'TransIS'} <= types  # FID/IS on the real data
    assert cfg.model.input_shape == (1, 3, 256, 256)
    ratio = 0.1 if config.endswith('_flops-0.1x.py') else 0.25
    assert cfg.model.budget.target_ratio == ratio
    assert cfg.model.pretrained.startswith('https://download.openmmlab.com/')
    log = run_tool(
        'tools/train.py', config, '--work-dir', tmp_path, '--cfg-options',
        'train_cfg.max_iters=2', 'train_dataloader.batch_size=1',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        f'train_dataloader.dataset.data_root={fake_translation / layout}',
        'default_hooks.logger.interval=1', 'custom_hooks.1.interval=1000',
        *NO_VAL).stdout
    assert 'PaS search space:' in log
    assert 'Iter(train) [2/2]' in log and 'loss_budget' in log
