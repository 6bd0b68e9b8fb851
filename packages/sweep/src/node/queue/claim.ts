/**
 * Per-cell claim files: at most one worker runs a cell at a time, even when BullMQ hands the
 * cell's job to a second worker after a stall.
 *
 * BullMQ decides that a worker is gone when it stops renewing its job lock (`lockDuration`). A
 * worker whose event loop is blocked by a long training step, or whose Redis connection
 * flickered, looks the same as a dead one, and the job goes to another worker while the first
 * one is still training the cell: two processes would write the same checkpoints and result.
 *
 * So the right to run a cell is a file, `<sweepDir>/queue/claims/<cell>.json`, created
 * atomically (`O_CREAT | O_EXCL`) by the worker that runs it and holding its worker name, host,
 * pid and a random token. While the cell runs, a heartbeat thread (a `worker_threads` thread,
 * so a blocked main event loop does not stop it) touches the file's mtime every `heartbeatMs`.
 * A second worker that finds the file:
 * - takes the cell over at once when the holder is on the same host and its pid is gone;
 * - otherwise watches the file: while its mtime keeps changing the holder is alive (slow, not
 *   dead) and the second worker waits (it keeps its own BullMQ lock alive meanwhile); when the
 *   holder finishes, the file disappears, the result exists and the cell's runner returns it at
 *   once; when the mtime has not changed for `staleMs` (measured on the watcher's own clock, so
 *   clock skew between machines does not matter), the holder is dead or frozen and the watcher
 *   takes the cell over (it renames the stale file aside and creates its own).
 * A holder whose claim was taken over (it was frozen, e.g. SIGSTOP or a suspended VM, for longer
 * than `staleMs`) notices on its next heartbeat and aborts its cell.
 *
 * Residual risks, documented in docs/sweeps.md: a holder frozen for more than `staleMs` may
 * still write for up to one heartbeat after it wakes; two watchers taking over the same stale
 * claim at the same instant would need the job to be handed out three times at once.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { Worker as ThreadWorker } from 'node:worker_threads';
import { encodeIdPart } from './options.js';

/** What a claim file holds. */
export interface ClaimInfo {
  readonly token: string;
  readonly worker: string;
  readonly host: string;
  readonly pid: number;
  readonly jobId?: string;
  readonly claimedAt: string;
  /** The worker whose stale claim this one replaced, if any. */
  readonly tookOverFrom?: string;
}

/** A held claim. */
export interface CellClaim {
  readonly info: ClaimInfo;
  readonly path: string;
  /** Aborted when another worker took the claim over (this worker must stop the cell). */
  readonly lost: AbortSignal;
  /** The dead or silent holder whose claim this one replaced, if any. */
  readonly previous?: ClaimInfo;
  /** Stops the heartbeat and deletes the claim file if it is still this worker's. */
  release(): Promise<void>;
}

/** Options of {@link acquireCellClaim}. */
export interface AcquireClaimOptions {
  readonly sweepDir: string;
  readonly cellId: string;
  readonly worker: string;
  readonly jobId?: string;
  /** Heartbeat period of the holder and polling period of a waiter. */
  readonly heartbeatMs: number;
  /** A claim whose heartbeat has not moved for this long is taken over. */
  readonly staleMs: number;
  /** Stops waiting (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
  /** Told once when the claim is held by another live worker, and when a stale claim is taken over. */
  readonly onNote?: (note: string) => void;
}

/** The claim file of a cell. */
export function claimPath(sweepDir: string, cellId: string): string {
  return path.join(sweepDir, 'queue', 'claims', `${encodeIdPart(cellId)}.json`);
}

/** True when a process with this pid exists on this host (EPERM: exists, owned by another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims currently held by this process (tokens), to recognise leftovers of an earlier process with our pid. */
const heldHere = new Set<string>();

const HEARTBEAT_THREAD = `
const fs = process.getBuiltinModule('node:fs');
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const { file, ino, token, intervalMs } = workerData;
let fd;
let timer;
const lost = () => { parentPort.postMessage('lost'); clearInterval(timer); };
// Still ours: the same inode (not removed) holding our token (inode numbers are reused).
const ours = () => {
  let st;
  try { st = fs.statSync(file, { bigint: true }); } catch { return false; }
  if (String(st.ino) !== ino) return false;
  try { const t = JSON.parse(fs.readFileSync(file, 'utf8')).token; return t === undefined || t === token; } catch { return true; }
};
const beat = () => {
  if (!ours()) return lost();
  const now = new Date();
  try { fs.futimesSync(fd, now, now); } catch {}
};
try { fd = fs.openSync(file, 'r'); timer = setInterval(beat, intervalMs); } catch { lost(); }
parentPort.on('message', (m) => { if (m === 'stop') { clearInterval(timer); try { fs.closeSync(fd); } catch {} parentPort.close(); } });
`;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function readClaim(file: string): Promise<ClaimInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(file, 'utf8')) as ClaimInfo;
    return typeof info.token === 'string' ? info : undefined;
  } catch {
    return undefined; // gone, or being written
  }
}

async function tryCreate(file: string, info: ClaimInfo): Promise<bigint | undefined> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  }
  try {
    await handle.writeFile(`${JSON.stringify(info, null, 2)}\n`);
    await handle.sync();
    return (await handle.stat({ bigint: true })).ino;
  } finally {
    await handle.close();
  }
}

/**
 * Acquires the claim of a cell: creates the claim file, or waits while another live worker
 * holds it, or takes a dead holder's claim over (see the module comment). Starts the heartbeat.
 *
 * @example
 * ```ts
 * const claim = await acquireCellClaim({ sweepDir, cellId, worker: 'gpu1:4242', heartbeatMs: 5000, staleMs: 120000 });
 * try { await runCell(sweepDir, cellId, { signal: claim.lost }); } finally { await claim.release(); }
 * ```
 */
export async function acquireCellClaim(options: AcquireClaimOptions): Promise<CellClaim> {
  const file = claimPath(options.sweepDir, options.cellId);
  await mkdir(path.dirname(file), { recursive: true });
  const host = hostname();
  let tookOverFrom: string | undefined;
  let previous: ClaimInfo | undefined;
  let told = false;
  // The holder being watched: its token, the last mtime seen, and when (our clock) it last moved.
  let watched: { token: string; mtimeMs: number; since: number } | undefined;
  for (;;) {
    if (options.signal?.aborted) throw options.signal.reason as Error;
    const info: ClaimInfo = {
      token: randomUUID(),
      worker: options.worker,
      host,
      pid: process.pid,
      ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
      claimedAt: new Date().toISOString(),
      ...(tookOverFrom === undefined ? {} : { tookOverFrom }),
    };
    const ino = await tryCreate(file, info);
    if (ino !== undefined) return startHeartbeat(file, ino, info, options.heartbeatMs, previous);

    const holder = await readClaim(file);
    let st;
    try {
      st = await stat(file);
    } catch {
      continue; // released meanwhile: try again at once
    }
    const now = performance.now();
    let stale = false;
    let reason = '';
    if (holder !== undefined && holder.host === host && (!pidAlive(holder.pid) || (holder.pid === process.pid && !heldHere.has(holder.token)))) {
      stale = true;
      reason = `its process ${holder.pid} on ${host} is gone`;
    } else {
      const token = holder?.token ?? '?';
      if (watched === undefined || watched.token !== token || watched.mtimeMs !== st.mtimeMs) {
        watched = { token, mtimeMs: st.mtimeMs, since: now };
      } else if (now - watched.since >= options.staleMs) {
        stale = true;
        reason = `its heartbeat has not moved for ${Math.round((now - watched.since) / 1000)} s`;
      }
    }
    if (stale) {
      const aside = `${file}.stale-${randomUUID()}`;
      try {
        await rename(file, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      // Make sure what was moved aside is the claim judged stale, not one created meanwhile.
      const moved = await readClaim(aside);
      if (holder !== undefined && moved !== undefined && moved.token !== holder.token) {
        await rename(aside, file).catch(() => undefined);
        watched = undefined;
        continue;
      }
      await unlink(aside).catch(() => undefined);
      tookOverFrom = holder === undefined ? 'an unreadable claim' : `${holder.worker} (${holder.host}, pid ${holder.pid})`;
      previous = holder;
      options.onNote?.(`cell ${options.cellId}: taking over the claim of ${tookOverFrom}: ${reason}`);
      watched = undefined;
      continue;
    }
    if (!told) {
      told = true;
      options.onNote?.(
        `cell ${options.cellId}: still claimed by ${holder === undefined ? 'another worker' : `${holder.worker} (${holder.host}, pid ${holder.pid})`}, which is alive; waiting for it to finish (takes over if its heartbeat stops for ${Math.round(options.staleMs / 1000)} s)`,
      );
    }
    await sleep(options.heartbeatMs, options.signal);
  }
}

/** True when `file` is still the claim created as `ino` with `token`. */
async function stillOurs(file: string, ino: bigint, token: string): Promise<boolean> {
  try {
    if ((await stat(file, { bigint: true })).ino !== ino) return false;
    return (await readClaim(file))?.token === token;
  } catch {
    return false;
  }
}

function startHeartbeat(file: string, ino: bigint, info: ClaimInfo, heartbeatMs: number, previous: ClaimInfo | undefined): CellClaim {
  const lost = new AbortController();
  heldHere.add(info.token);
  let released = false;
  // Two heartbeats: the thread's keeps going while this event loop is blocked (a long training
  // step); this one covers the thread's start-up.
  const thread = new ThreadWorker(HEARTBEAT_THREAD, { eval: true, workerData: { file, ino: String(ino), token: info.token, intervalMs: heartbeatMs } });
  thread.unref();
  thread.on('message', (m) => {
    if (m === 'lost' && !released && !lost.signal.aborted) lost.abort(new Error(`the claim ${file} was taken over by another worker`));
  });
  thread.on('error', () => undefined);
  const handle = open(file, 'r');
  handle.catch(() => undefined);
  const timer = setInterval(() => {
    const now = new Date();
    void handle.then((h) => h.utimes(now, now)).catch(() => undefined);
  }, heartbeatMs);
  timer.unref();
  return {
    info,
    path: file,
    lost: lost.signal,
    ...(previous === undefined ? {} : { previous }),
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(info.token);
      // Delete first, then stop beating: a waiter must never see a silent claim of ours.
      if (await stillOurs(file, ino, info.token)) await unlink(file).catch(() => undefined);
      clearInterval(timer);
      await handle.then((h) => h.close()).catch(() => undefined);
      thread.postMessage('stop');
      await thread.terminate().catch(() => undefined);
    },
  };
}

/**
 * After taking a dead or silent holder's claim over: removes the lock files that holder's
 * `runCell` left in the cell (`cells/<id>/.cell/.lock` and the run's `cells/<id>/.lock`), but only
 * those whose owner is exactly that holder (same host and pid). `runCell` takes over a dead
 * process's lock on the same host by itself, but cannot tell whether a process on another host
 * is alive; the claim protocol has established that it is not. Returns the files removed.
 */
export async function breakLocksOf(cellDirectory: string, holder: Pick<ClaimInfo, 'host' | 'pid'>, lockFiles: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const rel of lockFiles) {
    const file = path.join(cellDirectory, rel);
    let owner: { host?: unknown; pid?: unknown } | undefined;
    try {
      owner = JSON.parse(await readFile(file, 'utf8')) as { host?: unknown; pid?: unknown };
    } catch {
      continue; // absent (or being written by a live process): leave it
    }
    if (owner.host !== holder.host || owner.pid !== holder.pid) continue;
    const aside = `${file}.stale-${randomUUID()}`;
    try {
      await rename(file, aside);
    } catch {
      continue;
    }
    await unlink(aside).catch(() => undefined);
    removed.push(file);
  }
  return removed;
}
