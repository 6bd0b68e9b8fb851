/**
 * Naive, loop-based reference optimizers on plain JS arrays (float64), one variable at a time,
 * written from the papers / reference code independently of the tfjs implementations.
 */

export interface RefSlots {
  [slot: string]: number[];
}

export interface RefVariable {
  readonly name: string;
  readonly shape: number[];
  values: number[];
  slots: RefSlots;
}

const norm = (v: readonly number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

/** PyTorch SGD (dampening 0) with L2 or decoupled weight decay. */
export function refSgdStep(
  v: RefVariable,
  grad: readonly number[],
  lr: number,
  o: { momentum: number; nesterov: boolean; weightDecay: number; mode: 'l2' | 'decoupled'; excluded: boolean },
): void {
  const wd = o.excluded ? 0 : o.weightDecay;
  const next: number[] = [];
  const buf: number[] = [];
  for (let i = 0; i < v.values.length; i++) {
    const w = v.values[i] as number;
    let g = grad[i] as number;
    if (o.mode === 'l2') g += wd * w;
    let d = g;
    if (o.momentum > 0) {
      const b = o.momentum * (v.slots['momentum']?.[i] as number) + g;
      buf.push(b);
      d = o.nesterov ? g + o.momentum * b : b;
    }
    let wNew = w;
    if (o.mode === 'decoupled') wNew = wNew * (1 - lr * wd);
    next.push(wNew - lr * d);
  }
  v.values = next;
  if (o.momentum > 0) v.slots['momentum'] = buf;
}

/** LARS as in SimCLR's lars_optimizer.py (classic momentum). */
export function refLarsStep(
  v: RefVariable,
  grad: readonly number[],
  lr: number,
  o: { momentum: number; weightDecay: number; eta: number; nesterov: boolean; excludeDecay: boolean; excludeAdapt: boolean },
): void {
  const g = grad.map((x, i) => (o.excludeDecay ? x : x + o.weightDecay * (v.values[i] as number)));
  let trust = 1;
  if (!o.excludeAdapt) {
    const wn = norm(v.values);
    const gn = norm(g);
    trust = wn > 0 && gn > 0 ? (o.eta * wn) / gn : 1;
  }
  const scaled = lr * trust;
  const mom = v.slots['momentum'] as number[];
  const nextV = g.map((x, i) => o.momentum * (mom[i] as number) + scaled * x);
  const update = o.nesterov ? nextV.map((x, i) => o.momentum * x + scaled * (g[i] as number)) : nextV;
  v.values = v.values.map((w, i) => w - (update[i] as number));
  v.slots['momentum'] = nextV;
}

/** PyTorch AdamW, step t (1-based). */
export function refAdamWStep(
  v: RefVariable,
  grad: readonly number[],
  lr: number,
  t: number,
  o: { beta1: number; beta2: number; epsilon: number; weightDecay: number; excluded: boolean },
): void {
  const m = v.slots['m'] as number[];
  const s = v.slots['v'] as number[];
  const nm: number[] = [];
  const nv: number[] = [];
  const next: number[] = [];
  for (let i = 0; i < v.values.length; i++) {
    const g = grad[i] as number;
    let w = v.values[i] as number;
    if (!o.excluded) w *= 1 - lr * o.weightDecay;
    const mi = o.beta1 * (m[i] as number) + (1 - o.beta1) * g;
    const vi = o.beta2 * (s[i] as number) + (1 - o.beta2) * g * g;
    const mHat = mi / (1 - o.beta1 ** t);
    const vHat = vi / (1 - o.beta2 ** t);
    next.push(w - (lr * mHat) / (Math.sqrt(vHat) + o.epsilon));
    nm.push(mi);
    nv.push(vi);
  }
  v.values = next;
  v.slots['m'] = nm;
  v.slots['v'] = nv;
}
