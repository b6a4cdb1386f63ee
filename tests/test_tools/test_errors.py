"""Bad input to the tools: one clear line that names it, no traceback."""
from conftest import run_tool

CLS = 'configs/classification/resnet/resnet18-w16_demo.py'


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
        'pix2pix_unet-w32_demo.py', ckpt, '--show-dir', 'vis', check=False))
    assert '--show-dir is supported for mmpretrain and mmdet' in line
