"""A toy PaS model and Runner (no dataset on disk), the way mmengine
tests its own hooks."""
import uuid

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch import nn
from torch.utils.data import Dataset

from pas_mm.models import PaSAlgorithm


class ToyNet(BaseModel):

    def __init__(self, width=32):
        super().__init__()
        self.convs = nn.Sequential(
            nn.Conv2d(3, width, 3, padding=1), nn.BatchNorm2d(width),
            nn.ReLU(), nn.Conv2d(width, 2 * width, 3, 2, 1),
            nn.BatchNorm2d(2 * width), nn.ReLU(),
            nn.Conv2d(2 * width, 2 * width, 3, padding=1),
            nn.BatchNorm2d(2 * width), nn.ReLU())
        self.fc = nn.Linear(2 * width, 4)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        logits = self.fc(self.convs(inputs).mean((2, 3)))
        if mode == 'loss':
            return {'loss': F.cross_entropy(logits, data_samples)}
        return logits


class ToyViT(BaseModel):
    """A pre-norm transformer with a class token and a position
    embedding: its residual width is searched with prune_residual."""

    def __init__(self, dim=32):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, 4, 4)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, 17, dim) * 0.02)
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.fc1, self.fc2 = nn.Linear(dim, 2 * dim), nn.Linear(2 * dim, dim)
        self.norm = nn.LayerNorm(dim)
        self.fc = nn.Linear(dim, 4)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        x = self.patch(inputs).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(len(x), -1, -1), x], 1)
        x = x + self.pos_embed
        x = x + self.fc2(F.gelu(self.fc1(self.norm1(x))))
        logits = self.fc(self.norm(self.norm2(x))[:, 0])
        if mode == 'loss':
            return {'loss': F.cross_entropy(logits, data_samples)}
        return logits


class ToyData(Dataset):

    def __init__(self, n=64):
        gen = torch.Generator().manual_seed(0)
        self.x = torch.randn(n, 3, 16, 16, generator=gen)
        self.y = (self.x[:, 0].mean((1, 2)) > 0).long() + \
            2 * (self.x[:, 1].mean((1, 2)) > 0).long()

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return dict(inputs=self.x[i], data_samples=self.y[i])


def _width_product_timer(runs, repeats):
    """A timer for ``build_latency_table`` that reads a layer's cost off
    its ``'<in>x<out>'`` key (in x out / 1000 ms) instead of timing it:
    the hook tests need a table whose floor a loaded machine cannot move."""
    out = {}
    for key in runs:
        c_in, c_out = (int(v) for v in key.split('x'))
        out[key] = c_in * (c_out or c_in) / 1000  # 0: a depth-wise conv
    return out


def toy_latency_table(path):
    """A latency table of the PaS ToyNet (3 x 3 widths per layer, costs
    proportional to the kept widths) whose untabled rest is a fifth of the
    network."""
    from pas_mm.core.cost.latency import (build_latency_table,
                                          save_latency_table)
    space = PaSAlgorithm(architecture=ToyNet(), budget=dict(target_ratio=1),
                         input_shape=(1, 3, 16, 16)).space

    def gated(layout):
        return any(g is not None for g, _ in space.segments(layout))

    table = build_latency_table(space.model.eval(), space.graph, gated, 1.0,
                                points=3, timer=_width_product_timer)
    table['full_ms'] = 1.25 * sum(e['ms'][-1][-1] for es in
                                  table['layers'].values() for e in es)
    save_latency_table(table, str(path))
    return str(path)


def make_runner(work_dir, hook, max_iters, optimizer=None, resume=False,
                target=0.5, optim_wrapper=None, extra_hooks=(),
                budget=None, pas=None, architecture=None, train_cfg=None):
    """A Runner training a PaS ToyNet (or ``architecture``) on ToyData with
    ``hook`` (``budget`` adds to the MACs budget at ``target``; ``pas``:
    further PaS settings; ``train_cfg`` replaces ``max_iters``
    iterations)."""
    model = PaSAlgorithm(architecture=architecture or ToyNet(),
                         budget=dict(target_ratio=target, weight=5.0,
                                     **(budget or {})),
                         input_shape=(1, 3, 16, 16), **(pas or {}))
    return Runner(
        model=model, work_dir=str(work_dir),
        train_dataloader=dict(dataset=ToyData(), batch_size=16,
                              sampler=dict(type='DefaultSampler',
                                           shuffle=True),
                              collate_fn=dict(type='default_collate')),
        optim_wrapper=optim_wrapper or dict(optimizer=optimizer or dict(
            type='SGD', lr=0.02, momentum=0.9, weight_decay=5e-4)),
        train_cfg=train_cfg or dict(by_epoch=False, max_iters=max_iters),
        custom_hooks=[hook, *extra_hooks],
        default_hooks=dict(checkpoint=dict(type='CheckpointHook',
                                           interval=10, by_epoch=False),
                           logger=dict(type='LoggerHook', interval=5)),
        resume=resume, randomness=dict(seed=0),
        # unique per runner: a name reused (id() of a freed hook, or two
        # runners in the same second) makes mmengine hand back the old
        # logger, and the new run writes its log into the old folder
        experiment_name=f'toy_{uuid.uuid4().hex}', log_level='INFO')
