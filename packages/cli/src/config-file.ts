/**
 * The run configuration on disk (Node.js): reading a JSON or YAML file and the run's output
 * directory. Parsing and validation are platform-neutral, in `config.ts`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, describeValue } from '@contrastive/core';
import { parseConfig, parseConfigText, type RunConfig } from './config.js';

/**
 * Reads a configuration file: `.json`, or `.yaml`/`.yml` (YAML 1.2), then {@link parseConfig}.
 * A missing file, a syntax error (with line and column) or an invalid value is a
 * {@link ConfigError} naming the file.
 *
 * @example
 * ```ts
 * const config = await loadConfigFile('examples/simclr-cifar10/config.yaml');
 * ```
 */
export async function loadConfigFile(file: string): Promise<RunConfig> {
  if (typeof file !== 'string' || file.length === 0) {
    throw new ConfigError(`loadConfigFile: argument 'file' must be a path, received ${describeValue(file)}`, { argument: 'file', received: file });
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read the config file ${file}${code === 'ENOENT' ? ': no such file' : `: ${(e as Error).message}`}`, {
      argument: '--config',
      received: file,
      expected: 'a readable JSON or YAML file',
      cause: e,
    });
  }
  return parseConfig(parseConfigText(text, file), `config file ${file}`);
}

/** The output directory of a run: `outDir`, else `runs/<name>` (absolute). */
export function runDirOf(config: RunConfig, cwd = process.cwd()): string {
  return path.resolve(cwd, config.outDir ?? path.join('runs', config.name));
}
