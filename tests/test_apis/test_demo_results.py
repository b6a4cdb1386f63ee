"""tools/run_demo.sh's figures: results.json and the summary lines, and a
missing step named in one line."""
import json

import pytest

from pas_mm.apis.demo_results import FORMAT, write_demo_results
from pas_mm.apis.errors import ConfigError


def _write(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))


def test_results_json_holds_baseline_and_compact_figures(tmp_path):
    w = tmp_path / 'resnet'
    _write(w / 'baseline' / 'test_metrics.json',
           dict(metrics={'accuracy/top1': 91.5, 'accuracy/top5': 99.0}))
    _write(w / 'pas' / 'compact' / 'test_metrics.json',
           dict(metrics={'accuracy/top1': 90.25}))
    _write(w / 'pas' / 'compact' / 'width_spec.json',
           dict(macs=dict(full=2e6, compact=1e6, ratio=0.50004)))
    lines = write_demo_results(str(tmp_path), ['resnet=base.py=pas.py'])
    assert lines == ['resnet: baseline accuracy/top1 91.5 | PaS compact '
                     'accuracy/top1 90.25 at 1.00M / 2.00M MACs in the '
                     'search scope (ratio 0.500)']
    results = json.loads((tmp_path / 'results.json').read_text())
    assert results['format'] == FORMAT
    base, pas = results['runs']
    assert (base['config'], base['role'], base['macs_ratio']) == \
        ('base.py', 'baseline', 1.0)
    assert base['metrics'] == {'accuracy/top1': 91.5}  # the shown keys
    assert (pas['config'], pas['macs_ratio']) == ('pas.py', 0.5)


def test_a_missing_step_is_one_error_line(tmp_path):
    with pytest.raises(ConfigError, match='resnet/baseline/test_metrics'):
        write_demo_results(str(tmp_path), ['resnet=base.py=pas.py'])
