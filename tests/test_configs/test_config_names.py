"""Config names follow one scheme, and each says what its config does:

    <algo>_<model>_<N>xb<M>[-<schedule>]_<data>[_{flops|latency}-<budget>].py

- ``algo``: ``pas`` (search), ``pas-kd`` (search, then a distilled
  fine-tune), ``pas-original`` (the original rule), ``pas-evidence``,
  ``pas-evidence-mac``, ``pas-evidence-rms``, ``pas-evidence-rms-mac``,
  ``pas-own-layer``, ``pas-fisher-flat`` (candidate rules of
  ``docs/search_evidence.md``),
  ``pas-subnet`` (train a searched net), ``transfer`` (widths of another
  task), ``scratch`` (searched widths from random init), a
  baseline criterion (``uniform``, ``bn-gamma``, ``l1``, ``random``), or
  absent for a plain model;
- ``N``x``b``M: processes x batch per process (the dataloader's batch);
- ``flops-<r>x``: MACs target as a ratio of the search scope (equal to
  ``model.budget.target_ratio``); ``flops-<v>G`` / ``M``: absolute MACs
  of the searched net; ``latency-<r>x``: a measured-latency target
  (``model.budget.metric='latency'``), as a ratio of the full network's.
"""
import os.path as osp
import re
from glob import glob

import pytest
import yaml
from mmengine.config import Config

from pas_mm.core.criteria.prune import CRITERIA

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TASKS = ('classification', 'detection', 'instance_segmentation',
         'image_translation')
FOLDERS = sorted({osp.dirname(p) for t in TASKS for p in glob(
    osp.join(REPO, 'configs', t, '*', '*.py'))})
CONFIGS = sorted(p for f in FOLDERS for p in glob(osp.join(f, '*.py')))
# longest first: 'pas-evidence-mac' before 'pas-evidence'
ALGOS = ('pas-kd', 'pas-residual', 'pas-subnet', 'pas-original',
         'pas-evidence-rms-mac', 'pas-evidence-rms', 'pas-evidence-mac',
         'pas-evidence', 'pas-own-layer', 'pas-fisher-flat', 'pas',
         'transfer', 'scratch') + CRITERIA
NAME = re.compile(
    r'^(?:(?P<algo>' + '|'.join(ALGOS) + r')_)?(?P<model>[A-Za-z0-9.-]+(?:_'
    r'[A-Za-z0-9.-]+)*?)_(?P<n>\d+)xb(?P<m>\d+)(?:-(?P<sched>[a-z0-9-]+))?_'
    r'(?P<data>[A-Za-z0-9-]+)(?:_(?P<metric>flops|latency)-'
    r'(?P<budget>\d+(?:\.\d+)?)'
    r'(?P<unit>[xGM]))?\.py$')


def _name(path):
    match = NAME.match(osp.basename(path))
    assert match, f'{osp.basename(path)} does not follow the naming scheme'
    return match.groupdict()


def test_there_are_configs_to_check():
    assert len(CONFIGS) >= 30 and len(FOLDERS) == 10


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_name_says_what_the_config_does(path):
    fields = _name(path)
    cfg = Config.fromfile(path)
    model = cfg.model
    assert int(fields['m']) == cfg.train_dataloader.batch_size, \
        'the xb field is the batch per process'
    searched = 'budget' in model or 'criterion' in model or \
        'transfer' in model
    algo = fields['algo']
    if algo is None:
        assert not searched and fields['budget'] is None
        return
    if algo == 'pas-subnet':
        assert 'PaSRepVGG' in str(model) and fields['unit'] in 'GM'
        return
    assert searched, f'{algo}_ config without PaS settings'
    if algo in ('transfer', 'scratch'):
        assert model.get('transfer')
        assert (algo == 'scratch') == (not model.get('pretrained'))
        # a transfer scaled to a budget names it; one taken as it is
        # does not
        scaled = model.transfer.get('scale_to_budget', False)
        assert (fields['budget'] is not None) == scaled
        if scaled:
            assert model.budget.target_ratio == float(fields['budget'])
        return
    if algo == 'pas-kd':
        assert model.get('distill')
    assert (algo == 'pas-residual') == bool(model.get('prune_residual'))
    hook = next((h for h in cfg.get('custom_hooks', [])
                 if 'PaSSearchHook' in str(h.get('type'))), {})
    rule = (hook.get('gate_optimizer') or {}).get('rule')
    assert (algo == 'pas-original') == (rule == 'original')
    assert (algo == 'pas-own-layer') == (
        model.budget.get('attribution') == 'own-layer' and
        rule != 'original')
    signal = (hook.get('gate_optimizer') or {}).get('task_signal')
    assert (algo == 'pas-fisher-flat') == (
        model.budget.get('attribution') == 'flat' and signal == 'fisher')
    cut = hook.get('cut', 'projection')
    assert algo.startswith('pas-evidence') == (cut != 'projection')
    if cut != 'projection':  # the name says which evidence cut
        assert algo == 'pas-' + cut.replace('-per-mac', '-mac'), cut
    assert fields['budget'] is not None, 'a pruned config names its budget'
    if algo in CRITERIA:
        assert model.criterion == algo
    if fields['unit'] == 'x':
        assert model.budget.target_ratio == float(fields['budget'])
    # latency-<r>x: a measured-latency budget; flops-: MACs
    assert (model.budget.get('metric', 'macs') == 'latency') == (
        fields['metric'] == 'latency')


@pytest.mark.parametrize('folder', FOLDERS, ids=osp.basename)
def test_each_folder_has_readme_and_metafile(folder):
    assert osp.isfile(osp.join(folder, 'README.md'))
    with open(osp.join(folder, 'metafile.yml')) as f:
        meta = yaml.safe_load(f)
    listed = {m['Config'] for m in meta['Models']}
    here = {osp.relpath(p, REPO) for p in glob(osp.join(folder, '*.py'))}
    assert listed == here, 'metafile.yml lists every config of its folder'
    for entry in meta['Models']:
        assert entry['Name'] == osp.splitext(osp.basename(entry['Config']))[0]
        assert entry['In Collection'] in {c['Name']
                                          for c in meta['Collections']}
