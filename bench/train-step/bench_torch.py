#!/usr/bin/env python3
"""Reference SimCLR training step in PyTorch for bench/train-step/bench.ts.

The same workload as the TypeScript benchmark: N source images of 32x32x3 drawn at random
(augmentation excluded) give 2N views; a CIFAR-stem ResNet-18 (3x3 stem conv, no max pooling,
basic blocks, widths w, 2w, 4w, 8w; BatchNorm in training mode) + MLP head C -> C -> 128;
NT-Xent with tau = 0.5 over the 2N views (Chen et al. 2020, SimCLR, eq. 1); SGD, momentum 0.9.

Prints one JSON line on stdout: step times (ms) of the timed steps, parameter count, threads,
peak RSS and torch's build configuration line (BLAS / oneDNN).

usage: bench_torch.py --model small|resnet18 --batch N --steps S --warmup W --threads T [--profile]
"""
import argparse
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv3x3(cin, cout, stride):
    return nn.Conv2d(cin, cout, kernel_size=3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1, self.bn1 = conv3x3(cin, cout, stride), nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = conv3x3(cout, cout, 1), nn.BatchNorm2d(cout)
        self.project = None
        if stride != 1 or cin != cout:
            self.project = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        skip = x if self.project is None else self.project(x)
        return F.relu(y + skip)


class CifarResNet18(nn.Module):
    def __init__(self, base):
        super().__init__()
        widths = [base, 2 * base, 4 * base, 8 * base]
        self.stem = nn.Sequential(conv3x3(3, base, 1), nn.BatchNorm2d(base), nn.ReLU())
        blocks, cin = [], base
        for stage, cout in enumerate(widths):
            blocks.append(BasicBlock(cin, cout, 1 if stage == 0 else 2))
            blocks.append(BasicBlock(cout, cout, 1))
            cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.out_dim = cin

    def forward(self, x):
        return self.blocks(self.stem(x)).mean(dim=(2, 3))


def nt_xent(z1, z2, tau):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    logits = (z @ z.t()) / tau
    logits = logits - 1e9 * torch.eye(2 * n)
    positives = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(logits, positives)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', choices=['small', 'resnet18'], default='small')
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--steps', type=int, default=5)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--profile', action='store_true')
    args = ap.parse_args()

    torch.set_num_threads(args.threads)  # Debian's default is 1 thread: 2 for a fair comparison
    torch.manual_seed(0)
    encoder = CifarResNet18(16 if args.model == 'small' else 64)
    c = encoder.out_dim
    head = nn.Sequential(nn.Linear(c, c), nn.ReLU(), nn.Linear(c, 128))
    params = list(encoder.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=0.1, momentum=0.9)
    encoder.train()
    views = torch.randn(2, args.batch, 3, 32, 32)

    def step():
        opt.zero_grad(set_to_none=True)
        z = head(encoder(views.flatten(0, 1)))
        loss = nt_xent(z[: args.batch], z[args.batch:], 0.5)
        loss.backward()
        opt.step()
        return loss.item()

    times = []
    for i in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        step()
        if i >= args.warmup:
            times.append((time.perf_counter() - t0) * 1000)
    profile = None
    if args.profile:
        from torch.profiler import ProfilerActivity, profile as tprofile
        with tprofile(activities=[ProfilerActivity.CPU]) as prof:
            step()
        profile = prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=12)
        print(profile, file=sys.stderr)
    shown = torch.__config__.show()
    keys = ('BLAS_INFO', 'USE_MKLDNN', 'USE_OPENMP', 'USE_XNNPACK')
    items = [kv.strip().replace('- Build settings: ', '') for kv in shown.replace('\n', ',').split(',')]
    config = [kv for kv in items if kv.split('=')[0] in keys]
    config.append('oneDNN (mkldnn) available: %s' % torch.backends.mkldnn.is_available())
    print(json.dumps({
        'engine': 'pytorch', 'torch': torch.__version__, 'threads': torch.get_num_threads(),
        'model': args.model, 'batch': args.batch, 'params': sum(p.numel() for p in params),
        'stepMs': times, 'peakRssBytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        'config': '; '.join(config),
    }))


if __name__ == '__main__':
    main()
