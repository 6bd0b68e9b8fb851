/**
 * Local mode: the cells of a sweep run in N child worker processes on this machine (each a
 * `cell-worker` entry that calls `runCell` and reports progress over IPC). Workers are started in
 * process groups of their own, so a Ctrl-C in the terminal reaches only the parent, which
 * asks each worker to stop after its current step with a checkpoint; cells resume on the next
 * run. A worker that dies is replaced; its cell is recorded as failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@contrastive/core/node';
import type { CellEvent, CellFailure } from '../cell-result.js';
import type { CellPlan } from '../plan.js';
import type { CellExecutor } from './executor.js';
import { CELL_FILES, cellDir, readCellResult } from './sweep-dir.js';
import { defaultWorkerCount } from './worker-count.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/** Options of {@link localExecutor}. */
export interface LocalExecutorOptions {
  /** Worker processes (default: {@link defaultWorkerCount} of the unfinished cells). */
  readonly workers?: number;
  /** The engine of every worker (default `auto`). */
  readonly engine?: string;
  /** Overrides the configuration's `data.dir` in every cell. */
  readonly dataDir?: string;
  /** Environment of the workers (default: this process's, with `CONTRASTIVE_WASM_THREADS` = cores / workers unless set). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Lines of a worker's stderr kept for the message when it dies. */
const STDERR_LINES = 20;

/** The worker's entry and the node arguments that run it (TypeScript sources run through tsx). */
export function workerCommand(): { script: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const fromSource = here.endsWith('.ts');
  const script = path.join(path.dirname(here), fromSource ? 'cell-worker.ts' : 'cell-worker.js');
  if (!fromSource) return { script, execArgv: [] };
  const inherited = process.execArgv.some((a) => a.includes('tsx'));
  return { script, execArgv: inherited ? [...process.execArgv] : ['--conditions=contrastive-source', '--import', 'tsx'] };
}

/** One worker process and the cell it runs. */
interface Worker {
  readonly name: string;
  readonly child: ChildProcess;
  cell: CellPlan | null;
  stderr: string[];
  exited: boolean;
}

/**
 * The local executor. See the module documentation.
 *
 * @example
 * ```ts
 * const { sweepDir, plan } = await prepareSweep({ baseConfigPath: 'base.yaml', sweepPath: 'sweep.yaml' });
 * await runSweep({ sweepDir, plan, executor: localExecutor({ workers: 2 }), onEvent: console.log });
 * ```
 */
export function localExecutor(options: LocalExecutorOptions = {}): CellExecutor {
  return async ({ sweepDir, plan, onEvent, signal }) => {
    const pending: CellPlan[] = [];
    for (const cell of plan.cells) {
      const result = await readCellResult(sweepDir, cell.id);
      if (result !== undefined) onEvent({ cellId: cell.id, kind: 'skipped', result });
      else pending.push(cell);
    }
    for (const cell of pending) onEvent({ cellId: cell.id, kind: 'queued' });
    if (pending.length === 0 || signal?.aborted === true) return;
    const count = Math.max(1, Math.min(pending.length, options.workers ?? defaultWorkerCount(pending)));
    const threads = String(Math.max(1, Math.floor(os.availableParallelism() / count)));
    const baseEnv = options.env ?? process.env;
    const env: NodeJS.ProcessEnv = { ...baseEnv, CONTRASTIVE_WASM_THREADS: baseEnv['CONTRASTIVE_WASM_THREADS'] ?? threads, CONTRASTIVE_WORKER: '1' };
    const { script, execArgv } = workerCommand();
    const queue = [...pending];
    let stopping = false;
    const workers = new Set<Worker>();

    const recordCrash = async (cell: CellPlan, error: string): Promise<void> => {
      const failure: CellFailure = { format: 'contrastive-sweep-cell-failure', cellId: cell.id, error, attempts: 0, time: new Date().toISOString() };
      await mkdir(cellDir(sweepDir, cell.id), { recursive: true });
      await writeFileAtomic(path.join(cellDir(sweepDir, cell.id), CELL_FILES.failure), `${JSON.stringify(failure, null, 2)}\n`).catch(() => undefined);
    };

    await new Promise<void>((resolveAll) => {
      let nextName = 1;
      const maybeDone = (): void => {
        if (workers.size === 0) resolveAll();
      };
      const post = (w: Worker, m: ToWorker): void => {
        if (w.child.connected) w.child.send(m);
      };
      const dispatch = (w: Worker): void => {
        const cell = stopping ? undefined : queue.shift();
        if (cell === undefined) {
          w.cell = null;
          post(w, { type: 'exit' });
          return;
        }
        w.cell = cell;
        onEvent({ cellId: cell.id, kind: 'started', worker: w.name });
        post(w, { type: 'run', sweepDir, cellId: cell.id, ...(options.engine === undefined ? {} : { engine: options.engine }), ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }) });
      };
      const start = (): void => {
        const child = spawn(process.execPath, [...execArgv, script], { detached: true, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env });
        const w: Worker = { name: `local-${nextName++}`, child, cell: null, stderr: [], exited: false };
        workers.add(w);
        child.stderr?.on('data', (d: Buffer) => {
          w.stderr.push(...d.toString().split('\n').filter((l) => l.trim() !== ''));
          if (w.stderr.length > STDERR_LINES) w.stderr.splice(0, w.stderr.length - STDERR_LINES);
        });
        child.on('message', (raw: unknown) => {
          const m = raw as FromWorker;
          if (m.type === 'ready') dispatch(w);
          else if (m.type === 'progress' && w.cell !== null && m.progress.phase === 'train') {
            const p = m.progress;
            onEvent({ cellId: p.cellId, kind: 'progress', worker: w.name, step: p.step, totalSteps: p.totalSteps, ...(p.loss === undefined ? {} : { loss: p.loss }) });
          } else if (m.type === 'finished') {
            onEvent({ cellId: m.cellId, kind: 'finished', worker: w.name, result: m.result, step: m.result.steps, totalSteps: m.result.totalSteps });
            dispatch(w);
          } else if (m.type === 'failed') {
            // An interrupted cell is neither finished nor failed: it resumes next time.
            if (!m.interrupted) onEvent({ cellId: m.cellId, kind: 'failed', worker: w.name, error: m.error });
            dispatch(w);
          }
        });
        const onGone = (code: number | null, sig: NodeJS.Signals | null, spawnError?: Error): void => {
          if (w.exited) return;
          w.exited = true;
          workers.delete(w);
          const cell = w.cell;
          if (cell !== null) {
            const why = spawnError !== undefined ? spawnError.message : `worker ${w.name} exited with ${sig ?? `code ${code}`} while running the cell`;
            const error = [why, ...w.stderr.slice(-5)].join('\n');
            void recordCrash(cell, error).then(() => {
              onEvent({ cellId: cell.id, kind: 'failed', worker: w.name, error });
              if (!stopping && queue.length > 0) start();
              maybeDone();
            });
            return;
          }
          if (!stopping && queue.length > 0 && spawnError === undefined) start();
          maybeDone();
        };
        child.on('exit', (code, sig) => onGone(code, sig));
        child.on('error', (e) => onGone(null, null, e));
      };
      signal?.addEventListener(
        'abort',
        () => {
          stopping = true;
          for (const w of workers) post(w, w.cell === null ? { type: 'exit' } : { type: 'stop' });
        },
        { once: true },
      );
      for (let i = 0; i < count; i++) start();
    });
  };
}

/** The events of a sweep run, as one line each (for logs and non-terminal output). */
export function describeEvent(e: CellEvent): string {
  const at = e.worker === undefined ? '' : ` [${e.worker}]`;
  switch (e.kind) {
    case 'progress':
      return `${e.cellId}${at}: step ${e.step ?? '?'}/${e.totalSteps ?? '?'}${e.loss === undefined ? '' : ` loss ${e.loss.toFixed(4)}`}`;
    case 'failed':
      return `${e.cellId}${at}: failed: ${(e.error ?? '').split('\n')[0]}`;
    default:
      return `${e.cellId}${at}: ${e.kind}`;
  }
}
