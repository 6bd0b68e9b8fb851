/**
 * Checkpoints: weights, optimizer slots, strategy state, rng state and the position in the
 * run, written atomically and verified on load.
 *
 * A checkpoint is four files in a {@link CheckpointStore} (a directory in Node.js, IndexedDB or
 * memory anywhere), under the name `step-NNNNNNNNN`, with a `latest` pointer beside them:
 * ```
 *   manifest.json         format, step, epoch, fingerprint, rng, metas, tensor table, sha256 per file
 *   weights.bin           raw little-endian tensor bytes, one file per group
 *   optimizer.bin
 *   strategy.bin
 * ```
 * The store writes a checkpoint all or nothing (the directory store: temporary directory, fsync,
 * rename). Loading checks the manifest's own checksum, every file's size and sha256, and the
 * tensor table, and throws {@link CheckpointError} on any mismatch. A path string stands for the
 * directory store (`fileCheckpointStore`, loaded from `@contrastive/train/node` on first use).
 *
 * Format version 2 keys weights (and, through the trainer, optimizer slots) by parameter path
 * (`'encoder.layer1.0.conv1.kernel'`, see `Strategy.stateDict`), which depends only on the
 * architecture. Version 1 keyed them by tfjs variable name, which carries a per-process
 * instance counter; reading one throws a {@link CheckpointError} that says so.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  CheckpointError,
  NonFiniteError,
  assertInteger,
  describeValue,
  type RngState,
  type SerializedState,
} from '@contrastive/core';
import { assertCheckpointTarget, type CheckpointStore } from './checkpoint-store.js';
import { canonicalJson } from './fingerprint.js';
import { loadTrainNode } from './node-entry.js';
import { sha256Hex as sha256 } from './sha256.js';

/** The `format` field of every manifest. */
export const CHECKPOINT_FORMAT = 'contrastive-checkpoint' as const;
/** The manifest version this code writes and reads (2: tensors keyed by parameter path). */
export const CHECKPOINT_VERSION = 2;

const GROUPS = ['weights', 'optimizer', 'strategy'] as const;
/** A tensor group: one binary file each. */
export type CheckpointGroup = (typeof GROUPS)[number];
const DTYPES = ['float32', 'int32', 'bool'] as const;
type StoredDtype = (typeof DTYPES)[number];
const BYTES_PER_ELEMENT: Record<StoredDtype, number> = { float32: 4, int32: 4, bool: 1 };
const NAME_PATTERN = /^step-\d{9,}$/;

/** What a checkpoint holds. */
export interface CheckpointContents {
  /** Steps (batches) done. */
  readonly step: number;
  /** 0-based epoch in progress. */
  readonly epoch: number;
  /** The run's config fingerprint (see `configFingerprint`). */
  readonly fingerprint: string;
  /** The trainer's rng state after `step` steps. */
  readonly rng: RngState;
  /** Every variable to save (trainable and not), by parameter path. Must all be finite. */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  /** Optimizer state (`Optimizer.serialize`). Float tensors must be finite. */
  readonly optimizer: SerializedState;
  /** Strategy state (`Strategy.serializeState`). Float tensors must be finite. */
  readonly strategy: SerializedState;
  /** Other JSON data (e.g. the trainer's epoch counters). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** One tensor in a group's binary file. */
export interface CheckpointTensorEntry {
  readonly name: string;
  readonly dtype: StoredDtype;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly bytes: number;
}

/** The manifest.json of a checkpoint. */
export interface CheckpointManifest {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: number;
  readonly step: number;
  readonly epoch: number;
  readonly fingerprint: string;
  readonly rng: RngState;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly optimizerMeta: Readonly<Record<string, unknown>>;
  readonly strategyMeta: Readonly<Record<string, unknown>>;
  readonly files: Readonly<Record<string, { readonly bytes: number; readonly sha256: string }>>;
  readonly tensors: Readonly<Record<CheckpointGroup, readonly CheckpointTensorEntry[]>>;
  /** sha256 of the canonical JSON of every other field. */
  readonly manifestSha256: string;
}

/** A verified checkpoint read into memory; the caller disposes its tensors with `dispose()`. */
export interface LoadedCheckpoint {
  readonly path: string;
  readonly manifest: CheckpointManifest;
  readonly weights: Readonly<Record<string, tf.Tensor>>;
  readonly optimizer: SerializedState;
  readonly strategy: SerializedState;
  dispose(): void;
}

/** Options of {@link saveCheckpoint}. */
export interface SaveCheckpointOptions {
  /** Keep this many newest checkpoints in the root, the new one included (0 = keep all). Default 3. */
  readonly keep?: number;
}

/** A store and, when a specific checkpoint was named, its name (null: follow `latest`). */
interface OpenTarget {
  readonly store: CheckpointStore;
  readonly name: string | null;
}

const ALTERNATIVE = 'a CheckpointStore (memoryCheckpointStore() or indexedDbCheckpointStore(name))';

/** A path string opens the directory store (Node.js only); a store is used as it is. */
async function openTarget(where: string, argument: string, target: string | CheckpointStore, asRoot: boolean): Promise<OpenTarget> {
  assertCheckpointTarget(where, argument, target);
  if (typeof target !== 'string') return { store: target, name: null };
  const node = await loadTrainNode(where, argument, ALTERNATIVE);
  return asRoot ? { store: node.fileCheckpointStore(target), name: null } : node.openCheckpointPath(target);
}


/** The directory name of the checkpoint at `step`. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(9, '0')}`;
}

function fail(message: string, details: { argument?: string; expected?: string; received?: unknown; cause?: unknown } = {}): never {
  throw new CheckpointError(message, details);
}

interface EncodedGroup {
  readonly entries: CheckpointTensorEntry[];
  readonly bytes: Uint8Array;
}

async function encodeGroup(group: CheckpointGroup, tensors: ReadonlyArray<readonly [string, tf.Tensor]>): Promise<EncodedGroup> {
  const entries: CheckpointTensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const [name, t] of tensors) {
    if (seen.has(name)) {
      throw new ArgumentError(`saveCheckpoint: ${group} tensor name '${name}' appears twice`, { argument: group, expected: 'unique names', received: name });
    }
    seen.add(name);
    if (!(DTYPES as readonly string[]).includes(t.dtype)) {
      throw new ArgumentError(`saveCheckpoint: ${group} tensor '${name}' has dtype ${t.dtype}; checkpoints hold ${DTYPES.join(', ')}`, {
        argument: `${group}.${name}`,
        expected: DTYPES.join(' | '),
        received: t,
      });
    }
    const data = (await t.data()) as Float32Array | Int32Array | Uint8Array;
    if (t.dtype === 'float32') {
      for (let i = 0; i < data.length; i++) {
        const v = data[i] as number;
        if (!Number.isFinite(v)) {
          throw new NonFiniteError(
            `saveCheckpoint: ${group} tensor '${name}' holds ${Number.isNaN(v) ? 'NaN' : v} at flat index ${i}; a checkpoint never stores non-finite values, nothing was written`,
            { argument: `${group}.${name}`, expected: 'finite values', received: t },
          );
        }
      }
    }
    const buf = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    entries.push({ name, dtype: t.dtype as StoredDtype, shape: [...t.shape], offset, bytes: buf.byteLength });
    chunks.push(buf);
    offset += buf.byteLength;
  }
  return { entries, bytes: new Uint8Array(tf.io.CompositeArrayBuffer.join(chunks.map((c) => c.slice().buffer))) };
}

/**
 * Writes a checkpoint for `contents.step` into `target` (a {@link CheckpointStore}, or in Node.js a
 * directory path) atomically and points its `latest` at it; prunes older checkpoints beyond
 * `keep`. Refuses (NonFiniteError, nothing written) if any float tensor is NaN or infinite.
 * Returns where the checkpoint is (its directory, for a path).
 *
 * @example
 * ```ts
 * const path = await saveCheckpoint('runs/simclr/ckpt', { step, epoch, fingerprint, rng: rng.state(),
 *   variables, optimizer: opt.serialize(optState), strategy: strategy.serializeState(state) });
 * ```
 */
export async function saveCheckpoint(target: string | CheckpointStore, contents: CheckpointContents, options: SaveCheckpointOptions = {}): Promise<string> {
  const where = 'saveCheckpoint';
  assertCheckpointTarget(where, 'target', target);
  assertInteger(where, 'contents.step', contents.step, 0);
  assertInteger(where, 'contents.epoch', contents.epoch, 0);
  const keep = options.keep ?? 3;
  assertInteger(where, 'options.keep', keep, 0);
  if (typeof contents.fingerprint !== 'string') {
    throw new ArgumentError(`${where}: argument 'contents.fingerprint' must be a string, received ${describeValue(contents.fingerprint)}`, {
      argument: 'contents.fingerprint',
      received: contents.fingerprint,
    });
  }

  // Encode (and check for non-finite values) before touching the disk.
  const encoded: Record<CheckpointGroup, EncodedGroup> = {
    weights: await encodeGroup('weights', [...contents.variables]),
    optimizer: await encodeGroup('optimizer', Object.entries(contents.optimizer.tensors)),
    strategy: await encodeGroup('strategy', Object.entries(contents.strategy.tensors)),
  };
  const files: Record<string, { bytes: number; sha256: string }> = {};
  for (const g of GROUPS) files[`${g}.bin`] = { bytes: encoded[g].bytes.byteLength, sha256: sha256(encoded[g].bytes) };
  const body = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    step: contents.step,
    epoch: contents.epoch,
    fingerprint: contents.fingerprint,
    rng: contents.rng,
    meta: contents.meta ?? {},
    optimizerMeta: contents.optimizer.meta,
    strategyMeta: contents.strategy.meta,
    files,
    tensors: { weights: encoded.weights.entries, optimizer: encoded.optimizer.entries, strategy: encoded.strategy.entries },
  };
  const manifest: CheckpointManifest = { ...body, manifestSha256: sha256(canonicalJson(body, 'manifest')) };

  const { store } = await openTarget(where, 'target', target, true);
  const name = checkpointName(contents.step);
  const written = new Map<string, Uint8Array>(GROUPS.map((g) => [`${g}.bin`, encoded[g].bytes]));
  written.set('manifest.json', new TextEncoder().encode(`${JSON.stringify(manifest, null, 1)}\n`));
  const location = await store.write(name, written);
  if (keep > 0) {
    const others = (await store.list()).filter((n) => NAME_PATTERN.test(n) && n !== name).sort();
    for (const n of others.slice(0, Math.max(0, others.length - (keep - 1)))) await store.remove(n);
  }
  return location;
}

/** The name `store`'s `latest` points to, checked; null when there is none. */
async function latestName(where: string, store: CheckpointStore): Promise<string | null> {
  const name = await store.readLatest();
  if (name === null) return null;
  const pointer = store.locate('latest');
  if (!NAME_PATTERN.test(name)) fail(`${where}: ${pointer} must name a checkpoint (step-NNNNNNNNN), found ${JSON.stringify(name)}`);
  if ((await store.readFile(name, 'manifest.json')) === null) fail(`${where}: ${pointer} points to ${store.locate(name)}, which holds no manifest.json`);
  return name;
}

/**
 * Where the checkpoint `latest` points to in `target` (a {@link CheckpointStore} or, in Node.js,
 * a root directory), or `null` when there is none.
 */
export async function latestCheckpoint(target: string | CheckpointStore): Promise<string | null> {
  const { store } = await openTarget('latestCheckpoint', 'target', target, true);
  const name = await latestName('latestCheckpoint', store);
  return name === null ? null : store.locate(name);
}

/** The store and checkpoint name `target` (and `name`) designate; CheckpointError when there is none. */
async function resolveTarget(where: string, target: string | CheckpointStore, name?: string): Promise<{ store: CheckpointStore; name: string }> {
  const opened = await openTarget(where, 'target', target, name !== undefined);
  if (name !== undefined) {
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      throw new ArgumentError(`${where}: argument 'name' must be a checkpoint name (step-NNNNNNNNN), received ${describeValue(name)}`, { argument: 'name', received: name });
    }
    return { store: opened.store, name };
  }
  if (opened.name !== null) return { store: opened.store, name: opened.name };
  const latest = await latestName(where, opened.store);
  if (latest === null) fail(`${where}: no checkpoint at ${opened.store.location} (neither a manifest.json nor a 'latest' pointer)`, { argument: 'target', received: target });
  return { store: opened.store, name: latest };
}

/**
 * Where the checkpoint `target` designates is: for a path, `path` itself if it holds a manifest,
 * else the checkpoint its `latest` file names; for a store, its latest checkpoint.
 */
export async function resolveCheckpoint(target: string | CheckpointStore): Promise<string> {
  const { store, name } = await resolveTarget('resolveCheckpoint', target);
  return store.locate(name);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkManifest(path: string, raw: unknown): CheckpointManifest {
  const bad = (what: string, received: unknown): never =>
    fail(`readCheckpoint: ${path}/manifest.json ${what}, received ${describeValue(received)}`, { argument: 'manifest', expected: what, received });
  if (!isRecord(raw)) return bad('must be a JSON object', raw);
  if (raw['format'] !== CHECKPOINT_FORMAT) bad(`must have format "${CHECKPOINT_FORMAT}"`, raw['format']);
  if (raw['version'] === 1) {
    fail(
      `readCheckpoint: ${path} is in checkpoint format version 1, which keys weights and optimizer slots by tfjs variable names; those carry a per-process instance counter, so they match only a process that built the same modules in the same order. This build reads format version ${CHECKPOINT_VERSION}, keyed by parameter path (e.g. 'encoder.layer1.0.conv1.kernel'); a version 1 checkpoint cannot be resumed: start the run again`,
      { argument: 'manifest.version', expected: `version ${CHECKPOINT_VERSION} (parameter paths)`, received: 1 },
    );
  }
  if (raw['version'] !== CHECKPOINT_VERSION) bad(`must have version ${CHECKPOINT_VERSION}`, raw['version']);
  const { manifestSha256, ...body } = raw;
  if (typeof manifestSha256 !== 'string' || manifestSha256 !== sha256(canonicalJson(body, 'manifest'))) {
    bad('is corrupt: its manifestSha256 does not match its content', manifestSha256);
  }
  for (const k of ['step', 'epoch'] as const) {
    const v = raw[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) bad(`must have ${k}, an integer >= 0`, v);
  }
  if (typeof raw['fingerprint'] !== 'string') bad('must have a fingerprint string', raw['fingerprint']);
  for (const k of ['rng', 'meta', 'optimizerMeta', 'strategyMeta', 'files', 'tensors'] as const) if (!isRecord(raw[k])) bad(`must have an object '${k}'`, raw[k]);
  const files = raw['files'] as Record<string, unknown>;
  const tensors = raw['tensors'] as Record<string, unknown>;
  for (const g of GROUPS) {
    const f = files[`${g}.bin`];
    if (!isRecord(f) || typeof f['sha256'] !== 'string' || typeof f['bytes'] !== 'number' || !Number.isSafeInteger(f['bytes']) || f['bytes'] < 0) {
      bad(`must describe file ${g}.bin with bytes and sha256`, f);
    }
    const list = tensors[g];
    if (!Array.isArray(list)) bad(`must list the tensors of group '${g}'`, list);
    const names = new Set<string>();
    for (const e of list as unknown[]) {
      const ok =
        isRecord(e) &&
        typeof e['name'] === 'string' &&
        (DTYPES as readonly unknown[]).includes(e['dtype']) &&
        Array.isArray(e['shape']) &&
        (e['shape'] as unknown[]).every((s) => typeof s === 'number' && Number.isSafeInteger(s) && s >= 0) &&
        typeof e['offset'] === 'number' &&
        typeof e['bytes'] === 'number' &&
        Number.isSafeInteger(e['offset']) &&
        (e['offset'] as number) >= 0 &&
        e['bytes'] === (e['shape'] as number[]).reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[e['dtype'] as StoredDtype] &&
        (e['offset'] as number) + (e['bytes'] as number) <= (f as { bytes: number }).bytes;
      if (!ok) bad(`has a bad tensor entry in group '${g}'`, e);
      const name = (e as { name: string }).name;
      if (names.has(name)) bad(`lists tensor '${name}' twice in group '${g}'`, name);
      names.add(name);
    }
  }
  return raw as unknown as CheckpointManifest;
}

function decode(entry: CheckpointTensorEntry, bytes: Uint8Array): tf.Tensor {
  // Copy into an aligned buffer of its own (file reads may hand out unaligned views).
  const own = new Uint8Array(entry.bytes);
  own.set(bytes.subarray(entry.offset, entry.offset + entry.bytes));
  const values = entry.dtype === 'float32' ? new Float32Array(own.buffer) : entry.dtype === 'int32' ? new Int32Array(own.buffer) : own;
  return tf.tensor(values, [...entry.shape], entry.dtype);
}

/**
 * Reads and verifies a checkpoint: `target` is a {@link CheckpointStore} (its latest checkpoint,
 * or the one called `name`) or, in Node.js, a checkpoint directory or a root whose `latest` is
 * followed. Throws {@link CheckpointError} if the manifest is missing, unparsable, of another
 * format or version, or corrupt, or if a file is missing, truncated or fails its sha256.
 * Nothing is assigned to any model here; see {@link restoreVariables}.
 *
 * @example
 * ```ts
 * const loaded = await readCheckpoint(store);
 * restoreVariables(variables, loaded.weights);
 * loaded.dispose();
 * ```
 */
export async function readCheckpoint(target: string | CheckpointStore, name?: string): Promise<LoadedCheckpoint> {
  const where = 'readCheckpoint';
  const { store, name: chosen } = await resolveTarget(where, target, name);
  const dir = store.locate(chosen);
  const readBytes = async (file: string): Promise<Uint8Array> => {
    let bytes: Uint8Array | null;
    try {
      bytes = await store.readFile(chosen, file);
    } catch (e) {
      return fail(`${where}: missing or unreadable file ${dir}/${file}`, { cause: e });
    }
    if (bytes === null) fail(`${where}: missing or unreadable file ${dir}/${file}`);
    return bytes;
  };
  const manifestBytes = await readBytes('manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(manifestBytes));
  } catch (e) {
    return fail(`${where}: ${dir}/manifest.json is not valid JSON (truncated or corrupt)`, { cause: e });
  }
  const manifest = checkManifest(dir, raw);
  const contents = {} as Record<CheckpointGroup, Uint8Array>;
  for (const g of GROUPS) {
    const file = `${dir}/${g}.bin`;
    const expected = manifest.files[`${g}.bin`] as { bytes: number; sha256: string };
    const bytes = await readBytes(`${g}.bin`);
    if (bytes.byteLength !== expected.bytes) {
      fail(`${where}: ${file} is truncated or padded: ${bytes.byteLength} bytes, the manifest says ${expected.bytes}`, {
        argument: `${g}.bin`,
        expected: `${expected.bytes} bytes`,
        received: bytes.byteLength,
      });
    }
    const actual = sha256(bytes);
    if (actual !== expected.sha256) {
      fail(`${where}: ${file} is corrupt: sha256 ${actual} does not match the manifest's ${expected.sha256}`, {
        argument: `${g}.bin`,
        expected: expected.sha256,
        received: actual,
      });
    }
    contents[g] = bytes;
  }
  const made: tf.Tensor[] = [];
  const group = (g: CheckpointGroup): Record<string, tf.Tensor> =>
    Object.fromEntries(
      manifest.tensors[g].map((e) => {
        const t = decode(e, contents[g]);
        made.push(t);
        return [e.name, t];
      }),
    );
  const weights = group('weights');
  const optimizer = { tensors: group('optimizer'), meta: manifest.optimizerMeta };
  const strategy = { tensors: group('strategy'), meta: manifest.strategyMeta };
  return {
    path: dir,
    manifest,
    weights,
    optimizer,
    strategy,
    dispose: () => made.forEach((t) => t.dispose()),
  };
}

/**
 * Checks that `weights` has exactly the paths of `variables`, with the same shapes and dtypes,
 * and only then returns (all or nothing). Throws {@link CheckpointError} listing missing,
 * unexpected and mismatched paths otherwise.
 */
export function checkWeights(variables: ReadonlyMap<string, tf.Variable>, weights: Readonly<Record<string, tf.Tensor>>): void {
  const entries = [...variables];
  const missing = entries.filter(([p]) => weights[p] === undefined).map(([p]) => p);
  const unexpected = Object.keys(weights).filter((p) => !variables.has(p));
  const mismatched = entries
    .filter(([p]) => weights[p] !== undefined)
    .filter(([p, v]) => {
      const t = weights[p] as tf.Tensor;
      return t.dtype !== v.dtype || t.shape.length !== v.shape.length || t.shape.some((s, i) => s !== v.shape[i]);
    })
    .map(([p, v]) => `${p}: model ${describeValue(v)}, checkpoint ${describeValue(weights[p])}`);
  if (missing.length > 0 || unexpected.length > 0 || mismatched.length > 0) {
    const parts = [
      missing.length > 0 ? `missing in the checkpoint: ${missing.join(', ')}` : '',
      unexpected.length > 0 ? `not in the model: ${unexpected.join(', ')}` : '',
      mismatched.length > 0 ? `different shape or dtype: ${mismatched.join('; ')}` : '',
    ].filter((p) => p !== '');
    fail(`checkpoint weights do not match the model's parameter paths (${parts.join(' | ')})`, {
      argument: 'weights',
      expected: 'the same parameter paths, shapes and dtypes',
      received: { missing, unexpected, mismatched },
    });
  }
}

/** {@link checkWeights}, then assigns each variable its saved value (by path). */
export function restoreVariables(variables: ReadonlyMap<string, tf.Variable>, weights: Readonly<Record<string, tf.Tensor>>): void {
  checkWeights(variables, weights);
  for (const [p, v] of variables) v.assign(weights[p] as tf.Tensor);
}
