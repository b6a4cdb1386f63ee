"""Small plain-PyTorch nets, one tracing feature each, shared by the core
unit tests."""
import torch
import torch.nn.functional as F
from torch import nn


def conv_bn(cin, cout, k=3, stride=1, groups=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout), nn.ReLU())


class UNetLike(nn.Module):
    """Skip concatenation + transposed conv + instance norm + reflect pad."""

    def __init__(self):
        super().__init__()
        self.down = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(3, 8, 3),
                                  nn.InstanceNorm2d(8, affine=True),
                                  nn.LeakyReLU(0.2))
        self.inner = nn.Conv2d(8, 16, 4, 2, 1)
        self.up = nn.ConvTranspose2d(16, 8, 4, 2, 1)
        self.out = nn.Conv2d(16, 3, 3, padding=1)

    def forward(self, x):
        d = self.down(x)
        u = self.up(F.relu(self.inner(d)))
        return torch.tanh(self.out(torch.cat([d, u], 1)))


class SplitSE(nn.Module):
    """Channel split + depth-wise conv + squeeze-excitation scaling."""

    def __init__(self):
        super().__init__()
        self.stem = conv_bn(3, 8)
        self.a = conv_bn(4, 8)
        self.b = conv_bn(4, 8)
        self.dw = conv_bn(16, 16, groups=16)
        self.fc1 = nn.Conv2d(16, 4, 1)
        self.fc2 = nn.Conv2d(4, 16, 1)
        self.head = nn.Linear(16, 5)

    def forward(self, x):
        s = self.stem(x)
        a, b = s.split(4, dim=1)
        y = self.dw(torch.cat([self.a(a), self.b(b)], 1))
        w = torch.sigmoid(self.fc2(F.relu(self.fc1(y.mean((2, 3),
                                                          keepdim=True)))))
        y = y * w
        return self.head(torch.flatten(F.adaptive_avg_pool2d(y, 1), 1))


class RepBlock(nn.Module):
    """mmpretrain RepVGGBlock layout: 3x3 + 1x1 + identity BN, summed."""

    def __init__(self, c):
        super().__init__()
        self.branch_3x3 = nn.Sequential()
        self.branch_3x3.add_module('conv',
                                   nn.Conv2d(c, c, 3, 1, 1, bias=False))
        self.branch_3x3.add_module('norm', nn.BatchNorm2d(c))
        self.branch_1x1 = nn.Sequential()
        self.branch_1x1.add_module('conv', nn.Conv2d(c, c, 1, bias=False))
        self.branch_1x1.add_module('norm', nn.BatchNorm2d(c))
        self.branch_norm = nn.BatchNorm2d(c)

    def forward(self, x):
        if getattr(self, 'deploy', False):
            return F.relu(self.branch_reparam(x))
        return F.relu(self.branch_3x3(x) + self.branch_1x1(x) +
                      self.branch_norm(x))


class RepNet(nn.Module):

    def __init__(self):
        super().__init__()
        self.stem = conv_bn(3, 8)
        self.blocks = nn.Sequential(RepBlock(8), RepBlock(8), RepBlock(8))
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)).mean((2, 3)))


def randomize_bn(model, seed=0):
    gen = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen))
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + .5)
            m.weight.data.copy_(torch.randn(m.num_features, generator=gen))
            m.bias.data.copy_(torch.randn(m.num_features, generator=gen))
