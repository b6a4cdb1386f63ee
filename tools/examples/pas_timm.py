"""PaS on a timm model with a plain PyTorch loop (no OpenMMLab part):
a short baseline on the proxy classification data, the width search
(``pas_mm.core.PaSSearch``), export, fine-tune and evaluation.

    python tools/examples/pas_timm.py --model resnet18 --target 0.5 \
        [--data data/proxy/cls] [--baseline-epochs 4] [--search-steps 113] \
        [--finetune-epochs 2] [--out work_dirs/pas_timm]

``pretrained=False``: nothing is downloaded. It prints the same summary
lines as the toolkit path and writes ``OUT/width_spec.json``.
"""
import argparse
import json
import os
import os.path as osp
import sys

import timm
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms

from pas_mm.apis import exit_status, one_line_errors
from pas_mm.core import PaSSearch
from pas_mm.core.io import write_json

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--model', default='resnet18', help='a timm model name')
    p.add_argument('--data', default='data/proxy/cls')
    p.add_argument('--target', type=float, default=0.5)
    p.add_argument('--baseline-epochs', type=int, default=4)
    p.add_argument('--search-steps', type=int, default=113)
    p.add_argument('--finetune-epochs', type=int, default=2)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--max-images', type=int, default=None,
                   help='use at most this many images per split (toy runs)')
    p.add_argument('--prune-residual', action='store_true',
                   help="search a transformer's or ConvNeXt's residual "
                   'widths too (LayerNorm groups; see PaSSearch)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', default='work_dirs/pas_timm')
    return p.parse_args(argv)


def loaders(root, batch, limit, seed):
    tf = transforms.Compose([transforms.ToTensor(),
                             transforms.Normalize(MEAN, STD)])
    out = []
    for split, shuffle in (('train', True), ('val', False)):
        folder = osp.join(root, split)
        if not osp.isdir(folder):
            raise SystemExit(f'pas_timm: no {split} split in {root} (run '
                             'tools/data/prepare_proxy.py)')
        data = datasets.ImageFolder(folder, transform=tf)
        if limit is not None and limit < len(data):
            g = torch.Generator().manual_seed(seed)
            data = Subset(data, torch.randperm(len(data), generator=g)
                          [:limit].tolist())
        out.append(DataLoader(data, batch_size=batch, shuffle=shuffle))
    return out


def train(model, loader, opt, steps, extra_loss=None, sched=None):
    """``steps`` optimizer steps over ``loader`` (cycled)."""
    model.train()
    done = 0
    while done < steps:
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            if extra_loss is not None:
                loss = loss + extra_loss()
            opt.zero_grad()
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
            done += 1
            if done == steps:
                break


@torch.no_grad()
def top1(model, loader):
    model.eval()
    right = total = 0
    for x, y in loader:
        right += int((model(x).argmax(1) == y).sum())
        total += len(y)
    return 100.0 * right / max(total, 1)


def sgd(params, lr, steps):
    opt = torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=5e-4)
    return opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(steps,
                                                                    1))


@one_line_errors
def main(argv=None):
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    train_loader, val_loader = loaders(args.data, args.batch_size,
                                       args.max_images, args.seed)
    classes = len(train_loader.dataset.dataset.classes if isinstance(
        train_loader.dataset, Subset) else train_loader.dataset.classes)
    model = timm.create_model(args.model, pretrained=False,
                              num_classes=classes)
    steps = args.baseline_epochs * len(train_loader)
    opt, sched = sgd(model.parameters(), 0.05, steps)
    train(model, train_loader, opt, steps, sched=sched)
    base = top1(model, val_loader)
    print(f'{args.model}: baseline val top-1 {base:.2f}', flush=True)

    search = PaSSearch(model, torch.zeros(1, 3, 32, 32),
                       budget=dict(target_ratio=args.target),
                       steps=args.search_steps, min_ratio=0.1,
                       prune_residual=args.prune_residual)
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9,
                          weight_decay=5e-4)  # the gates included
    search.attach(opt)
    train(model, train_loader, opt, args.search_steps, extra_loss=search.loss)
    compact, spec = search.finish()
    print('\n'.join(spec['summary']))
    steps = args.finetune_epochs * len(train_loader)
    opt, sched = sgd(compact.parameters(), 0.02, steps)
    train(compact, train_loader, opt, steps, sched=sched)
    acc = top1(compact, val_loader)
    macs = spec['macs']
    os.makedirs(args.out, exist_ok=True)
    write_json(osp.join(args.out, 'width_spec.json'), spec)
    print(f'{args.model}: baseline val top-1 {base:.2f} | PaS compact val '
          f"top-1 {acc:.2f} at {macs['compact'] / 1e6:.2f}M / "
          f"{macs['full'] / 1e6:.2f}M MACs (ratio {macs['ratio']:.3f}; the "
          f"search itself ended at {spec['search_end_ratio']:.3f})")
    print(json.dumps(dict(model=args.model, baseline_top1=base, top1=acc,
                          macs_ratio=macs['ratio'])))


if __name__ == '__main__':
    sys.exit(exit_status(main()))
