#!/usr/bin/env python3
"""SimCLR time to accuracy in PyTorch: the reference side of bench/time-to-accuracy/bench.ts.

The recipe (Chen et al. 2020, SimCLR, Appendix B.9 for CIFAR-10), the same as the TypeScript side:
- encoder: this project's small CIFAR ResNet-18 (packages/encoders/src/resnet.ts at widthMultiplier
  0.25): 3x3/1 stem conv (16 filters, no bias) + BN + ReLU, no max-pool; basic blocks 2-2-2-2 of
  widths 16-32-64-128, stride 2 on the first block of stages 2-4 with a 1x1 conv + BN projection
  shortcut; global average pooling -> h (128). Initialised as torchvision initialises ResNets and
  as packages/encoders/src/spec.ts does: conv weights Kaiming-normal (mode 'fan_out', relu), BN
  gamma 1 / beta 0 (running mean 0, var 1), BN momentum 0.1, eps 1e-5;
- head: Linear(128, 512) - ReLU - Linear(512, 128), PyTorch's default nn.Linear initialisation;
- views: torchvision on PIL images, RandomResizedCrop(32, scale (0.08, 1)), RandomHorizontalFlip,
  RandomApply([ColorJitter(0.4, 0.4, 0.4, 0.1)], p 0.8), RandomGrayscale(0.2), ToTensor (no
  mean/std normalisation, as the project's recipe);
- NT-Xent, tau 0.5, 2N views ordered [view 1 | view 2], mean over the 2N anchors; both views go
  through the encoder in one forward pass (BatchNorm statistics over 2N), as the project does;
- SGD (PyTorch semantics: g += wd * p; v = m * v + g; p -= lr * v), lr 0.06, momentum 0.9, weight
  decay 5e-4 on every parameter; cosine decay from lr to 0 over the run, stepped per update
  (lr(t) = lr * (1 + cos(pi t / T)) / 2, t = 0..T-1), as the project's warmupCosine(warmup 0);
- batches: a seeded random permutation per epoch, the last short batch dropped (195 per epoch).
- kNN monitor (Wu et al. 2018; the project's eval/knn.ts): encoder output h in eval mode (running
  BN statistics) of the un-augmented images, L2-normalised; cosine top-k (k 200) over the bank,
  votes exp(s / tau), tau 0.1; accuracy on the test set.

Ablation switches (defaults reproduce the recipe above): --schedule epoch (cosine stepped once per
epoch: constant lr within the first epoch), --init default (PyTorch's default conv init,
kaiming_uniform(a=sqrt(5))), --normalize (CIFAR mean/std normalisation of every input).

Prints progress on stderr and one JSON line on stdout.

usage: simclr_torch.py --data-dir DIR [--epochs 1] [--steps N] [--seed S] [--batch 256]
         [--eval-train N] [--eval-test M] [--threads 2] [--schedule step|epoch]
         [--init torchvision|default] [--normalize]
"""
import argparse
import json
import math
import os
import random
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from torchvision import transforms

CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)


def read_cifar(path, limit=None):
    a = np.fromfile(path, np.uint8).reshape(-1, 3073)
    if limit is not None:
        a = a[:limit]
    labels = a[:, 0].astype(np.int64)
    images = np.ascontiguousarray(a[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))  # NHWC uint8
    return images, labels


def conv(cin, cout, k, stride, pad):
    return nn.Conv2d(cin, cout, kernel_size=k, stride=stride, padding=pad, bias=False)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1, self.bn1 = conv(cin, cout, 3, stride, 1), nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = conv(cout, cout, 3, 1, 1), nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(conv(cin, cout, 1, stride, 0), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class SmallCifarResNet18(nn.Module):
    """resnet({ depth: 18, stem: 'cifar', widthMultiplier: 0.25 }) of packages/encoders."""

    def __init__(self, widths=(16, 32, 64, 128), init='torchvision'):
        super().__init__()
        self.conv1, self.bn1 = conv(3, widths[0], 3, 1, 1), nn.BatchNorm2d(widths[0])
        blocks, cin = [], widths[0]
        for stage, cout in enumerate(widths):
            blocks += [BasicBlock(cin, cout, 1 if stage == 0 else 2), BasicBlock(cout, cout, 1)]
            cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.out_dim = cin
        if init == 'torchvision':  # torchvision.models.resnet and packages/encoders/src/spec.ts
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.ones_(m.weight)
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        return self.blocks(x).mean(dim=(2, 3))


def nt_xent(z, n, tau):
    z = F.normalize(z, dim=1)
    logits = (z @ z.t()) / tau
    logits = logits.masked_fill(torch.eye(2 * n, dtype=torch.bool), float('-inf'))
    positives = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(logits, positives)


@torch.no_grad()
def embed(encoder, images, normalize, batch=1000):
    encoder.eval()
    mean = torch.tensor(CIFAR_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CIFAR_STD).view(1, 3, 1, 1)
    out = []
    for s in range(0, len(images), batch):
        x = torch.from_numpy(images[s:s + batch]).permute(0, 3, 1, 2).float().div_(255)
        if normalize:
            x = (x - mean) / std
        out.append(F.normalize(encoder(x), dim=1))
    encoder.train()
    return torch.cat(out)


@torch.no_grad()
def knn_accuracy(bank, bank_labels, test, test_labels, k=200, tau=0.1, classes=10, chunk=500):
    """Wu et al. 2018 weighted kNN: top-k cosine neighbours, class votes sum exp(s / tau)."""
    bank_labels = torch.from_numpy(bank_labels)
    test_labels = torch.from_numpy(test_labels)
    k = min(k, len(bank))
    correct = 0
    for s in range(0, len(test), chunk):
        sim = test[s:s + chunk] @ bank.t()
        top, idx = sim.topk(k, dim=1)
        weights = ((top - top[:, :1]) / tau).exp()  # same predictions as exp(s / tau)
        votes = torch.zeros(len(sim), classes).scatter_add_(1, bank_labels[idx], weights)
        correct += (votes.argmax(dim=1) == test_labels[s:s + chunk]).sum().item()
    return correct / len(test)


def torch_name(name):
    """The PyTorch state_dict key of a project variable, and whether its layout needs converting."""
    part, rest = name.split('/', 1)
    layer, weight = rest.rsplit('/', 1)
    if part == 'head':
        index = {'layer1': '0', 'layer2': '2'}[layer]
        return f'head.{index}.' + {'kernel': 'weight', 'bias': 'bias'}[weight]
    if layer.startswith('layer'):
        stage, block, sub = layer[len('layer'):].split('.', 2)
        layer = f'blocks.{2 * (int(stage) - 1) + int(block)}.{sub}'
    return 'encoder.' + layer + '.' + {'kernel': 'weight', 'gamma': 'weight', 'beta': 'bias', 'bias': 'bias',
                                       'moving_mean': 'running_mean', 'moving_variance': 'running_var'}[weight]


def to_torch_layout(a):
    """NHWC-world layouts to PyTorch's: conv [k, k, in, out] -> [out, in, k, k]; dense [in, out] -> [out, in]."""
    if a.ndim == 4:
        return a.transpose(3, 2, 0, 1)
    if a.ndim == 2:
        return a.T
    return a


def read_weights(prefix):
    entries = json.load(open(prefix + '.json'))
    flat = np.fromfile(prefix + '.bin', np.float32)
    return {e['name']: flat[e['offset']:e['offset'] + int(np.prod(e['shape']))].reshape(e['shape']) for e in entries}


def fidelity(directory, dtype=torch.float32, data_dir=None):
    """Trains on the project's initial weights and views (bench/time-to-accuracy/fidelity.ts) and compares."""
    meta = json.load(open(os.path.join(directory, 'meta.json')))
    steps, n = meta['steps'], meta['batch']
    model = nn.Module()
    model.encoder = SmallCifarResNet18()
    model.head = nn.Sequential(nn.Linear(model.encoder.out_dim, 512), nn.ReLU(), nn.Linear(512, 128))
    state = model.state_dict()
    init = read_weights(os.path.join(directory, 'init'))
    for name, a in init.items():
        key = torch_name(name)
        assert state[key].shape == to_torch_layout(a).shape, (name, key)
        state[key] = torch.from_numpy(np.ascontiguousarray(to_torch_layout(a)))
    assert len(init) == sum(1 for k in state if not k.endswith('num_batches_tracked')), 'every variable mapped'
    model.load_state_dict(state)
    model.to(dtype)
    views = torch.from_numpy(np.fromfile(os.path.join(directory, 'views.bin'), np.float32).reshape(steps, 2 * n, 32, 32, 3)).permute(0, 1, 4, 2, 3).to(dtype)
    params = list(model.parameters())
    opt = torch.optim.SGD(params, lr=meta['lr'], momentum=meta['momentum'], weight_decay=meta['weightDecay'])
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 0.5 * (1 + math.cos(math.pi * t / steps)))
    model.train()
    losses = []
    for s in range(steps):
        loss = nt_xent(model.head(model.encoder(views[s].contiguous())), n, meta['tau'])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    print('step | loss contrastive | loss pytorch | difference')
    for s, (a, b) in enumerate(zip(meta['losses'], losses)):
        print(f'{s + 1:4d} | {a:.6f} | {b:.6f} | {a - b:+.2e}')
    final = read_weights(os.path.join(directory, 'final'))
    state = model.state_dict()
    rel = []
    for name, a in final.items():
        t = state[torch_name(name)].float().numpy()
        start = to_torch_layout(init[name])
        moved = np.linalg.norm(t - start)
        rel.append((np.linalg.norm(to_torch_layout(a) - t) / max(moved, 1e-12), name, moved))
    rel.sort(reverse=True)
    print('after %d steps, |w_contrastive - w_pytorch| / |w_pytorch - w_init| (largest 8 of %d variables):' % (steps, len(rel)))
    for r, name, moved in rel[:8]:
        print(f'  {r:.2e}  {name} (moved {moved:.3e})')
    print('median over variables: %.2e' % sorted(r for r, _, _ in rel)[len(rel) // 2])
    if 'knn' in meta:  # the evaluation path on the project's trained weights
        trained = SmallCifarResNet18().to(dtype)
        sd = trained.state_dict()
        for name, a in final.items():
            if name.startswith('encoder/'):
                sd[torch_name(name)[len('encoder.'):]] = torch.from_numpy(np.ascontiguousarray(to_torch_layout(a))).to(dtype)
        trained.load_state_dict(sd)
        cifar = os.path.join(data_dir, 'cifar10')
        bank_x, bank_y = read_cifar(os.path.join(cifar, 'train.bin'), meta['evalTrain'])
        test_x, test_y = read_cifar(os.path.join(cifar, 'test.bin'), meta['evalTest'])
        trained.float()
        bank, test = embed(trained, bank_x, False), embed(trained, test_x, False)
        theirs = F.normalize(torch.from_numpy(np.fromfile(os.path.join(directory, 'test-features.bin'), np.float32).reshape(len(test_x), -1)), dim=1)
        acc = knn_accuracy(bank, bank_y, test, test_y)
        print(f'evaluation on the trained weights: max |h_contrastive - h_pytorch| (L2-normalised test features) {float((theirs - test).abs().max()):.2e}; '
              f'kNN contrastive {100 * meta["knn"]:.2f}%, pytorch {100 * acc:.2f}% ({len(bank_x)} bank, {len(test_x)} queries)')
    return {k: v.double() for k, v in state.items()}, {k: torch.from_numpy(to_torch_layout(v)).double() for k, v in init.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data-dir', required=True)
    ap.add_argument('--epochs', type=int, default=1)
    ap.add_argument('--steps', type=int, default=0, help='stop after this many steps (0: all)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--batch', type=int, default=256)
    ap.add_argument('--lr', type=float, default=0.06)
    ap.add_argument('--eval-train', type=int, default=0, help='kNN bank: the first N train images (0: all)')
    ap.add_argument('--eval-test', type=int, default=0, help='kNN queries: the first M test images (0: all)')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--schedule', choices=['step', 'epoch'], default='step')
    ap.add_argument('--init', choices=['torchvision', 'default'], default='torchvision')
    ap.add_argument('--normalize', action='store_true')
    ap.add_argument('--log-every', type=int, default=20)
    ap.add_argument('--float64', action='store_true', help='with --fidelity: PyTorch in float64')
    ap.add_argument('--fidelity', default='', help='directory written by fidelity.ts: compare step for step')
    args = ap.parse_args()
    if args.fidelity:
        torch.set_num_threads(args.threads)
        fidelity(args.fidelity, torch.float64 if args.float64 else torch.float32, args.data_dir)
        return

    torch.set_num_threads(args.threads)  # Debian's default is 1 thread
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    log = lambda s: print(s, file=sys.stderr, flush=True)

    cifar = os.path.join(args.data_dir, 'cifar10')
    train_x, train_y = read_cifar(os.path.join(cifar, 'train.bin'))
    test_x, test_y = read_cifar(os.path.join(cifar, 'test.bin'))
    bank_x, bank_y = (train_x, train_y) if args.eval_train <= 0 else (train_x[:args.eval_train], train_y[:args.eval_train])
    query_x, query_y = (test_x, test_y) if args.eval_test <= 0 else (test_x[:args.eval_test], test_y[:args.eval_test])
    pil = [Image.fromarray(im) for im in train_x]

    view = [
        transforms.RandomResizedCrop(32, scale=(0.08, 1.0)),
        transforms.RandomHorizontalFlip(),
        transforms.RandomApply([transforms.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
        transforms.RandomGrayscale(p=0.2),
        transforms.ToTensor(),
    ]
    if args.normalize:
        view.append(transforms.Normalize(CIFAR_MEAN, CIFAR_STD))
    view = transforms.Compose(view)

    encoder = SmallCifarResNet18(init=args.init)
    head = nn.Sequential(nn.Linear(encoder.out_dim, 512), nn.ReLU(), nn.Linear(512, 128))
    params = list(encoder.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=args.lr, momentum=0.9, weight_decay=5e-4)
    per_epoch = len(train_x) // args.batch
    total = args.epochs * per_epoch if args.steps <= 0 else min(args.steps, args.epochs * per_epoch)
    cosine = lambda t, period: 0.5 * (1 + math.cos(math.pi * t / period))
    if args.schedule == 'step':
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: cosine(t, total))
    else:  # CosineAnnealingLR(T_max=epochs) stepped once per epoch
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: cosine(e, args.epochs))

    t0 = time.perf_counter()
    knn_init = knn_accuracy(embed(encoder, bank_x, args.normalize), bank_y, embed(encoder, query_x, args.normalize), query_y)
    eval_init_s = time.perf_counter() - t0
    log(f'pytorch: kNN at init {100 * knn_init:.2f}% ({len(bank_x)} bank, {len(query_x)} queries, {eval_init_s:.1f} s)')

    encoder.train()
    head.train()
    losses = []
    step = 0
    t0 = time.perf_counter()
    for epoch in range(args.epochs):
        order = torch.randperm(len(train_x)).tolist()
        for b in range(per_epoch):
            if step >= total:
                break
            idx = order[b * args.batch:(b + 1) * args.batch]
            v1 = torch.stack([view(pil[i]) for i in idx])
            v2 = torch.stack([view(pil[i]) for i in idx])
            z = head(encoder(torch.cat([v1, v2])))
            loss = nt_xent(z, len(idx), 0.5)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if args.schedule == 'step':
                sched.step()
            losses.append(loss.item())
            step += 1
            if step % args.log_every == 0 or step == total:
                el = time.perf_counter() - t0
                log(f'pytorch: step {step}/{total} loss {losses[-1]:.4f} ({el:.0f} s, {step * args.batch / el:.1f} img/s)')
        if args.schedule == 'epoch':
            sched.step()
    train_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    knn_final = knn_accuracy(embed(encoder, bank_x, args.normalize), bank_y, embed(encoder, query_x, args.normalize), query_y)
    eval_final_s = time.perf_counter() - t0
    log(f'pytorch: kNN after {step} steps {100 * knn_final:.2f}% ({eval_final_s:.1f} s)')
    print(json.dumps({
        'engine': 'pytorch', 'version': 'torch ' + torch.__version__, 'threads': torch.get_num_threads(),
        'steps': step, 'batch': args.batch, 'knnInit': knn_init, 'knnFinal': knn_final,
        'trainSeconds': train_s, 'imagesPerSecond': step * args.batch / train_s,
        'evalSeconds': eval_init_s + eval_final_s, 'bank': len(bank_x), 'queries': len(query_x),
        'losses': losses, 'params': sum(p.numel() for p in params),
        'peakRssBytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        'variant': {'schedule': args.schedule, 'init': args.init, 'normalize': args.normalize},
    }))


if __name__ == '__main__':
    main()
