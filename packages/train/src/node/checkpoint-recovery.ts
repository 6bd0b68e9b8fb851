/**
 * Recovery of a checkpoint root after a crash, and the fallback to an earlier checkpoint.
 *
 * `saveCheckpoint` writes `.tmp-<name>-<pid>-<id>/` and renames it into place; when a
 * checkpoint of the same step already exists it first moves that one to `.old-<name>-<pid>-<id>/`.
 * A crash can leave either kind behind, and a crash between the two renames leaves `latest`
 * naming a directory that is missing while the complete copy sits in `.old-*`.
 * {@link recoverCheckpointRoot} puts such a copy back and removes what dead processes left;
 * {@link findResumableCheckpoint} picks the newest checkpoint that reads back intact, falling
 * back to earlier ones only when asked to.
 */
import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError } from '@contrastive/core';
import { pathExists } from '@contrastive/core/node';
import { readCheckpoint } from '../checkpoint.js';

const STEP_NAME = /^step-\d{9,}$/;
const LEFTOVER = /^\.(tmp|old)-(step-\d{9,})-(\d+)-[0-9a-f]+$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What {@link recoverCheckpointRoot} did. */
export interface RecoveryReport {
  /** Checkpoints moved back from an `.old-*` copy (the crash hit between two renames). */
  readonly restored: readonly string[];
  /** Leftover `.tmp-*` / `.old-*` directories of processes that no longer run, removed. */
  readonly removed: readonly string[];
}

/**
 * Repairs `root` after a crash: a step directory that is missing (or has no manifest) while a
 * complete `.old-<name>-*` copy exists gets that copy back; `.tmp-*` and `.old-*` directories
 * of processes that are gone are removed. Call it only while no other process writes to
 * `root` (the CLI holds the run-directory lock). A missing root is left alone.
 *
 * @example
 * ```ts
 * const { restored, removed } = await recoverCheckpointRoot('runs/main/checkpoints');
 * ```
 */
export async function recoverCheckpointRoot(root: string): Promise<RecoveryReport> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return { restored: [], removed: [] };
  }
  const restored: string[] = [];
  const removed: string[] = [];
  for (const n of names.sort()) {
    const m = LEFTOVER.exec(n);
    if (m === null || alive(Number(m[3])) && Number(m[3]) !== process.pid) continue;
    const dir = join(root, n);
    const target = join(root, m[2] as string);
    if (m[1] === 'old' && (await pathExists(join(dir, 'manifest.json'))) && !(await pathExists(join(target, 'manifest.json')))) {
      await rm(target, { recursive: true, force: true });
      await rename(dir, target);
      restored.push(target);
    } else {
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return { restored, removed };
}

/** The complete checkpoints (a step directory with a manifest) of `root`, newest first. */
export async function listCheckpoints(root: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names.filter((x) => STEP_NAME.test(x)).sort().reverse()) {
    if (await pathExists(join(root, n, 'manifest.json'))) out.push(join(root, n));
  }
  return out;
}

/** Options of {@link findResumableCheckpoint}. */
export interface FindResumableOptions {
  /**
   * When the checkpoint `latest` names is missing or fails verification, use the newest earlier
   * one that verifies (and report the ones passed over) instead of throwing. Default false.
   */
  readonly fallback?: boolean;
}

/** The checkpoint to resume from, and those passed over with the reason. */
export interface ResumableCheckpoint {
  readonly path: string | null;
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
}

/**
 * The checkpoint to resume from: the one `root/latest` names, verified in full (manifest,
 * sizes, sha256). Throws its {@link CheckpointError} when it is broken, unless
 * `options.fallback`, which walks back to the newest complete checkpoint that verifies.
 * Resolves to `{ path: null }` when `root` holds no checkpoint at all.
 */
export async function findResumableCheckpoint(root: string, options: FindResumableOptions = {}): Promise<ResumableCheckpoint> {
  const skipped: { path: string; reason: string }[] = [];
  const hasLatest = await pathExists(join(root, 'latest'));
  const candidates = [...(hasLatest ? [root] : []), ...(options.fallback === true || !hasLatest ? await listCheckpoints(root) : [])];
  for (const candidate of candidates) {
    try {
      const loaded = await readCheckpoint(candidate);
      loaded.dispose();
      return { path: loaded.path, skipped };
    } catch (e) {
      if (!(e instanceof CheckpointError) || options.fallback !== true) throw e;
      skipped.push({ path: candidate === root ? join(root, 'latest') : candidate, reason: e.message });
    }
  }
  if (skipped.length > 0) {
    throw new CheckpointError(`no complete checkpoint to resume from in ${root} (${skipped.length} broken: ${skipped.map((s) => s.path).join(', ')})`, {
      argument: '--resume',
      expected: 'a checkpoint that verifies',
      received: root,
    });
  }
  return { path: null, skipped };
}
