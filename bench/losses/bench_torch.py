#!/usr/bin/env python3
"""PyTorch reference for bench/losses/bench.ts: forward + backward time of the same losses
(float32, CPU, torch.set_num_threads(2)), written from the papers' equations like
shared/fixtures/losses_reference.py. Prints one JSON line per (loss, N): {"loss", "n", "ms"}.
Benchmark only; never a test dependency."""
import argparse, json, statistics, sys, time
import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--sizes', default='256,1024,4096'); p.add_argument('--dim', type=int, default=128)
p.add_argument('--reps', type=int, default=3); p.add_argument('--losses', default='ntXent,supCon,infoNce')
p.add_argument('--queue', type=int, default=4096); p.add_argument('--classes', type=int, default=10)
p.add_argument('--temperature', type=float, default=0.1)
a = p.parse_args()
torch.set_num_threads(2)
tau = a.temperature
blas = next((part.split('=', 1)[1] for part in torch.__config__.show().replace(',', ' ').split() if part.startswith('BLAS_INFO=')), 'unknown')
print(f'PyTorch {torch.__version__}, {torch.get_num_threads()} threads, BLAS_INFO={blas}', file=sys.stderr, flush=True)


def nt_xent(z1, z2):
    z = F.normalize(torch.cat([z1, z2], 0), dim=1)
    n = z1.shape[0]
    s = (z @ z.T / tau).masked_fill(torch.eye(2 * n, dtype=torch.bool), float('-inf'))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(s, target)


def sup_con(z1, z2, labels):  # L_out, 2 views
    z = F.normalize(torch.cat([z1, z2], 0), dim=1)
    lab = labels.repeat(2)
    m = z.shape[0]
    self_mask = torch.eye(m, dtype=torch.bool)
    s = (z @ z.T / tau).masked_fill(self_mask, float('-inf'))
    log_p = s - torch.logsumexp(s, dim=1, keepdim=True)
    pos = (lab[:, None] == lab[None, :]) & ~self_mask
    npos = pos.sum(1)
    per = -(log_p.masked_fill(~pos, 0.0).sum(1)) / npos.clamp(min=1)
    return per[npos > 0].mean()


def info_nce(q, k, queue):
    q = F.normalize(q, dim=1); k = F.normalize(k, dim=1); queue = F.normalize(queue, dim=1)
    logits = torch.cat([(q * k).sum(1, keepdim=True), q @ queue.T], 1) / tau
    return F.cross_entropy(logits, torch.zeros(q.shape[0], dtype=torch.long))


def workload(loss, n):
    g = torch.Generator().manual_seed(n)
    r = lambda rows: torch.randn(rows, a.dim, generator=g)
    if loss == 'ntXent':
        xs = [r(n).requires_grad_(), r(n).requires_grad_()]
        return xs, lambda: nt_xent(*xs)
    if loss == 'supCon':
        xs = [r(n).requires_grad_(), r(n).requires_grad_()]
        labels = torch.tensor([(i * 7919) % a.classes for i in range(n)])
        return xs, lambda: sup_con(xs[0], xs[1], labels)
    q, k, queue = r(n).requires_grad_(), r(n), r(a.queue)
    return [q], lambda: info_nce(q, k, queue)


def time_once(xs, f):
    for x in xs: x.grad = None
    t = time.perf_counter()
    f().backward()
    return (time.perf_counter() - t) * 1000


sizes = [int(s) for s in a.sizes.split(',')]
for loss in a.losses.split(','):
    xs, f = workload(loss, min(sizes)); time_once(xs, f)  # warm-up
    for n in sizes:
        xs, f = workload(loss, n)
        times = [time_once(xs, f) for _ in range(1 if n >= 4096 else a.reps)]
        print(json.dumps({'loss': loss, 'n': n, 'ms': statistics.median(times)}), flush=True)
