"""build_latency_table.py on the demo PaS config, and a search budgeted by
its table: the end-of-search projection lands on the latency target by the
table's prediction, and the width spec records it."""
import json
import os.path as osp
import runpy

import pytest
import torch

from pas_mm.core import BudgetError
from pas_mm.core.compact.width_spec import save_width_spec

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs/classification/resnet/'
                  'pas_resnet18-w16_1xb64_demo-cls_flops-0.5x.py')


def _build(budget):
    from mmengine.registry import MODELS, init_default_scope

    from pas_mm.apis.config import load_config
    cfg = load_config(CONFIG, loaders=())
    init_default_scope('mmpretrain')
    cfg.model.pretrained = None
    cfg.model.budget = budget
    torch.manual_seed(0)
    return MODELS.build(cfg.model)


def test_table_of_a_config_budgets_its_search(tmp_path):
    out = tmp_path / 'table.json'
    main = runpy.run_path(osp.join(REPO, 'tools/analysis/'
                                   'build_latency_table.py'))['main']
    main([CONFIG, '--out', str(out), '--points', '3', '--repeats', '3'])
    table = json.loads(out.read_text())
    assert table['batch'] == 1 and table['full_ms'] > 0
    assert table['input_shape'] == [1, 3, 32, 32]
    assert 0 < table['tabled_share'] < 1.5 and len(table['layers']) >= 10
    # a target the table can reach, halfway to its floor: what the table
    # predicts depends on the machine's load while it was measured
    floor = _build(dict(metric='latency', table=str(out),
                        target_ratio=1.0)).space.min_macs_ratio()
    assert 0 < floor < 1
    target = round((1.0 + floor) / 2, 3)
    model = _build(dict(metric='latency', table=str(out),
                        target_ratio=target))
    space = model.space
    assert space.metric == 'latency'
    assert space.full_cost == pytest.approx(table['full_ms'])
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():  # a ranking for the projection to cut
        for gate in space.gates.values():
            gate.latent.copy_(torch.rand(gate.latent.shape, generator=gen))
    spec = model.end_search(max_gap=1.0).spec
    save_width_spec(spec, str(tmp_path / 'width_spec.json'))
    assert spec['latency']['ratio'] == pytest.approx(target, rel=0.02)
    assert spec['latency']['full_ms'] == pytest.approx(table['full_ms'])
    assert spec['macs']['ratio'] < 1.0
    saved = json.loads((tmp_path / 'width_spec.json').read_text())
    assert saved['latency']['predicted_ms'] == pytest.approx(
        target * table['full_ms'], rel=0.02)
    # the compact network built from the spec, timed beside the full one
    rows_json = tmp_path / 'rows.json'
    runpy.run_path(osp.join(REPO, 'tools/analysis/latency_prediction.py'))[
        'main']([CONFIG, str(out), str(tmp_path / 'width_spec.json'),
                 '--repeats', '3', '--json', str(rows_json)])
    rows = json.loads(rows_json.read_text())
    assert [r['name'] for r in rows][0] == 'full'
    assert rows[1]['predicted_ratio'] == pytest.approx(
        saved['latency']['ratio'])
    assert all(r['measured_ms'] > 0 for r in rows)


def test_table_of_a_latency_budget_config_needs_no_table(tmp_path):
    # a latency-budget config names the table it is about to get built
    cfg = tmp_path / 'pas_latency.py'
    cfg.write_text(f"_base_ = [{CONFIG!r}]\nmodel = dict(budget=dict("
                   f"metric='latency', table={str(tmp_path / 'b1.json')!r},"
                   " target_ratio=0.6))\n")
    runpy.run_path(osp.join(REPO, 'tools/analysis/build_latency_table.py'))[
        'main']([str(cfg), '--out', str(tmp_path / 'b1.json'), '--points',
                 '2', '--repeats', '2'])
    table = json.loads((tmp_path / 'b1.json').read_text())
    assert table['config'] == str(cfg) and len(table['layers']) >= 10
    # what the table allows depends on the machine's load: no lower target
    model = _build(dict(metric='latency', table=str(tmp_path / 'b1.json'),
                        target_ratio=1.0))
    assert model.space.metric == 'latency'
    assert model.space.full_cost == pytest.approx(table['full_ms'])


@pytest.mark.parametrize('budget, match', [
    (dict(metric='latency'), 'budget.table'),
    (dict(metric='seconds'), 'budget.metric'),
    (dict(metric='latency', table='/nonexistent/table.json'),
     'nonexistent/table.json'),
])
def test_bad_latency_budgets_name_the_problem(budget, match):
    with pytest.raises(BudgetError, match=match):
        _build(budget)


def test_onnxruntime_backend_times_exported_layers(tmp_path, capsys):
    out = tmp_path / 'ort.json'
    main = runpy.run_path(osp.join(REPO, 'tools/analysis/'
                                   'build_latency_table.py'))['main']
    main([CONFIG, '--out', str(out), '--points', '2', '--repeats', '2',
          '--backend', 'onnxruntime'])
    table = json.loads(out.read_text())
    assert table['backend'] == 'onnxruntime' and table['full_ms'] > 0
    times = [t for es in table['layers'].values() for e in es
             for row in e['ms'] for t in row]
    # every layer's figure is net of the session call's own cost, timed
    # beside it on an identity graph
    assert len(times) >= 20 and all(t >= 0 for t in times)
    assert all(e['overhead_ms'] > 0 for es in table['layers'].values()
               for e in es)
    assert 0.0 <= table['remainder']['beta'] <= 1.0
    assert '(onnxruntime)' in capsys.readouterr().out
    assert main([CONFIG, '--out', str(out), '--backend', 'onnxruntime',
                 '--device', 'cuda']) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        'pas-mm: error: --backend onnxruntime times on the CPU: use '
        '--device cpu']
