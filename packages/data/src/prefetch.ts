/**
 * A bounded prefetch: an async iterator that prepares up to `size` items ahead of its
 * consumer, and disposes the prepared items nobody will read when the consumer stops early.
 *
 * Items are produced one at a time, in order, each in its own macrotask (`setImmediate`), so
 * production interleaves with whatever the consumer awaits (file reads, `await t.data()`, an
 * asynchronous GPU engine). JavaScript is single-threaded: with a synchronous engine (tfjs
 * `cpu`) and a consumer that never awaits, prefetching reorders work but cannot overlap it.
 */

import { ArgumentError, assertInteger, assertOptionsObject, describeValue } from '@contrastive/core';

/**
 * Runs `f` in a new macrotask: `setImmediate` in Node.js; browsers and web workers have none,
 * so there a `MessageChannel` message (not clamped like nested `setTimeout(0)`).
 */
const nextMacrotask: (f: () => void) => void =
  typeof globalThis.setImmediate === 'function'
    ? (f) => void globalThis.setImmediate(f)
    : typeof MessageChannel === 'function'
      ? (f) => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => {
            channel.port1.close();
            f();
          };
          channel.port2.postMessage(null);
        }
      : (f) => void setTimeout(f, 0);

/** Options of {@link prefetch}. */
export interface PrefetchOptions<T> {
  /** Items prepared ahead of the consumer, at most (>= 0; 0 = produce on demand). */
  readonly size: number;
  /**
   * Frees an item that was prepared but will never be delivered (called from `return()`,
   * e.g. after `break` in a `for await` loop). Items already delivered belong to the consumer.
   */
  readonly dispose?: (item: T) => void;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

class Prefetcher<T> implements AsyncIterableIterator<T> {
  readonly #source: Iterator<T> | AsyncIterator<T>;
  readonly #size: number;
  readonly #dispose: ((item: T) => void) | undefined;
  /** Requests issued ahead of the consumer, in order. */
  readonly #queue: Array<Promise<IteratorResult<T, undefined>>> = [];
  /** Serialises pulls: the source is never re-entered. */
  #chain: Promise<unknown> = Promise.resolve();
  #sourceDone = false;
  #closed = false;

  constructor(source: Iterator<T> | AsyncIterator<T>, size: number, dispose: ((item: T) => void) | undefined) {
    this.#source = source;
    this.#size = size;
    this.#dispose = dispose;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #pull(): Promise<IteratorResult<T, undefined>> {
    const result = this.#chain.then(
      () =>
        new Promise<IteratorResult<T, undefined>>((resolve, reject) => {
          nextMacrotask(() => {
            if (this.#closed || this.#sourceDone) {
              resolve(DONE);
              return;
            }
            Promise.resolve()
              .then(() => this.#source.next())
              .then(
                (r) => {
                  if (r.done === true) {
                    this.#sourceDone = true;
                    resolve(DONE);
                  } else if (this.#closed) {
                    // Produced after the consumer left: nobody will read it.
                    this.#dispose?.(r.value);
                    resolve(DONE);
                  } else {
                    resolve({ done: false, value: r.value });
                  }
                },
                (error: unknown) => {
                  this.#sourceDone = true;
                  reject(error);
                },
              );
          });
        }),
    );
    this.#chain = result.catch(() => undefined);
    return result;
  }

  #fill(): void {
    while (!this.#closed && !this.#sourceDone && this.#queue.length < this.#size) this.#queue.push(this.#pull());
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    if (this.#closed) return DONE;
    const head = this.#queue.shift() ?? this.#pull();
    this.#fill();
    const r = await head;
    if (r.done === true) this.#closed = true;
    return r;
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    if (this.#closed && this.#queue.length === 0) return DONE;
    this.#closed = true;
    const pending = this.#queue.splice(0);
    for (const p of pending) {
      const r = await p.catch(() => DONE);
      if (r.done !== true) this.#dispose?.(r.value);
    }
    await this.#chain;
    await this.#source.return?.();
    return DONE;
  }
}

/**
 * Wraps an iterable so that up to `size` items are prepared ahead of the consumer.
 * Calling `return()` (what `break` in `for await` does) disposes every prepared item that
 * was not delivered and closes the source.
 *
 * @example
 * ```ts
 * for await (const batch of prefetch(makeBatches(), { size: 2, dispose: disposeBatch })) {
 *   train(batch); disposeBatch(batch);
 *   if (done) break; // the up-to-2 batches prepared ahead are disposed
 * }
 * ```
 */
export function prefetch<T>(source: Iterable<T> | AsyncIterable<T>, options: PrefetchOptions<T>): AsyncIterableIterator<T> {
  const where = 'prefetch';
  const isAsync = typeof (source as AsyncIterable<T> | null)?.[Symbol.asyncIterator] === 'function';
  const isSync = typeof (source as Iterable<T> | null)?.[Symbol.iterator] === 'function';
  if (!isAsync && !isSync) {
    throw new ArgumentError(`${where}: argument 'source' must be an iterable or async iterable, received ${describeValue(source)}`, {
      argument: 'source', expected: 'an iterable', received: source,
    });
  }
  assertOptionsObject(where, 'options', options);
  assertInteger(where, 'options.size', options?.size, 0);
  if (options.dispose !== undefined && typeof options.dispose !== 'function') {
    throw new ArgumentError(`${where}: argument 'options.dispose' must be a function, received ${describeValue(options.dispose)}`, {
      argument: 'options.dispose', expected: 'a function', received: options.dispose,
    });
  }
  const iterator = isAsync ? (source as AsyncIterable<T>)[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
  return new Prefetcher(iterator, options.size, options.dispose);
}
