"""The ImageNet PaS configs build and train 2 iterations on a tiny fake
ImageNet folder (no download: pretrained weights are switched off)."""
import os.path as osp

import cv2
import numpy as np
import pytest
from conftest import run_tool

pytestmark = pytest.mark.slow  # runs the tools in subprocesses

CONFIGS = [
    'configs/classification/resnet/pas_resnet50_8xb64_in1k_flops-2.0G.py',
    'configs/classification/repvgg/pas_repvgg-A0_8xb64_in1k_flops-0.5x.py',
    'configs/classification/repvgg/pas_repvgg-B1_8xb64_in1k_flops-0.5x.py',
    'configs/classification/mobilenet_v2/'
    'pas_mobilenet-v2_8xb64_in1k_flops-200M.py',
]


@pytest.fixture(scope='module')
def fake_imagenet(tmp_path_factory, demo_data):
    """ImageNet layout (train/val folders + meta/*.txt), demo images."""
    root = tmp_path_factory.mktemp('imagenet')
    src = osp.join(demo_data, 'paired', 'train')
    rng = np.random.default_rng(0)
    for split in ('train', 'val'):
        lines = []
        for i in range(4):
            cls = f'n{i % 2:08d}'
            folder = root / split / cls
            folder.mkdir(parents=True, exist_ok=True)
            img = cv2.imread(osp.join(src, f'{i:04d}_' + [
                'astronaut', 'coffee', 'chelsea', 'rocket'][i] + '.png'))
            img = cv2.resize(img[:, 128:], (96, 96))
            cv2.imwrite(str(folder / f'{i}.JPEG'),
                        np.clip(img + rng.integers(0, 8, img.shape), 0,
                                255).astype(np.uint8))
            lines.append(f'{cls}/{i}.JPEG {i % 2}')
        (root / 'meta').mkdir(exist_ok=True)
        (root / 'meta' / f'{split}.txt').write_text('\n'.join(lines) + '\n')
    return root


@pytest.mark.parametrize('config', CONFIGS)
def test_imagenet_config_trains_two_iterations(config, fake_imagenet,
                                               tmp_path):
    proc = run_tool(
        'tools/train.py', config, '--work-dir', tmp_path, '--cfg-options',
        'model.pretrained=None', 'train_cfg.max_epochs=1',
        f'train_dataloader.dataset.data_root={fake_imagenet}',
        'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
        'val_cfg=None', 'val_dataloader=None', 'val_evaluator=None',
        'test_cfg=None', 'test_dataloader=None', 'test_evaluator=None',
        'default_hooks.logger.interval=1')
    log = proc.stdout + proc.stderr
    assert 'PaS search space:' in log
    assert 'Epoch(train) [1][2/2]' in log and 'loss_budget' in log
