"""Bad input to the tools: one clear line that names it, no traceback."""
import pytest
from conftest import run_tool

pytestmark = pytest.mark.slow  # runs the tools in subprocesses

CLS = 'configs/classification/resnet/resnet18-w16_1xb64_demo-cls.py'


def one_line_error(proc):
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = [ln for ln in proc.stderr.strip().splitlines()
             if ln.startswith('pas-mm: error:')]
    assert len(lines) == 1 and 'Traceback' not in proc.stderr
    return lines[0]


def test_missing_config(tmp_path):
    line = one_line_error(run_tool('tools/train.py', 'configs/nope.py',
                                   check=False))
    assert 'config file not found: configs/nope.py' in line


def test_broken_config(tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text('model = dict(\n')
    line = one_line_error(run_tool('tools/train.py', bad, check=False))
    assert str(bad) in line and 'SyntaxError' in line


def test_missing_dataset_folder(tmp_path):
    line = one_line_error(run_tool(
        'tools/train.py', CLS, '--work-dir', tmp_path, '--cfg-options',
        'train_dataloader.dataset.data_root=data/nowhere', check=False))
    assert 'dataset folder not found: data/nowhere' in line


def test_missing_checkpoint(tmp_path):
    line = one_line_error(run_tool('tools/test.py', CLS, tmp_path / 'x.pth',
                                   check=False))
    assert 'checkpoint not found' in line and 'x.pth' in line
    line = one_line_error(run_tool('tools/train.py', CLS, '--resume',
                                   tmp_path / 'y.pth', check=False))
    assert 'y.pth' in line


def test_show_dir_unsupported_for_mmagic(tmp_path):
    ckpt = tmp_path / 'any.pth'
    ckpt.write_bytes(b'')
    line = one_line_error(run_tool(
        'tools/test.py', 'configs/image_translation/pix2pix/'
        'pix2pix_unet-w32_1xb4_demo-edges2photo.py', ckpt, '--show-dir',
        'vis', check=False))
    assert '--show-dir is supported for mmpretrain and mmdet' in line


def test_checkpoint_of_another_model_is_one_line(tmp_path):
    import torch
    other = tmp_path / 'other.pth'
    torch.save(dict(state_dict={'backbone.foo.weight': torch.zeros(2)}),
               other)
    line = one_line_error(run_tool('tools/test.py', CLS, other,
                                   '--work-dir', tmp_path, check=False))
    assert 'does not fit the model of this config' in line
    assert 'other.pth' in line and '--allow-key-mismatch' in line


def _wrong_width_checkpoint(path):
    """The demo classifier's own keys, its first conv half as wide."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import MODELS, init_default_scope
    init_default_scope('mmpretrain')
    state = MODELS.build(Config.fromfile(CLS).model).state_dict()
    key = 'backbone.conv1.weight'
    shape = list(state[key].shape)
    state[key] = torch.zeros([shape[0] // 2] + shape[1:])
    torch.save(dict(state_dict=state, meta=dict()), path)
    return key, shape


def test_checkpoint_of_another_width_is_one_line(tmp_path):
    ckpt = tmp_path / 'narrow.pth'
    key, shape = _wrong_width_checkpoint(ckpt)
    line = one_line_error(run_tool('tools/test.py', CLS, ckpt, '--work-dir',
                                   tmp_path / 'test', check=False))
    half = [shape[0] // 2] + shape[1:]
    assert f'{key} is {half} in the checkpoint, {shape} in the model' in line
    assert 'narrow.pth' in line and '--allow-key-mismatch' in line
    assert not (tmp_path / 'test' / 'test_metrics.json').exists()
    line = one_line_error(run_tool('tools/train.py', CLS, '--resume', ckpt,
                                   '--work-dir', tmp_path / 'resume',
                                   check=False))
    assert f'{key} is {half}' in line and '(--resume)' in line


def test_corrupt_checkpoint_is_one_line_in_test_and_resume(tmp_path):
    bad = tmp_path / 'corrupt.pth'
    bad.write_bytes(b'PK\x03\x04 not really a zip')
    line = one_line_error(run_tool('tools/test.py', CLS, bad, '--work-dir',
                                   tmp_path, check=False))
    assert 'cannot read checkpoint' in line and 'corrupt.pth' in line
    line = one_line_error(run_tool('tools/train.py', CLS, '--resume', bad,
                                   '--work-dir', tmp_path, check=False))
    assert line.startswith('pas-mm: error: --resume: cannot read')


def test_tools_find_relative_data_roots_from_another_directory(tmp_path):
    """Run from outside the checkout: the demo data is still found (the
    run gets as far as the checkpoint check), and only the test split is
    checked by test.py."""
    import os
    import subprocess
    import sys

    from conftest import REPO
    other = tmp_path / 'other.pth'
    other.write_bytes(b'')
    proc = subprocess.run(
        [sys.executable, os.path.join(REPO, 'tools/test.py'),
         os.path.join(REPO, CLS), str(other), '--work-dir', str(tmp_path),
         '--cfg-options', 'train_dataloader.dataset.data_root=nowhere'],
        cwd=tmp_path, capture_output=True, text=True,
        env=dict(os.environ, PYTHONPATH=REPO))
    line = one_line_error(proc)
    assert 'dataset folder not found' not in line
    assert 'cannot read checkpoint' in line


def test_get_flops_uses_the_config_input_size_and_readable_units(tmp_path):
    out = tmp_path / 'flops.json'
    proc = run_tool('tools/analysis/get_flops.py', CLS, '--json', out)
    assert '1x3x32x32 (input size from train_dataloader pipeline' in \
        proc.stdout
    assert '35.4 M' in proc.stdout  # not 0.0354 GMACs
    # files the tools write are readable by others (not mkstemp's 0600)
    import os
    umask = os.umask(0)
    os.umask(umask)
    assert (os.stat(out).st_mode & 0o777) == (0o666 & ~umask)
