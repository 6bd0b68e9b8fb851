#!/usr/bin/env python3
"""Compares the distribution of this project's SimCLR views with torchvision's (PIL) on the same images.

Reads the views that fidelity.ts wrote (`views.bin`: `steps` batches of 2 x `batch` views of the
first `steps * batch` CIFAR-10 train images, drawn by @contrastive/augment's simclr recipe at
strength 0.5, no blur) and draws the same number of views of the same images `--reps` times with
torchvision's RandomResizedCrop(32, (0.08, 1)), RandomHorizontalFlip, RandomApply(ColorJitter(0.4,
0.4, 0.4, 0.1), 0.8), RandomGrayscale(0.2), ToTensor. Prints summary statistics of both (pixel mean
and std, mean per-image std, share of grayscale views, mean saturation max-min, shares of pixels
clipped at 0 and 1, mean |view1 - view2|, mean |view1 - original|, mean horizontal gradient), and
torchvision's mean and standard deviation over the repetitions.

usage: augment_stats.py [--dir /tmp/tta-fidelity] [--data-dir ../shared/data] [--reps 8]
"""
import argparse
import json
import os

import numpy as np
import torch
from PIL import Image
from torchvision import transforms


def stats(x, orig):
    """x: [2, N, 32, 32, 3] views in [0, 1]."""
    f = x.reshape(-1, 32, 32, 3)
    return {
        'mean': f.mean(), 'std': f.std(), 'image std': f.reshape(len(f), -1).std(1).mean(),
        'grayscale': np.mean(np.abs(f[..., 0] - f[..., 1]).max(axis=(1, 2)) < 1e-3),
        'saturation': (f.max(-1) - f.min(-1)).mean(), 'at 0': (f <= 1e-6).mean(), 'at 1': (f >= 1 - 1e-6).mean(),
        '|v1-v2|': np.abs(x[0] - x[1]).mean(), '|v1-orig|': np.abs(x[0] - orig).mean(),
        'h-gradient': np.abs(np.diff(f, axis=2)).mean(),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dir', default='/tmp/tta-fidelity')
    ap.add_argument('--data-dir', default=os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared', 'data'))
    ap.add_argument('--reps', type=int, default=8)
    args = ap.parse_args()
    torch.manual_seed(0)
    meta = json.load(open(os.path.join(args.dir, 'meta.json')))
    steps, n = meta['steps'], meta['batch']
    ours = np.fromfile(os.path.join(args.dir, 'views.bin'), np.float32).reshape(steps, 2, n, 32, 32, 3)
    ours = ours.transpose(1, 0, 2, 3, 4, 5).reshape(2, steps * n, 32, 32, 3)
    a = np.fromfile(os.path.join(args.data_dir, 'cifar10', 'train.bin'), np.uint8).reshape(-1, 3073)[:steps * n]
    orig = a[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1) / 255.0
    images = [Image.fromarray(np.ascontiguousarray(im)) for im in a[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)]
    view = transforms.Compose([
        transforms.RandomResizedCrop(32, scale=(0.08, 1.0)), transforms.RandomHorizontalFlip(),
        transforms.RandomApply([transforms.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8), transforms.RandomGrayscale(p=0.2),
        transforms.ToTensor(),
    ])
    reps = [stats(np.stack([np.stack([view(im).permute(1, 2, 0).numpy() for im in images]) for _ in range(2)]), orig) for _ in range(args.reps)]
    mine = stats(ours, orig)
    print(f'{len(images)} images, 2 views each; torchvision: mean +- sd over {args.reps} draws')
    print('| statistic | contrastive | torchvision | (contrastive - torchvision) / sd |')
    print('| --- | --- | --- | --- |')
    for k in mine:
        m, s = np.mean([r[k] for r in reps]), np.std([r[k] for r in reps])
        print(f'| {k} | {mine[k]:.4f} | {m:.4f} +- {s:.4f} | {(mine[k] - m) / max(s, 1e-12):+.1f} |')


if __name__ == '__main__':
    main()
