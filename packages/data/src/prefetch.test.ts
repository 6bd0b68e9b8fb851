import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { prefetch } from './prefetch.js';

/** Lets every pending macrotask (setImmediate) run. */
const settle = async (rounds = 20): Promise<void> => {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
};

/** A source that counts how many items it has produced. */
function counting(n: number): { source: Iterable<number>; produced: () => number; closed: () => boolean } {
  let produced = 0;
  let closed = false;
  function* gen(): Generator<number> {
    try {
      for (let i = 0; i < n; i++) {
        produced++;
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  return { source: gen(), produced: () => produced, closed: () => closed };
}

describe('prefetch', () => {
  it('delivers the source in order, for sync and async sources (law)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer(), { maxLength: 20 }), fc.nat(5), fc.boolean(), async (items, size, useAsync) => {
        async function* asyncGen(): AsyncGenerator<number> {
          for (const x of items) yield x;
        }
        const got: number[] = [];
        for await (const x of prefetch(useAsync ? asyncGen() : items, { size })) got.push(x);
        expect(got).toEqual(items);
      }),
      { numRuns: 30 },
    );
  });

  it('prepares at most `size` items ahead, and does prepare them (law)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.nat(6), fc.nat(30), async (n, size, consumeRaw) => {
        const consume = Math.min(consumeRaw, n);
        const { source, produced } = counting(n);
        const it = prefetch(source, { size });
        for (let i = 0; i < consume; i++) expect((await it.next()).value).toBe(i);
        await settle();
        expect(produced()).toBe(consume === 0 ? 0 : Math.min(n, consume + size));
        await it.return!();
      }),
      { numRuns: 30 },
    );
  });

  it('return() disposes every prepared, undelivered item exactly once and closes the source', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 5 }), fc.nat(20), async (n, size, stopRaw) => {
        const stopAfter = Math.min(stopRaw, n - 1) + 1; // consume at least one item
        const { source, produced, closed } = counting(n);
        const disposed: number[] = [];
        const delivered: number[] = [];
        for await (const x of prefetch(source, { size, dispose: (v) => disposed.push(v) })) {
          delivered.push(x);
          if (delivered.length === stopAfter) {
            await settle(); // let the prefetch run ahead before breaking
            break;
          }
        }
        await settle();
        expect(closed()).toBe(true);
        // produced = delivered + disposed, no overlap, no double dispose
        expect(delivered.length + disposed.length).toBe(produced());
        expect([...delivered, ...disposed]).toEqual(Array.from({ length: produced() }, (_, i) => i));
      }),
      { numRuns: 30 },
    );
  });

  it('propagates a source error to the consumer and then ends', async () => {
    function* failing(): Generator<number> {
      yield 1;
      throw new Error('boom at item 2');
    }
    const it = prefetch(failing(), { size: 3 });
    expect(await it.next()).toEqual({ done: false, value: 1 });
    await expect(it.next()).rejects.toThrow('boom at item 2');
    expect((await it.next()).done).toBe(true);
  });

  it('rejects bad arguments by name', () => {
    expect(() => prefetch(42 as unknown as number[], { size: 1 })).toThrow(/source/);
    expect(() => prefetch([1], { size: -1 })).toThrow(/options\.size/);
    expect(() => prefetch([1], { size: 1, dispose: 'x' as unknown as () => void })).toThrow(/options\.dispose/);
  });
});

describe('prefetch without setImmediate (browsers, web workers)', () => {
  it('produces every item in order through MessageChannel', async () => {
    const saved = globalThis.setImmediate;
    vi.resetModules();
    // @ts-expect-error -- a browser has no setImmediate
    globalThis.setImmediate = undefined;
    try {
      const { prefetch: browserPrefetch } = await import('./prefetch.js');
      const out: number[] = [];
      for await (const x of browserPrefetch([1, 2, 3, 4], { size: 2 })) out.push(x);
      expect(out).toEqual([1, 2, 3, 4]);
    } finally {
      globalThis.setImmediate = saved;
      vi.resetModules();
    }
  });
});
