"""PaSSearchHook on a toy Runner (no dataset on disk), the way mmengine
tests its own hooks: the gate rule reaches the target, the end of the
search is never silent, the summary is written, state survives resume."""
import json
import logging
import os.path as osp

import pytest
import torch
from _toy_runner import make_runner, toy_latency_table
from mmengine.hooks import Hook

from pas_mm.core import BudgetError
from pas_mm.engine.hooks import PaSSearchHook


@pytest.mark.parametrize('optimizer', [
    dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=5e-4),
    dict(type='AdamW', lr=1e-4, weight_decay=0.05),
    dict(type='Adam', lr=2e-4, betas=(0.5, 0.999)),
])
def test_search_reaches_target_and_writes_summary(tmp_path, optimizer):
    hook = PaSSearchHook(search_iters=40)
    runner = make_runner(tmp_path, hook, 44, optimizer)
    runner.train()
    spec = json.load(open(tmp_path / 'pas_search' / 'width_spec.json'))
    assert abs(spec['search_end_ratio'] / 0.5 - 1) <= 0.05, spec
    assert spec['target_ratio'] == 0.5 and 'projection_shift' in spec
    assert spec['at_floor']['count'] >= 0 and spec['min_ratio'] == 0.1
    widths = json.load(open(tmp_path / 'pas_search' / 'widths.json'))
    assert all({'kept', 'total'} == set(v) for v in
               widths['layers'].values())
    assert osp.getsize(tmp_path / 'pas_search' / 'widths.png') > 1000
    # after the search: loss_budget logs 0, gates frozen, no gate grads
    hub = runner.message_hub
    assert hub.get_scalar('train/loss_budget').current() == 0
    model = runner.model
    assert model.space.frozen and model.gate_parameters() == []


def test_search_off_target_warns_or_fails(tmp_path, caplog):
    # 3 steps at a tiny gate lr cannot reach 0.3: the projection decides
    hook = PaSSearchHook(search_iters=3, gate_optimizer=dict(lr=1e-4))
    runner = make_runner(tmp_path / 'warn', hook, 4, target=0.3)
    with caplog.at_level(logging.WARNING):
        runner.train()
    log = open(next((tmp_path / 'warn').glob('*/*.log'))).read()
    assert 'the widths now come from the end-of-search projection' in log
    assert 'PaS: the search itself ended at MACs ratio 1.0000' in log
    strict = PaSSearchHook(search_iters=3, gate_optimizer=dict(lr=1e-4),
                           strict_search=True)
    with pytest.raises(BudgetError, match='strict_search=True'):
        make_runner(tmp_path / 'strict', strict, 4, target=0.3).train()


def test_latency_budget_logs_name_latency(tmp_path):
    # the end of a latency-budget search reports the latency ratio its
    # target is in, not the MACs ratio
    table = toy_latency_table(tmp_path / 'table.json')
    budget = dict(metric='latency', table=table)
    # a target halfway to the floor: the table is timed on this machine
    floor = make_runner(tmp_path / 'floor', PaSSearchHook(search_iters=1), 1,
                        target=1.0, budget=budget).model.space.min_macs_ratio()
    target = round((1.0 + floor) / 2, 2)
    hook = PaSSearchHook(search_iters=3, gate_optimizer=dict(lr=1e-4))
    make_runner(tmp_path / 'run', hook, 4, target=target,
                budget=budget).train()
    log = open(next((tmp_path / 'run').glob('*/*.log'))).read()
    assert 'PaS: the search ended at latency ratio 1.0000' in log
    assert 'iter 3; latency ratio 0.' in log and 'by the table, MACs ' \
        'ratio' in log and f'(target {target})' in log
    spec = json.load(open(tmp_path / 'run' / 'pas_search' /
                          'width_spec.json'))
    assert spec['latency']['ratio'] == pytest.approx(target, abs=0.02)


def test_gate_optimizer_state_in_checkpoints_and_resume(tmp_path):
    hook = PaSSearchHook(search_iters=30)
    make_runner(tmp_path, hook, 10).train()  # stops mid-search
    ckpt = torch.load(tmp_path / 'iter_10.pth', weights_only=False)
    # the hook's PaSSearch: the rule's state, and whether it finished
    state = ckpt['pas_gate_optimizer']
    assert state['finished'] is False
    assert state['rule']['steps'] == 10 and \
        state['rule']['total_steps'] == 30
    resumed = PaSSearchHook(search_iters=30)
    runner = make_runner(tmp_path, resumed, 32, resume=True)
    runner.train()
    spec = json.load(open(tmp_path / 'pas_search' / 'width_spec.json'))
    assert abs(spec['search_end_ratio'] / 0.5 - 1) <= 0.05, spec


def test_toolkit_gate_lr_still_possible(tmp_path):
    """gate_optimizer=None: the toolkit's optimizer moves the gates (the
    original PaS rule, lr tuned by the user) at the configured fixed
    budget weight, and no gate-rule state is checkpointed."""
    hook = PaSSearchHook(search_iters=5, gate_optimizer=None)
    runner = make_runner(tmp_path, hook, 10)
    latents = [g.latent for g in runner.model.space.gates.values()]
    runner.train()
    search = runner.model.pas_search()
    assert runner.model.space.frozen and search.original and search.finished
    # SGD moved them (from 1.0), by the budget term's gradient
    assert any(float(t.min()) < 1.0 for t in latents)
    history, _ = runner.message_hub.get_scalar('train/loss_budget').data
    assert history[0] == pytest.approx(5.0 * (1.0 - 0.5) ** 2, rel=1e-4)
    ckpt = torch.load(tmp_path / 'iter_10.pth', weights_only=False)
    assert 'pas_gate_optimizer' not in ckpt


def test_gate_rule_counts_optimizer_steps_under_accumulation(tmp_path):
    """accumulative_counts=2: 40 search iterations are 20 optimizer steps;
    the rule's schedule has 20 steps and takes all of them."""
    hook = PaSSearchHook(search_iters=40)
    runner = make_runner(tmp_path, hook, 44, optim_wrapper=dict(
        optimizer=dict(type='SGD', lr=0.02, momentum=0.9),
        accumulative_counts=2))
    runner.train()
    rule = runner.model.pas_search().rule
    assert rule.total_steps == 20 and rule.steps == 20
    spec = json.load(open(tmp_path / 'pas_search' / 'width_spec.json'))
    assert abs(spec['search_end_ratio'] / 0.5 - 1) <= 0.05, spec


def test_a_gradient_criterion_scores_on_training_batches(tmp_path):
    """tp-taylor: the hook feeds it the loader's first batches before
    training; the scoring leaves weights, running statistics and
    gradients as they were, and the cut lands on the budget."""
    hook = PaSSearchHook(search_iters=0, export_after_search=True)
    runner = make_runner(tmp_path, hook, 2, pas=dict(
        criterion='tp-taylor', criterion_batches=2))
    model = runner.model
    assert model.calibration_batches() == 2 and not model.space.frozen
    state = {k: v.clone() for k, v in model.state_dict().items()}
    batches = list(runner.train_dataloader)[:2]
    model.prune_with_batches(batches)
    assert model.space.frozen and model.calibration_batches() == 0
    assert abs(model.space.macs_ratio() - 0.5) <= 0.01 * 0.5
    for k, v in model.state_dict().items():
        if isinstance(v, torch.Tensor) and 'pas_gates' not in k:
            assert torch.equal(v, state[k]), k
    assert all(p.grad is None for p in model.parameters())
    # through the hook, from a fresh runner
    runner = make_runner(tmp_path / 'hook', PaSSearchHook(
        search_iters=0, export_after_search=True), 2, pas=dict(
            criterion='tp-taylor', criterion_batches=2))
    runner.train()
    spec = runner.model.compact_spec
    assert abs(spec['macs']['ratio'] - 0.5) <= 0.01 * 0.5


def test_an_evidence_cut_through_the_runner(tmp_path):
    """cut='evidence': the hook ends the model's search with the task
    evidence's ranking; the spec lands on the target and says so, and
    gate_diagnostics.json states the evidence."""
    hook = PaSSearchHook(search_iters=20, cut='evidence')
    make_runner(tmp_path, hook, 22).train()
    spec = json.load(open(tmp_path / 'pas_search' / 'width_spec.json'))
    assert spec['cut'] == 'evidence' and spec['rule'] == 'descent'
    # one channel of the second conv is 1.5 % of ToyNet's MACs
    assert abs(spec['macs']['ratio'] / 0.5 - 1) <= 0.015, spec['macs']
    assert spec['evidence']['steps'] == 20
    gates = json.load(open(tmp_path / 'pas_search' /
                           'gate_diagnostics.json'))
    assert gates['evidence'] == spec['evidence']
    with pytest.raises(ValueError, match='cut must be one of'):
        PaSSearchHook(search_iters=5, cut='magnitude')


def test_search_batch_size_searches_small_batches_then_fine_tunes(tmp_path):
    # 64 samples: the search epoch at batch 4 is 16 steps, the two
    # fine-tune epochs at the config's batch 16 are 4 iterations each
    hook = PaSSearchHook(search_epochs=1, search_batch_size=4,
                         gate_optimizer=dict(rule='original'))
    runner = make_runner(tmp_path, hook, None, train_cfg=dict(
        by_epoch=True, max_epochs=3))
    sizes = []

    class BatchSizes(Hook):
        def before_train_iter(self, runner, batch_idx, data_batch=None):
            sizes.append(len(data_batch['inputs']))

    runner.register_hook(BatchSizes())
    runner.train()
    assert sizes == [4] * 16 + [16] * 8
    assert runner.iter == runner.max_iters == 24
    assert hook._search.steps == 16  # the original rule's step count
    log = open(next(tmp_path.glob('*/*.log'))).read()
    assert 'searching at batch 4 (16 iterations an epoch)' in log
    assert 'search ended at epoch 1, iter 16' in log
    with pytest.raises(ValueError, match='search_batch_size needs '
                       'search_epochs'):
        PaSSearchHook(search_iters=3, search_batch_size=4)
    # an iteration-based loop cannot change its batch size per epoch
    iter_hook = PaSSearchHook(search_epochs=1, search_batch_size=4)
    with pytest.raises(ValueError, match='needs an epoch-based train loop'):
        make_runner(tmp_path / 'iters', iter_hook, 8).train()
