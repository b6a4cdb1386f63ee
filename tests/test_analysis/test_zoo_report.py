"""The zoo page: reach cells, the reach rule of the zoo tests, and
Torch-Pruning outcomes carried over from an earlier page."""
import pytest

from pas_mm.analysis import zoo
from pas_mm.analysis.zoo import ZooModel, ZooResult, reach_problem
from pas_mm.analysis.zoo_report import tp_outcomes_of, zoo_markdown
from pas_mm.apis.errors import ToolInputError


def _result(name, reach, held='', source='timm'):
    return ZooResult(ZooModel(name, source, 'fam'), 'exact', groups=3,
                     rel_diff=0.0, macs_ratio=1.0, reach=reach,
                     held_by=held, params_m=1.0)


def test_reach_cells_and_counts():
    results = [_result('a', 0.01), _result('b', 0.7, "grouped conv 'x'")]
    page = zoo_markdown(results, {'timm/a': 'pruned', 'timm/b': 'fails'})
    assert '**1 of 2 reach 0.25 or less.**' in page
    assert "| 0.010 |" in page and "| 0.700 (grouped conv 'x') |" in page


def test_a_reach_pas_mm_could_fix_fails_unless_listed(monkeypatch):
    assert reach_problem(_result('a', 0.1)) is None
    assert reach_problem(_result('b', 0.5, "grouped conv 'x'")).startswith(
        'reach 0.500')
    held = "matmul (a product of activations) in blocks.*.attn"
    assert reach_problem(_result('c', 0.5, held)) is None
    monkeypatch.setattr(zoo, 'OPEN_REACH', {'b': 'why', 'd': 'why'})
    assert reach_problem(_result('b', 0.5, "grouped conv 'x'")) is None
    # a listed model that now reaches the limit must leave the list
    assert 'drop it from OPEN_REACH' in reach_problem(_result('d', 0.1))


def test_tp_outcomes_carry_over_by_name_in_zoo_order(tmp_path):
    entries = [ZooModel('densenet121', 'torchvision', 'f'),
               ZooModel('densenet121', 'timm', 'f'),
               ZooModel('new', 'timm', 'f')]
    page = zoo_markdown(
        [_result('densenet121', 0.1, source='torchvision'),
         _result('densenet121', 0.1)],
        {'torchvision/densenet121': 'pruned',
         'timm/densenet121': 'fails: X'})
    path = tmp_path / 'zoo.md'
    path.write_text(page)
    assert tp_outcomes_of(str(path), entries) == {
        'torchvision/densenet121': 'pruned',
        'timm/densenet121': 'fails: X'}
    (tmp_path / 'empty.md').write_text('# nothing\n')
    with pytest.raises(ToolInputError, match='no zoo table'):
        tp_outcomes_of(str(tmp_path / 'empty.md'), entries)
    with pytest.raises(ToolInputError, match='--tp-from'):
        tp_outcomes_of(str(tmp_path / 'missing.md'), entries)
