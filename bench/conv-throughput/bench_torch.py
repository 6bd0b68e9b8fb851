#!/usr/bin/env python3
"""PyTorch side of bench/conv-throughput/bench.ts: forward convolution, weight gradient and input
gradient of the CIFAR ResNet-18 layer shapes, timed one by one.

Reads a JSON list of shapes ({"n", "hw", "ci", "co", "k", "s"}; NHWC in the TypeScript bench,
NCHW here) from argv[1]; prints one JSON line: per shape the best-of-R times in ms of the forward
convolution, torch.nn.grad.conv2d_weight and torch.nn.grad.conv2d_input (the kernels that
autograd's convolution_backward runs), plus torch's thread count.

usage: bench_torch.py SHAPES_JSON --threads T --repeats R
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F
from torch.nn.grad import conv2d_input, conv2d_weight


def best(fn, repeats):
    fn()
    t = float('inf')
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - t0)
    return t * 1e3


def main():
    p = argparse.ArgumentParser()
    p.add_argument('shapes')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--repeats', type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    out = []
    with torch.no_grad():
        for s in json.loads(a.shapes):
            pad = s['k'] // 2
            oh = (s['hw'] + 2 * pad - s['k']) // s['s'] + 1
            x = torch.randn(s['n'], s['ci'], s['hw'], s['hw'])
            w = torch.randn(s['co'], s['ci'], s['k'], s['k'])
            dy = torch.randn(s['n'], s['co'], oh, oh)
            out.append({
                'forward': best(lambda: F.conv2d(x, w, stride=s['s'], padding=pad), a.repeats),
                'filter': best(lambda: conv2d_weight(x, w.shape, dy, stride=s['s'], padding=pad), a.repeats),
                'input': best(lambda: conv2d_input(x.shape, w, dy, stride=s['s'], padding=pad), a.repeats),
            })
    print(json.dumps({'threads': torch.get_num_threads(), 'results': out}))


if __name__ == '__main__':
    main()
