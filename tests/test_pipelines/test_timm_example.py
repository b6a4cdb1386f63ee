"""tools/examples/pas_timm.py at toy size: a timm ResNet-18 (no download)
through a plain PyTorch loop: baseline, PaSSearch, export, fine-tune."""
import json

import pytest
from conftest import PROXY, run_tool

pytestmark = pytest.mark.slow  # runs the tool in a subprocess


def test_timm_resnet18_end_to_end(proxy_data, tmp_path):
    proc = run_tool('tools/examples/pas_timm.py', '--model', 'resnet18',
                    '--data', f'{PROXY}/cls', '--target', '0.5',
                    '--baseline-epochs', '1', '--search-steps', '40',
                    '--finetune-epochs', '1', '--max-images', '256',
                    '--batch-size', '32', '--out', tmp_path)
    out = proc.stdout
    assert 'PaS final widths per stage:' in out
    assert 'resnet18: baseline val top-1' in out and 'PaS compact val ' \
        'top-1' in out
    spec = json.load(open(tmp_path / 'width_spec.json'))
    assert abs(spec['macs']['ratio'] / 0.5 - 1) <= 0.01
    assert abs(spec['search_end_ratio'] / 0.5 - 1) <= 0.05, spec[
        'search_end_ratio']
    assert any(g['kept'] < g['channels'] for g in spec['groups'].values())
    result = json.loads(out.strip().splitlines()[-1])
    assert result['model'] == 'resnet18' and 0 <= result['top1'] <= 100


def test_timm_convnext_residual_widths_end_to_end(proxy_data, tmp_path):
    """--prune-residual: a ConvNeXt's stage widths are searched too."""
    proc = run_tool('tools/examples/pas_timm.py', '--model', 'convnext_atto',
                    '--data', f'{PROXY}/cls', '--target', '0.5',
                    '--baseline-epochs', '1', '--search-steps', '20',
                    '--finetune-epochs', '1', '--max-images', '128',
                    '--batch-size', '32', '--prune-residual',
                    '--out', tmp_path)
    spec = json.load(open(tmp_path / 'width_spec.json'))
    assert spec['prune_residual'] is True
    stages = [g for n, g in spec['groups'].items()
              if n.startswith('stem') or n.endswith('downsample.1')]
    assert len(stages) == 4, sorted(spec['groups'])
    assert abs(spec['macs']['ratio'] / 0.5 - 1) <= 0.01
    assert 'PaS compact val top-1' in proc.stdout
