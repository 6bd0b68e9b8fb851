/**
 * The entry point of a local sweep worker process (spawned by `localExecutor`): runs the cells
 * its parent sends over IPC, one at a time, with {@link runCell}, and reports progress and
 * results back. A `stop` message, or the loss of the parent (its IPC channel closes), stops the
 * running cell after its current step with a checkpoint, so it resumes on the next run.
 */
import { InterruptedError } from '@contrastive/experiment';
import { runCell } from './run-cell.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/** Sends a message to the parent; resolves once it is handed to the channel (or at once without one). */
const send = (m: FromWorker): Promise<void> =>
  new Promise((resolve) => {
    if (!process.connected || process.send === undefined) resolve();
    else process.send(m, undefined, {}, () => resolve());
  });

let controller: AbortController | null = null;
let busy = false;

process.on('disconnect', () => {
  if (controller !== null) controller.abort();
  else process.exit(0);
});

process.on('message', (raw: unknown) => {
  const m = raw as ToWorker;
  if (m.type === 'exit') process.exit(0);
  if (m.type === 'stop') {
    controller?.abort();
    return;
  }
  if (m.type !== 'run' || busy) return;
  busy = true;
  const ac = new AbortController();
  controller = ac;
  runCell(m.sweepDir, m.cellId, {
    signal: ac.signal,
    onProgress: (progress) => void send({ type: 'progress', progress }),
    ...(m.engine === undefined ? {} : { engine: m.engine }),
    ...(m.dataDir === undefined ? {} : { dataDir: m.dataDir }),
  })
    .then(
      (result) => send({ type: 'finished', cellId: m.cellId, result }),
      (e: unknown) => send({ type: 'failed', cellId: m.cellId, error: e instanceof Error ? e.message : String(e), interrupted: e instanceof InterruptedError }),
    )
    .finally(() => {
      busy = false;
      controller = null;
      if (!process.connected || ac.signal.aborted) process.exit(0);
    });
});

void send({ type: 'ready' });
