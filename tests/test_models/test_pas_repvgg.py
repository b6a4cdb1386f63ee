"""The searched PaS-RepVGG-B1 (~2.1 GMACs) builds from its config, merges
into plain 3x3 convs without changing its output, and has the MACs."""
import pytest
import torch
from torch import nn

from pas_mm.core import reparameterize

CONFIG = ('configs/classification/repvgg/'
          'pas-subnet_repvgg-B1_8xb64_in1k_flops-2.1G.py')


def test_searched_repvgg_b1():
    from mmengine.analysis import FlopAnalyzer
    from mmengine.config import Config
    from mmengine.registry import MODELS, init_default_scope

    import pas_mm  # noqa: F401
    init_default_scope('mmpretrain')
    model = MODELS.build(Config.fromfile(CONFIG).model).eval()
    gen = torch.Generator().manual_seed(0)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(n, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=gen) + 0.5)
    widths = [b.out_channels for b in model.backbone.stage_3]
    assert widths[:3] == [125, 107, 102] and widths[-1] == 450
    x = torch.randn(1, 3, 224, 224, generator=gen)
    with torch.no_grad():
        before = model.backbone(x)[0]
        assert reparameterize(model) == 28
        after = model.backbone(x)[0]
    assert (before - after).abs().max() <= 1e-4 * before.abs().max()

    class Feats(nn.Module):

        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, x):
            return self.m(x, mode='tensor')

    analyzer = FlopAnalyzer(Feats(model), (x, ))
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    assert analyzer.total() / 1e9 == pytest.approx(2.1, rel=0.02)
