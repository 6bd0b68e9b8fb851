/**
 * What the trainer iterates: batches per epoch.
 */
import { ArgumentError, ShapeError, assertTensor, describeValue, type Batch } from '@contrastive/core';

/** Batches of one epoch, sync or async. */
export type BatchIterable = AsyncIterable<Batch> | Iterable<Batch>;

/**
 * A data source: a re-iterable collection of batches (iterated once per epoch), or a function
 * from the 0-based epoch to that epoch's batches (e.g. a freshly shuffled loader). Generator
 * objects can be iterated only once, so they serve a single epoch only.
 */
export type DataSource = BatchIterable | ((epoch: number) => BatchIterable | Promise<BatchIterable>);

function isIterable(v: unknown): v is BatchIterable {
  return (
    typeof v === 'object' &&
    v !== null &&
    (typeof (v as AsyncIterable<Batch>)[Symbol.asyncIterator] === 'function' || typeof (v as Iterable<Batch>)[Symbol.iterator] === 'function')
  );
}

/** True for an iterable whose iterator is itself (a generator object): it yields only once. */
export function isOneShot(source: DataSource): boolean {
  if (typeof source === 'function') return false;
  const asyncIt = (source as Partial<AsyncIterable<Batch>>)[Symbol.asyncIterator];
  if (typeof asyncIt === 'function') return (asyncIt.call(source) as unknown) === source;
  const it = (source as Partial<Iterable<Batch>>)[Symbol.iterator];
  return typeof it === 'function' && (it.call(source) as unknown) === source;
}

/** Checks the source's type. */
export function assertDataSource(where: string, name: string, source: unknown): asserts source is DataSource {
  if (typeof source !== 'function' && !isIterable(source)) {
    throw new ArgumentError(`${where}: argument '${name}' must be an (async) iterable of batches or a function epoch => iterable, received ${describeValue(source)}`, {
      argument: name,
      expected: 'AsyncIterable<Batch> | Iterable<Batch> | (epoch) => iterable',
      received: source,
    });
  }
}

/** The batches of `epoch`. */
export async function epochBatches(source: DataSource, epoch: number): Promise<BatchIterable> {
  const it = typeof source === 'function' ? await source(epoch) : source;
  if (!isIterable(it)) {
    throw new ArgumentError(`train: the data source function returned ${describeValue(it)} for epoch ${epoch}, not an iterable of batches`, {
      argument: 'data',
      expected: 'an (async) iterable of batches',
      received: it,
    });
  }
  return it;
}

/** Checks one batch: images `[B, ...]` with B >= 1, labels `[B]` and indices of length B if present. */
export function assertBatch(where: string, batch: unknown): asserts batch is Batch {
  if (typeof batch !== 'object' || batch === null) {
    throw new ArgumentError(`${where}: each batch must be an object { images, labels?, indices? }, received ${describeValue(batch)}`, {
      argument: 'batch',
      received: batch,
    });
  }
  const b = batch as Batch;
  assertTensor(where, 'batch.images', b.images);
  const n = b.images.shape[0] ?? 0;
  if (b.images.rank < 2 || n < 1) {
    throw new ShapeError(`${where}: argument 'batch.images' must be [B, ...] with B >= 1, received shape [${b.images.shape.join(',')}]`, {
      argument: 'batch.images',
      expected: '[B, ...] with B >= 1',
      received: b.images,
    });
  }
  if (b.labels !== undefined) {
    assertTensor(where, 'batch.labels', b.labels, 1);
    if (b.labels.shape[0] !== n) {
      throw new ShapeError(`${where}: argument 'batch.labels' must have ${n} entries, received shape [${b.labels.shape.join(',')}]`, {
        argument: 'batch.labels',
        expected: `[${n}]`,
        received: b.labels,
      });
    }
  }
  if (b.indices !== undefined && (!(b.indices instanceof Int32Array) || b.indices.length !== n)) {
    throw new ArgumentError(`${where}: argument 'batch.indices' must be an Int32Array of ${n} entries, received ${describeValue(b.indices)}`, {
      argument: 'batch.indices',
      expected: `Int32Array(${n})`,
      received: b.indices,
    });
  }
}
