/**
 * Engine selection. Picks the fastest installed tfjs engine in the order
 * tfjs-node-gpu > tfjs-node > wasm > cpu (or the order given in `prefer`), registers the
 * gradients and the training kernels the chosen engine lacks, and reports what it chose.
 *
 * tfjs-node and tfjs-node-gpu are optional peer dependencies: they are used when the user
 * has installed them and never required.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertOptionsObject, BackendError, describeValue, ArgumentError } from '@contrastive/core';

/** The engines, fastest first. */
export const ENGINES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
/** An engine name: `tensorflow-gpu` (tfjs-node-gpu), `tensorflow` (tfjs-node), `wasm`, `cpu`. */
export type EngineName = (typeof ENGINES)[number];

/** Options of {@link initBackend}. */
export interface BackendOptions {
  /** Engines to try, in order; default {@link ENGINES}. A single name means "this one or fail". */
  readonly prefer?: EngineName | readonly EngineName[];
}

/** One engine that was tried. */
export interface EngineAttempt {
  readonly engine: EngineName;
  readonly ok: boolean;
  readonly reason?: string;
}

/** What {@link initBackend} chose. */
export interface BackendReport {
  readonly engine: EngineName;
  /** The tfjs backend name now active (`tensorflow`, `wasm` or `cpu`). */
  readonly tfBackend: string;
  readonly attempts: readonly EngineAttempt[];
}

async function tryEngine(engine: EngineName): Promise<string> {
  switch (engine) {
    case 'tensorflow-gpu':
      await import(/* @vite-ignore */ '@tensorflow/tfjs-node-gpu' as string);
      return 'tensorflow';
    case 'tensorflow':
      await import(/* @vite-ignore */ '@tensorflow/tfjs-node' as string);
      return 'tensorflow';
    case 'wasm':
      await import('@tensorflow/tfjs-backend-wasm');
      return 'wasm';
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return 'cpu';
  }
}

/**
 * Chooses and initialises the engine.
 *
 * @example
 * ```ts
 * const report = await initBackend();            // fastest available
 * const cpu = await initBackend({ prefer: 'cpu' }); // exactly cpu
 * ```
 */
export async function initBackend(options: BackendOptions = {}): Promise<BackendReport> {
  assertOptionsObject('initBackend', 'options', options);
  const prefer = options.prefer ?? ENGINES;
  const order: readonly EngineName[] = typeof prefer === 'string' ? [prefer] : prefer;
  if (!Array.isArray(order) || order.length === 0 || !order.every((e) => (ENGINES as readonly string[]).includes(e))) {
    throw new ArgumentError(
      `initBackend: argument 'options.prefer' must be one of ${ENGINES.join(', ')} or a non-empty list of them, received ${describeValue(prefer)}`,
      { argument: 'options.prefer', expected: ENGINES.join(' | '), received: prefer },
    );
  }
  // tfjs-core's Node bundle does not register gradients; tfjs-layers' bundle does.
  await import('@tensorflow/tfjs-layers');
  const attempts: EngineAttempt[] = [];
  for (const engine of order) {
    try {
      const name = await tryEngine(engine);
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
      await tf.ready();
      attempts.push({ engine, ok: true });
      return { engine, tfBackend: tf.getBackend(), attempts };
    } catch (e) {
      attempts.push({ engine, ok: false, reason: e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e) });
    }
  }
  throw new BackendError(
    `initBackend: no engine could be started; tried ${attempts.map((a) => `${a.engine} (${a.reason ?? 'failed'})`).join(', ')}`,
    { argument: 'options.prefer', received: prefer },
  );
}
