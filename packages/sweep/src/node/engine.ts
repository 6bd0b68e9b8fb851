/**
 * The compute engine of the cells a process runs: started once per process (the first cell's
 * choice), then reused.
 */
import { initBackend, type EngineName } from '@contrastive/backend/node';
import { ArgumentError } from '@contrastive/core';

/** The `engine` choices of runCell and the executors (`auto`: the backend's own order). */
export const CELL_ENGINES = ['auto', 'wasm+onednn', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'] as const;

let started: { choice: string; engine: string } | null = null;

/**
 * Starts the engine `choice` (default `auto`) unless this process already started one; returns
 * the engine's name (for run.json). A different choice after the first is refused: one process
 * has one engine.
 */
export async function ensureEngine(choice = 'auto'): Promise<string> {
  if (!(CELL_ENGINES as readonly string[]).includes(choice)) {
    throw new ArgumentError(`engine must be one of ${CELL_ENGINES.join(', ')}, received '${choice}'`, { argument: 'engine', received: choice, expected: CELL_ENGINES.join(' | ') });
  }
  if (started !== null) {
    if (started.choice !== choice && choice !== 'auto') {
      throw new ArgumentError(`this process already runs the ${started.engine} engine; cannot switch to ${choice}`, { argument: 'engine', received: choice, expected: started.choice });
    }
    return started.engine;
  }
  const report = await initBackend(choice === 'auto' ? {} : { prefer: choice as EngineName });
  started = { choice, engine: report.engine };
  return report.engine;
}
