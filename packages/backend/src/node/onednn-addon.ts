/**
 * The oneDNN addon: finding, building (on first use) and loading the small Node-API library in
 * `native/onednn.cc` that runs convolutions and matrix products of the wasm engine through oneDNN
 * (Intel's oneAPI Deep Neural Network Library, the CPU engine under PyTorch).
 *
 * Why build on first use: npm 11 runs no install script of a dependency unless the user approves
 * it, so an install-time build would silently not happen. The addon is instead compiled the first
 * time {@link loadOnednnAddon} runs on a machine that has a C++ compiler and oneDNN's headers and
 * library (Debian/Ubuntu: `apt-get install g++ libdnnl-dev`), takes a few seconds, and is cached
 * under a content-addressed name (source, oneDNN version, Node-API headers, platform), written
 * atomically so concurrent processes never load a half-written file. Without those, the wasm
 * engine runs as before and {@link loadOnednnAddon} says why and how to get the fast path.
 *
 * Node-API headers come from the `node-api-headers` package (a dependency), else from the
 * running Node's own `include/node` folder.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const nodeRequire = createRequire(import.meta.url);

export type { OnednnAddon, OnednnInfo } from '../onednn/addon-types.js';
import type { OnednnAddon } from '../onednn/addon-types.js';

/** The result of {@link loadOnednnAddon}: the addon, or why there is none. */
export type OnednnLoadResult =
  | { readonly ok: true; readonly addon: OnednnAddon; readonly path: string; readonly built: boolean }
  | { readonly ok: false; readonly reason: string };

/** Options of {@link loadOnednnAddon}. */
export interface OnednnLoadOptions {
  /** Folder for the compiled addon; default `$CONTRASTIVE_ONEDNN_CACHE`, else `~/.cache/contrastive`, else the temp folder. */
  readonly cacheDir?: string;
  /** A prebuilt addon to load instead of building one (also `$CONTRASTIVE_ONEDNN_ADDON`). */
  readonly addonPath?: string;
}

/** How to get the fast path, for messages. */
export const ONEDNN_HOW_TO =
  'install a C++ compiler and oneDNN (Debian/Ubuntu: apt-get install g++ libdnnl-dev); the addon then builds itself on first use';

// `native/` sits two folders above this file in the sources (src/node/) and one above the built
// entry (dist/node.js).
const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCE = [join(HERE, '..', 'native', 'onednn.cc'), join(HERE, '..', '..', 'native', 'onednn.cc')].find((f) => existsSync(f)) ?? join(HERE, '..', '..', 'native', 'onednn.cc');

let loaded: OnednnLoadResult | undefined;

/** Default folder for the compiled addon. */
export function defaultOnednnCacheDir(): string {
  const fromEnv = process.env['CONTRASTIVE_ONEDNN_CACHE'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const home = homedir();
  return home !== '' ? join(home, '.cache', 'contrastive') : join(tmpdir(), 'contrastive');
}

/** The Node-API include folder: the `node-api-headers` package, else the running Node's headers. */
function nodeApiIncludeDir(): string | null {
  try {
    const pkg = nodeRequire.resolve('node-api-headers/package.json');
    const dir = join(dirname(pkg), 'include');
    if (existsSync(join(dir, 'node_api.h'))) return dir;
  } catch {
    // not installed: try the running Node's headers
  }
  const own = join(dirname(process.execPath), '..', 'include', 'node');
  return existsSync(join(own, 'node_api.h')) ? own : null;
}

/** oneDNN's include folder: `$DNNL_ROOT/include` or the system's. */
function dnnlIncludeDirs(): string[] {
  const root = process.env['DNNL_ROOT'];
  const candidates = root !== undefined && root !== '' ? [join(root, 'include')] : ['/usr/include', '/usr/local/include'];
  return candidates.filter((d) => existsSync(join(d, 'dnnl.hpp')) || existsSync(join(d, 'oneapi', 'dnnl', 'dnnl.hpp')));
}

function dnnlVersion(includeDir: string): string {
  const file = [join(includeDir, 'oneapi', 'dnnl', 'dnnl_version.h'), join(includeDir, 'dnnl_version.h')].find((f) => existsSync(f));
  if (file === undefined) return 'unknown';
  const text = readFileSync(file, 'utf8');
  const part = (name: string) => /#define\s+DNNL_VERSION_\w+\s+(\d+)/.exec(text.slice(text.indexOf(`DNNL_VERSION_${name}`) - 8))?.[1] ?? '?';
  return `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
}

function compilerCommand(): string | null {
  for (const cxx of [process.env['CXX'], 'g++', 'clang++']) {
    if (cxx === undefined || cxx === '') continue;
    const r = spawnSync(cxx, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return cxx;
  }
  return null;
}

/** Compiles the addon into `dir`, returning its path or throwing with the compiler's message. */
function build(dir: string): { path: string; built: boolean } {
  const napiInclude = nodeApiIncludeDir();
  if (napiInclude === null) throw new Error('no Node-API headers (the node-api-headers package is missing)');
  const dnnlIncludes = dnnlIncludeDirs();
  if (dnnlIncludes.length === 0) throw new Error('oneDNN headers (dnnl.hpp) not found');
  const cxx = compilerCommand();
  if (cxx === null) throw new Error('no C++ compiler (g++ or clang++, or $CXX)');
  const source = readFileSync(SOURCE);
  const hash = createHash('sha256')
    .update(source)
    .update(dnnlVersion(dnnlIncludes[0] as string))
    .update(readFileSync(join(napiInclude, 'node_api.h')))
    // -march=native: the build is for this machine's processor, so its model is part of the name.
    .update(`${process.platform}-${process.arch}-${cxx}-${cpus()[0]?.model ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  const path = join(dir, `onednn-${hash}.node`);
  if (existsSync(path)) return { path, built: false };
  mkdirSync(dir, { recursive: true });
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const libDirs = process.env['DNNL_ROOT'] ? [`-L${join(process.env['DNNL_ROOT'], 'lib')}`, `-Wl,-rpath,${join(process.env['DNNL_ROOT'], 'lib')}`] : [];
  const args = [
    '-O3',
    '-march=native',
    '-std=c++17',
    '-shared',
    '-fPIC',
    '-fopenmp',
    '-DNODE_GYP_MODULE_NAME=onednn',
    '-DNAPI_VERSION=8',
    `-I${napiInclude}`,
    ...dnnlIncludes.map((d) => `-I${d}`),
    SOURCE,
    '-o',
    temp,
    ...libDirs,
    '-ldnnl',
  ];
  const r = spawnSync(cxx, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(temp, { force: true });
    const detail = `${r.stderr ?? ''}${r.error?.message ?? ''}`.trim().split('\n').slice(0, 5).join(' | ');
    throw new Error(`compiling the oneDNN addon failed (${cxx} exit ${r.status}): ${detail}`);
  }
  renameSync(temp, path); // atomic: a concurrent process sees the whole file or none
  return { path, built: true };
}

/**
 * Loads the oneDNN addon, building it first if needed. Never throws: when oneDNN, a compiler or the
 * headers are missing, the result says why (`ok: false`). The result is remembered for the process.
 *
 * @example
 * ```ts
 * const r = loadOnednnAddon();
 * if (r.ok) console.log(r.addon.info().isa); else console.log(r.reason);
 * ```
 */
export function loadOnednnAddon(options: OnednnLoadOptions = {}): OnednnLoadResult {
  if (loaded !== undefined) return loaded;
  try {
    const given = options.addonPath ?? process.env['CONTRASTIVE_ONEDNN_ADDON'];
    const { path, built } = given !== undefined && given !== '' ? { path: given, built: false } : build(options.cacheDir ?? defaultOnednnCacheDir());
    // libgomp reads its wait policy once, when it loads: a short spin keeps oneDNN's threads from
    // competing with the wasm engine's threads between kernels.
    process.env['GOMP_SPINCOUNT'] ??= '10000';
    const addon = nodeRequire(path) as OnednnAddon;
    loaded = { ok: true, addon, path, built };
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e);
    loaded = { ok: false, reason: why };
  }
  return loaded;
}

/** Forgets the remembered load result (tests only). */
export function resetOnednnAddonForTests(): void {
  loaded = undefined;
}
