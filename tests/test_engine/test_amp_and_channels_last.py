"""The search under AMP (bf16 autocast on CPU) and in channels_last."""
import json

import mmengine.optim.optimizer.amp_optimizer_wrapper as amp_wrapper
import torch
from _toy_runner import ToyNet, make_runner

from pas_mm.engine.hooks import ChannelsLastHook, PaSSearchHook
from pas_mm.models import PaSAlgorithm


def _scalars(work_dir):
    path = next(work_dir.glob('*/vis_data/scalars.json'))
    return [json.loads(ln) for ln in open(path) if ln.strip()]


def test_budget_loss_is_fp32_under_autocast():
    model = PaSAlgorithm(ToyNet(), input_shape=(1, 3, 16, 16),
                         budget=dict(target_ratio=0.5, weight=5.0))
    with torch.autocast('cpu', dtype=torch.bfloat16):
        losses = model.budget_losses()
    assert losses['loss_budget'].dtype == torch.float32
    assert torch.isfinite(losses['loss_budget'])


def test_search_with_amp_optim_wrapper(tmp_path, monkeypatch):
    # mmengine's AmpOptimWrapper refuses to build without an accelerator;
    # its autocast then runs bf16 on the CPU, with the real wrapper code
    monkeypatch.setattr(amp_wrapper, 'is_cuda_available', lambda: True)
    hook = PaSSearchHook(search_iters=30, export_after_search=True)
    runner = make_runner(tmp_path, hook, 34, optim_wrapper=dict(
        type='AmpOptimWrapper', dtype='bfloat16',
        optimizer=dict(type='SGD', lr=0.02, momentum=0.9)))
    before = {n: g.latent.detach().clone()
              for n, g in runner.model.space.gates.items()}
    runner.train()
    assert isinstance(runner.optim_wrapper, amp_wrapper.AmpOptimWrapper)
    spec = json.load(open(tmp_path / 'pas_search' / 'width_spec.json'))
    # the gates moved (STE under autocast) and the search reached its target
    moved = [n for n, g in runner.model.space.gates.items()
             if not torch.equal(g.latent.detach(), before[n])]
    assert moved and abs(spec['search_end_ratio'] / 0.5 - 1) <= 0.05, spec
    logged = [s['loss_budget'] for s in _scalars(tmp_path)
              if 'loss_budget' in s]
    assert logged and all(torch.isfinite(torch.tensor(v)) for v in logged)
    assert runner.model.exported


def test_channels_last_survives_the_export(tmp_path):
    hook = PaSSearchHook(search_iters=10, export_after_search=True)
    runner = make_runner(tmp_path, hook, 14, extra_hooks=[ChannelsLastHook()])
    runner.train()
    model = runner.model
    assert model.exported
    convs = [m.weight for m in model.modules()
             if isinstance(m, torch.nn.Conv2d)]
    assert convs and all(
        w.is_contiguous(memory_format=torch.channels_last) for w in convs)
    log = open(next(tmp_path.glob('*/*.log'))).read()
    assert 'training in channels_last memory format' in log


def test_throughput_hook_logs_images_per_second(tmp_path):
    from pas_mm.engine.hooks import ThroughputHook
    from pas_mm.engine.hooks.throughput_hook import batch_size_of
    assert batch_size_of(dict(inputs=torch.zeros(4, 3, 8, 8))) == 4
    assert batch_size_of(dict(inputs=[torch.zeros(3, 8, 8)] * 2)) == 2
    assert batch_size_of(dict(inputs=dict(img_a=torch.zeros(3, 1)))) == 3
    hook = PaSSearchHook(search_iters=3)
    runner = make_runner(tmp_path, hook, 6, extra_hooks=[ThroughputHook()])
    runner.train()
    rates = [s['img_per_s'] for s in _scalars(tmp_path) if 'img_per_s' in s]
    assert rates and all(r > 0 for r in rates)
