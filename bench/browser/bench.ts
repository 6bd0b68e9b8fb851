/**
 * Training speed in the browser (issue 18, point 6): steps per second of the main job's SimCLR
 * step (ResNet-18, CIFAR stem, at MAIN_CONFIG's width multiplier; batch 64 of random 32x32x3
 * images; see workload.ts) on each engine headless Chromium offers, next to Node's wasm and
 * wasm+onednn engines measured in the same run.
 *
 * 1. Probe: Chromium is launched with each of a few flag sets and a probe page reports what it
 *    offers (WebGL renderer, WebGPU adapter, cross-origin isolation) and which engines
 *    `initWebBackend` starts.
 * 2. Timing: one fresh browser per engine (launched with `--flags`), the page bundled by esbuild
 *    from page.ts and served from 127.0.0.1 with COOP/COEP headers (`crossOriginIsolated`, so
 *    SharedArrayBuffer and wasm threads), or without them for `wasm-noisolation` (the
 *    single-threaded SIMD build); `wasm-threads2` asks tfjs-wasm for 2 threads (page.ts). `webgl`
 *    runs with tfjs's SOFTWARE_WEBGL_ENABLED flag (Chromium's WebGL here is SwiftShader, software).
 *    Step 1's loss is compared with the first run's: an engine more than 2 % off is not counted.
 * 3. Node: each engine in a child process (`initBackend({ prefer })` of @contrastive/backend).
 *
 * Each run: `--warmup` steps, then up to `--repeats` repeats of `--steps` steps (fewer when
 * `--budget` seconds of timed steps are spent); steps/s is the median over the repeats. The table's
 * ratio column divides by Node's wasm. The load average (`uptime`) is printed before and after.
 *
 * Run from the repository root:
 *   npm run bench:browser -- [--batch 64] [--warmup 2] [--steps 3] [--repeats 3] [--budget 60]
 *     [--browser wasm,wasm-threads2,wasm-noisolation,webgl,webgpu] [--node wasm,wasm+onednn] [--width 0.25]
 *     [--threads 2] [--page-timeout 300] [--slow webgl] [--slow-timeout 600] [--no-probe]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runChild } from '../run-child.js';
import { formatTable, median, repeatRates, type SpeedRow } from './format.js';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '64' },
    warmup: { type: 'string', default: '2' },
    steps: { type: 'string', default: '3' },
    repeats: { type: 'string', default: '3' },
    budget: { type: 'string', default: '60' },
    browser: { type: 'string', default: 'wasm,wasm-threads2,wasm-noisolation,webgl,webgpu' },
    node: { type: 'string', default: 'wasm,wasm+onednn' },
    width: { type: 'string' },
    threads: { type: 'string' },
    flags: { type: 'string', default: '--no-sandbox,--disable-dev-shm-usage,--enable-unsafe-webgpu' },
    'page-timeout': { type: 'string', default: '300' },
    slow: { type: 'string', default: 'webgl' },
    'slow-timeout': { type: 'string', default: '600' },
    'no-probe': { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});
const workload = {
  batch: Number(values.batch),
  warmup: Number(values.warmup),
  steps: Number(values.steps),
  repeats: Number(values.repeats),
  budgetSeconds: Number(values.budget),
  ...(values.width === undefined ? {} : { widthMultiplier: Number(values.width) }),
};
const root = fileURLToPath(new URL('../..', import.meta.url));
const rootRequire = createRequire(join(root, 'package.json'));

interface RunResult {
  readonly engine?: string;
  readonly threads?: string;
  readonly encoder?: string;
  readonly params?: number;
  readonly rates?: number[];
  readonly stepSeconds?: number[];
  readonly losses?: number[];
  readonly numTensorsLeaked?: number;
  readonly error?: string;
}

// ---------------------------------------------------------------------------------------------
// Child: one Node engine.
// ---------------------------------------------------------------------------------------------
if (values.child !== undefined) {
  let out: RunResult;
  try {
    const { initBackend } = await import('@contrastive/backend');
    const { runWorkload } = await import('./workload.js');
    const report = await initBackend({ prefer: values.child as 'wasm', ...(values.threads === undefined ? {} : { threads: Number(values.threads) }) });
    const r = await runWorkload(workload);
    const threads = `${report.threads ?? '?'}${report.simd === true ? ' (SIMD)' : ''}${report.onednn === null ? '' : `; oneDNN ${report.onednn.isa}, ${report.onednn.threads} threads`}`;
    out = { engine: report.engine, threads, ...r };
  } catch (e) {
    out = { error: String(e instanceof Error ? e.message : e).slice(0, 400) };
  }
  console.log(`RESULT ${JSON.stringify(out)}`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Parent.
// ---------------------------------------------------------------------------------------------
const uptime = (): string => {
  const r = spawnSync('uptime', [], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : `load average ${loadavg().map((x) => x.toFixed(2)).join(', ')}`;
};

async function bundle(): Promise<Uint8Array> {
  const esbuild = rootRequire('esbuild') as typeof import('esbuild');
  const r = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    conditions: ['contrastive-source'],
    write: false,
    logLevel: 'error',
  });
  return (r.outputFiles[0] as { contents: Uint8Array }).contents;
}

/** The page server: the HTML with COOP/COEP unless `?isolate=0`, the bundle, the wasm files; POST /result resolves `next()`. */
function serve(page: Uint8Array): { server: Server; ready: Promise<number>; next: () => Promise<string> } {
  const files = new Map<string, { type: string; data: Uint8Array | string }>([['/page.js', { type: 'text/javascript', data: page }]]);
  const wasmDir = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) files.set(`/wasm/${f}`, { type: 'application/wasm', data: readFileSync(join(wasmDir, f)) });
  let resolveResult: (s: string) => void = () => {};
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const isolation = url.searchParams.get('isolate') === '0' ? {} : { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    if (req.method === 'POST' && url.pathname === '/result') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.end('ok');
        resolveResult(body);
      });
      return;
    }
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html', ...isolation }).end('<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>');
      return;
    }
    const f = files.get(url.pathname);
    if (f === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': f.type, 'Cross-Origin-Resource-Policy': 'same-origin', ...isolation }).end(f.data);
  });
  const ready = new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)));
  return { server, ready, next: () => new Promise<string>((r) => (resolveResult = r)) };
}

type Page = ReturnType<typeof serve>;

/** Opens `query` in a fresh Chromium launched with `args`; the posted JSON, or an error object. */
async function openPage(page: Page, args: readonly string[], query: string, timeoutSeconds = Number(values['page-timeout'])): Promise<RunResult & Record<string, unknown>> {
  const { chromium } = rootRequire('playwright-core') as typeof import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM'] ?? '/usr/bin/chromium', args: [...args] });
  const logs: string[] = [];
  try {
    const tab = await browser.newPage();
    tab.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    tab.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    const result = page.next();
    // 'commit': the module's top-level await (the whole run) holds back the load event.
    await tab.goto(`http://127.0.0.1:${await page.ready}/?${query}`, { waitUntil: 'commit' });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((r) => (timer = setTimeout(() => r(JSON.stringify({ error: `timed out after ${timeoutSeconds} s` })), timeoutSeconds * 1000)));
    const body = JSON.parse(await Promise.race([result, timeout])) as RunResult & Record<string, unknown>;
    clearTimeout(timer);
    if (body.error !== undefined && body.stepSeconds === undefined) {
      // Out of time (or failed) mid-run: the steps it finished, from the page's STEP lines.
      const done = logs.filter((l) => l.startsWith('log: STEP ')).map((l) => l.split(' ').slice(2).map(Number) as [number, number]);
      const ends = done.map((_, i) => 1000 * done.slice(0, i + 1).reduce((a, [sec]) => a + sec, 0));
      const w = Number(new URLSearchParams(query).get('warmup') ?? workload.warmup);
      const k = Number(new URLSearchParams(query).get('steps') ?? workload.steps);
      return { ...body, stepSeconds: done.map(([sec]) => sec), losses: done.map(([, l]) => l), rates: repeatRates(0, ends, w, k) };
    }
    const errors = logs.filter((l) => l.startsWith('error') || l.startsWith('pageerror'));
    return body.error !== undefined && errors.length > 0 ? { ...body, error: `${body.error} | ${errors.slice(-3).join(' | ')}` } : body;
  } catch (e) {
    return { error: String(e instanceof Error ? e.message : e).split('\n')[0] ?? '' };
  } finally {
    await browser.close();
  }
}

const PROBE_FLAGS: readonly (readonly string[])[] = [
  ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  ['--no-sandbox', '--disable-dev-shm-usage'],
  ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--enable-unsafe-webgpu'],
  ['--no-sandbox', '--disable-dev-shm-usage', '--enable-unsafe-webgpu'],
  ['--no-sandbox', '--disable-dev-shm-usage', '--enable-unsafe-webgpu', '--use-angle=swiftshader', '--enable-features=Vulkan'],
];

const BROWSER_RUNS: Readonly<Record<string, { engine: string; query: string }>> = {
  wasm: { engine: 'wasm', query: 'engine=wasm' },
  'wasm-threads2': { engine: 'wasm', query: 'engine=wasm&threads=2' },
  'wasm-noisolation': { engine: 'wasm', query: 'engine=wasm&isolate=0' },
  webgl: { engine: 'webgl', query: 'engine=webgl&softwareWebgl=1' },
  webgpu: { engine: 'webgpu', query: 'engine=webgpu' },
  cpu: { engine: 'cpu', query: 'engine=cpu' },
};

async function runNode(engine: string): Promise<RunResult> {
  const self = fileURLToPath(import.meta.url);
  const pass = process.argv.slice(2).filter((a) => a !== '--no-probe');
  const r = await runChild(process.execPath, [...process.execArgv, self, ...pass, '--child', engine]);
  const line = r.out.split('\n').find((l) => l.startsWith('RESULT '));
  if (line === undefined) return { error: (r.err.trim().split('\n').slice(-3).join(' | ') || `exit code ${r.code}`).slice(0, 400) };
  return JSON.parse(line.slice('RESULT '.length)) as RunResult;
}

const describe = (r: RunResult): string =>
  r.error !== undefined
    ? `failed: ${r.error.split('\n')[0]}`
    : `${median(r.rates ?? []).toFixed(3)} steps/s (repeats ${(r.rates ?? []).map((x) => x.toFixed(3)).join(' / ')}; step s ${(r.stepSeconds ?? []).map((x) => x.toFixed(2)).join(' ')}; loss ${(r.losses ?? []).at(-1)?.toFixed(4)}; threads ${r.threads})`;

const started = Date.now();
const slowRuns = (values.slow ?? '').split(',');
const flags = (values.flags ?? '').split(',').filter((f) => f !== '');
console.log(`# browser speed bench — Node ${process.version}, ${availableParallelism()} cores`);
console.log(`# before: ${uptime()}`);
console.log(`# workload: MAIN_CONFIG SimCLR step, batch ${workload.batch} (${2 * workload.batch} views of 32x32x3), ${workload.warmup} warm-up steps, then up to ${workload.repeats} repeats of ${workload.steps} steps (budget ${workload.budgetSeconds} s of timed steps per engine)`);
const page = serve(await bundle());
try {
  if (values['no-probe'] !== true) {
    for (const args of PROBE_FLAGS) {
      const p = await openPage(page, args, 'probe=1');
      console.log(`probe [${args.join(' ')}]: ${JSON.stringify(p)}`);
    }
  }
  console.log(`# timed browser runs: chromium ${flags.join(' ')}`);
  const rows: SpeedRow[] = [];
  let encoder = '';
  const firstLoss: { value?: number } = {};
  const add = (name: string, where: 'browser' | 'Node', r: RunResult, note = ''): void => {
    console.log(`${where} ${name}: ${describe(r)}`);
    // Step 1's loss is the same computation on every engine (same weights, images and augmentation);
    // an engine far from Node wasm's computes something else, and its speed means little.
    const l1 = r.losses?.[0];
    if (firstLoss.value === undefined && l1 !== undefined) firstLoss.value = l1;
    // 2 % relative: WebGL's texture arithmetic moves step 1's loss by a few tenths of a percent.
    const wrong = l1 !== undefined && firstLoss.value !== undefined && !(Math.abs(l1 - firstLoss.value) <= 0.02 * Math.abs(firstLoss.value));
    const measured = median(r.rates ?? []);
    const lossNote =
      l1 === undefined ? '' : wrong ? `NOT COUNTED: loss at step 1 ${l1.toFixed(4)}, the first run's ${firstLoss.value?.toFixed(4)} (it computes something else${Number.isFinite(measured) ? `; it ran at ${measured.toFixed(3)} steps/s` : ''})` : `loss at step 1 ${l1.toFixed(4)}`;
    if (r.encoder !== undefined) encoder = `${r.encoder}, ${((r.params ?? 0) / 1e6).toFixed(3)}M trainable parameters`;
    const partial = r.error !== undefined && (r.stepSeconds ?? []).length > 0 ? `steps finished before that: ${(r.stepSeconds ?? []).map((x) => `${x.toFixed(1)} s`).join(', ')}` : '';
    const notes = [note, lossNote, r.error === undefined ? '' : `failed: ${r.error.split('\n')[0]}`, partial, (r.numTensorsLeaked ?? 0) !== 0 ? `${r.numTensorsLeaked} tensors leaked` : ''].filter((s) => s !== '');
    rows.push({ engine: where === 'browser' ? name : (r.engine ?? name), where, rates: wrong ? [] : (r.rates ?? []), threads: r.threads ?? '-', note: notes.join('; ') });
  };
  const nodeEngines = (values.node ?? '').split(',').filter((e) => e !== '');
  if (nodeEngines.includes('wasm')) add('wasm', 'Node', await runNode('wasm'));
  for (const name of (values.browser ?? '').split(',').filter((e) => e !== '')) {
    const run = BROWSER_RUNS[name];
    if (run === undefined) throw new Error(`--browser: unknown run ${name}; known: ${Object.keys(BROWSER_RUNS).join(', ')}`);
    const threads = values.threads === undefined || run.engine !== 'wasm' || run.query.includes('threads=') ? '' : `&threads=${values.threads}`;
    const width = values.width === undefined ? '' : `&width=${values.width}`;
    // A slow engine (SwiftShader's WebGL: minutes per step) gets one step, timed with its shader
    // compilation: a lower bound of its speed.
    const slow = slowRuns.includes(name);
    const plan = slow ? `warmup=0&steps=1&repeats=1&budget=0` : `warmup=${workload.warmup}&steps=${workload.steps}&repeats=${workload.repeats}&budget=${workload.budgetSeconds}`;
    const q = `${run.query}&batch=${workload.batch}&${plan}${threads}${width}`;
    const notes = [name === 'wasm-noisolation' ? 'page served without COOP/COEP' : '', name === 'webgl' ? 'SOFTWARE_WEBGL_ENABLED' : '', slow ? 'one step, shader compilation included (--slow): a lower bound' : ''];
    add(name, 'browser', await openPage(page, flags, q, slow ? Number(values['slow-timeout']) : undefined), notes.filter((x) => x !== '').join('; '));
  }
  for (const e of nodeEngines.filter((e) => e !== 'wasm')) add(e, 'Node', await runNode(e));
  console.log(`\n# ${encoder}; batch ${workload.batch}`);
  console.log(formatTable(rows, workload.batch, { engine: 'wasm', where: 'Node' }));
} finally {
  page.server.close();
}
console.log(`\n# after: ${uptime()}`);
console.log(`# total ${Math.round((Date.now() - started) / 1000)} s`);
