/**
 * Preparing a sweep directory: reads the sweep file and the base configuration, plans every
 * cell (validating each before anything runs), and writes `sweep.yaml` and `plan.json`.
 * Rerunning with the same inputs reuses the directory (finished cells are kept); different
 * inputs are refused unless `overwrite`, which deletes the previous sweep.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { ArgumentError, ConfigError } from '@contrastive/core';
import { writeFileAtomic } from '@contrastive/core/node';
import { parseConfigText } from '@contrastive/experiment';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { isPlainObject } from '../merge.js';
import type { SweepPlan } from '../plan.js';
import { planSweep } from '../plan-sweep.js';
import { DEFAULT_SWEEPS_DIR, SWEEP_FILES, readJsonIfExists } from './sweep-dir.js';

/** Options of {@link prepareSweep}: the base configuration and the sweep file, each as a path or a value. */
export interface PrepareSweepOptions {
  /** The base run configuration file (.yaml, .yml or .json). */
  readonly baseConfigPath?: string;
  /** The base run configuration as a value (instead of a file). */
  readonly baseConfig?: unknown;
  /** The sweep file (.yaml, .yml or .json). */
  readonly sweepPath?: string;
  /** The sweep file's value (instead of a file). */
  readonly sweep?: unknown;
  /** The parent of the sweep directory (default `runs/sweeps`); the sweep directory is `<outDir>/<name>`. */
  readonly outDir?: string;
  /** Delete a previous sweep of another specification in the directory first. */
  readonly overwrite?: boolean;
}

/** JSON with sorted keys: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** The hash of a sweep's inputs (sha256 of the canonical JSON of both, first 16 hex digits). */
export function sweepHash(sweep: unknown, base: unknown): string {
  return createHash('sha256').update(canonicalJson({ sweep, base })).digest('hex').slice(0, 16);
}

async function readInput(file: string, what: string, flag: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read the ${what} ${file}${code === 'ENOENT' ? ': no such file' : `: ${(e as Error).message}`}`, { argument: flag, received: file, expected: 'a readable YAML or JSON file', cause: e });
  }
  const value = parseConfigText(text, file);
  if (!isPlainObject(value)) throw new ConfigError(`${file}: the ${what} must be a mapping of keys to values`, { argument: flag, received: value, expected: 'a mapping of keys to values' });
  return value;
}

/** What `sweep.yaml` holds. */
interface SweepFile {
  readonly hash: string;
  readonly sweep: unknown;
  readonly base: unknown;
}

/**
 * Prepares (or reopens) a sweep directory. See the module documentation.
 *
 * @example
 * ```ts
 * const { sweepDir, plan } = await prepareSweep({ baseConfigPath: 'base.yaml', sweepPath: 'sweep.yaml' });
 * console.log(`${plan.cells.length} cells in ${sweepDir}`);
 * ```
 */
export async function prepareSweep(o: PrepareSweepOptions): Promise<{ sweepDir: string; plan: SweepPlan }> {
  if ((o.baseConfigPath === undefined) === (o.baseConfig === undefined)) {
    throw new ArgumentError('prepareSweep: give exactly one of baseConfigPath and baseConfig', { argument: 'baseConfigPath', received: o.baseConfigPath, expected: 'a path or a value, not both' });
  }
  if ((o.sweepPath === undefined) === (o.sweep === undefined)) {
    throw new ArgumentError('prepareSweep: give exactly one of sweepPath and sweep', { argument: 'sweepPath', received: o.sweepPath, expected: 'a path or a value, not both' });
  }
  const base = o.baseConfigPath !== undefined ? await readInput(o.baseConfigPath, 'base configuration', '--config') : o.baseConfig;
  const sweep = o.sweepPath !== undefined ? await readInput(o.sweepPath, 'sweep file', '--sweep') : o.sweep;
  const hash = sweepHash(sweep, base);
  const plan = planSweep(sweep, base, hash, o.sweepPath === undefined ? 'sweep file' : `sweep file ${o.sweepPath}`);
  const sweepDir = path.resolve(o.outDir ?? DEFAULT_SWEEPS_DIR, plan.name);
  const specFile = path.join(sweepDir, SWEEP_FILES.spec);
  const previous = await readFile(specFile, 'utf8').then((t) => parseYaml(t) as SweepFile, (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
  const previousPlan = await readJsonIfExists<SweepPlan>(path.join(sweepDir, SWEEP_FILES.plan));
  const previousHash = previous?.hash ?? previousPlan?.hash;
  if (previousHash !== undefined && previousHash !== hash) {
    if (o.overwrite !== true) {
      throw new ArgumentError(`${sweepDir} holds a sweep of another specification (hash ${previousHash}, now ${hash}); rerun with the same sweep file and base configuration to continue it, or pass --overwrite to delete it and start over`, {
        argument: '--overwrite',
        received: sweepDir,
        expected: 'the same sweep file and base configuration, or --overwrite',
      });
    }
    await rm(sweepDir, { recursive: true, force: true });
  }
  await mkdir(path.join(sweepDir, SWEEP_FILES.cells), { recursive: true });
  const header = `# contrastive sweep ${plan.name}: the sweep file and base configuration as given.\n# Rerunning into this directory needs the same inputs (hash), or --overwrite.\n`;
  await writeFileAtomic(specFile, header + stringifyYaml({ hash, sweep, base } satisfies SweepFile));
  await writeFileAtomic(path.join(sweepDir, SWEEP_FILES.plan), `${JSON.stringify(plan, null, 2)}\n`);
  return { sweepDir, plan };
}

/**
 * Reads the plan of a prepared sweep directory: what a process that knows only the directory
 * needs to run any of its cells.
 */
export async function readSweepPlan(sweepDir: string): Promise<SweepPlan> {
  const plan = await readJsonIfExists<SweepPlan>(path.join(sweepDir, SWEEP_FILES.plan));
  if (plan?.format !== 'contrastive-sweep-plan') {
    throw new ArgumentError(`${sweepDir} is not a sweep directory (no ${SWEEP_FILES.plan}); prepare it with prepareSweep or contrastive sweep`, {
      argument: 'sweepDir',
      received: sweepDir,
      expected: 'a directory made by prepareSweep',
    });
  }
  return plan;
}
