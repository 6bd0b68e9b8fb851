#!/usr/bin/env node
/**
 * The consumer test (issue 13): what a user of the published packages meets.
 *   pack   `npm pack` of every package (its prepack builds it and adds LICENSE), sizes listed;
 *   attw   @arethetypeswrong/cli on every tarball (profile esm-only);
 *   install the tarballs into an empty project outside the workspace (npm cache first);
 *   (a) ESM in Node.js: the root README example, every package README's example, three SimCLR steps;
 *   (b) CommonJS `require` of every package entry (Node >= 20.19 loads the ESM through require);
 *   (c) `tsc --strict --noEmit`, skipLibCheck false, no @types/node, on code using every neutral entry;
 *   (d) an esbuild bundle with platform 'browser' of every neutral entry;
 *   (e) headless Chromium: three SimCLR steps with the cpu and wasm engines; cpu losses equal Node's.
 * Prints one pass/FAIL line per step and exits non-zero if any failed. Needs the packages built
 * (test-all runs it after nx lint) and Chromium ($CHROMIUM, default /usr/bin/chromium).
 * CONSUMER_KEEP=1 keeps the temporary project. CONSUMER_STEPS=a,e (letters, or attw) runs only those
 * steps after pack and install, for development; the summary line then says which ran.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const fixtures = join(root, 'scripts', 'consumer');
const rootRequire = createRequire(join(root, 'package.json'));
const work = mkdtempSync(join(tmpdir(), 'contrastive-consumer-'));
const project = join(work, 'project');
const packDir = join(work, 'tarballs');
const packages = readdirSync(join(root, 'packages')).filter((p) => existsSync(join(root, 'packages', p, 'package.json'))).sort();
const manifest = (p) => JSON.parse(readFileSync(join(root, 'packages', p, 'package.json'), 'utf8'));
const results = [];
const only = process.env.CONSUMER_STEPS === undefined ? null : new Set(process.env.CONSUMER_STEPS.split(','));
const wanted = (step) => only === null || only.has(step);
const started = Date.now();

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options, env: { ...process.env, NX_DAEMON: 'false', ...(options.env ?? {}) } });
  return { status: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, stdout: r.stdout ?? '' };
}
let lastMark = Date.now();
function record(step, ok, detail) {
  results.push({ step, ok });
  const seconds = ((Date.now() - lastMark) / 1000).toFixed(0);
  lastMark = Date.now();
  console.log(`consumer ${step}: ${ok ? 'pass' : 'FAIL'} [${seconds} s]${detail ? ` (${detail})` : ''}`);
}
function failDetail(out) {
  return out.trim().split('\n').slice(-15).join('\n    ');
}
/** The first fenced block of `lang` in a markdown file (after `after`, when given). */
function codeBlock(file, lang, after = '') {
  const text = readFileSync(file, 'utf8');
  const from = after === '' ? 0 : text.indexOf(after);
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(text.slice(Math.max(0, from)));
  if (m === null) throw new Error(`${file}: no \`\`\`${lang} block${after ? ` after "${after}"` : ''}`);
  return m[1];
}

// --- pack -------------------------------------------------------------------------------------
mkdirSync(packDir, { recursive: true });
// One nx build of everything (cache hits after `nx lint`), then `npm pack`, whose prepack would
// otherwise start nx once per package; CONTRASTIVE_PREPACK_BUILT tells it the build is done (it
// still copies LICENSE and checks the files the exports name).
const build = run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], { cwd: root });
const pack =
  build.status !== 0
    ? build
    : run('npm', ['pack', '--json', '--pack-destination', packDir, ...packages.flatMap((p) => ['-w', `packages/${p}`])], { cwd: root, env: { CONTRASTIVE_PREPACK_BUILT: '1' } });
let tarballs = [];
try {
  const json = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')));
  tarballs = json.map((t) => ({ name: t.name, file: join(packDir, t.filename), size: t.size, unpacked: t.unpackedSize, files: t.files.map((f) => f.path) }));
} catch {
  /* reported below */
}
const packProblems = [];
for (const t of tarballs) {
  for (const need of ['README.md', 'LICENSE', 'package.json', 'dist/index.js', 'dist/index.d.ts']) if (!t.files.includes(need)) packProblems.push(`${t.name} lacks ${need}`);
  for (const f of t.files) if (f.endsWith('.map') || f.startsWith('src/')) packProblems.push(`${t.name} ships ${f}`);
}
record('pack', pack.status === 0 && tarballs.length === packages.length && packProblems.length === 0, pack.status !== 0 ? failDetail(pack.out) : packProblems.join('; ') || `${tarballs.length} tarballs`);
for (const t of tarballs) console.log(`    ${t.name.padEnd(24)} ${(t.size / 1000).toFixed(1).padStart(7)} kB packed ${(t.unpacked / 1000).toFixed(1).padStart(7)} kB unpacked ${String(t.files.length).padStart(3)} files`);

// --- attw: the tarballs' types resolve as a TypeScript consumer's would ---------------------------
// Profile esm-only: it leaves out TypeScript's node10 resolution (no `exports`, so no subpaths) and
// node16-cjs, whose model predates require(esm); CommonJS is tested for real in (b). docs/publishing.md.
const attwBin = join(root, 'node_modules', '.bin', 'attw');
const attwFailures = [];
for (const t of wanted('attw') ? tarballs : []) {
  const r = run(attwBin, ['--profile', 'esm-only', '--format', 'ascii', '--no-emoji', '--no-color', t.file]);
  if (r.status !== 0) attwFailures.push(`${t.name}: ${failDetail(r.out)}`);
}
if (wanted('attw')) record('attw (@arethetypeswrong/cli --profile esm-only)', tarballs.length > 0 && attwFailures.length === 0, attwFailures.join('\n    ') || `${tarballs.length} tarballs`);

// --- install ----------------------------------------------------------------------------------
mkdirSync(project, { recursive: true });
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
const tfjs = ['tfjs-core', 'tfjs-layers', 'tfjs-backend-cpu', 'tfjs-backend-wasm'].map((p) => `@tensorflow/${p}@4.22.0`);
const install = tarballs.length === 0 ? { status: 1, out: 'nothing packed' } : run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.map((t) => t.file), ...tfjs], { cwd: project });
record('install', install.status === 0, install.status === 0 ? `into ${project}` : failDetail(install.out));
for (const f of readdirSync(fixtures)) copyFileSync(join(fixtures, f), join(project, f));
if (install.status !== 0) {
  for (const step of ['(a)', '(b)', '(c)', '(d)', '(e)']) record(step, false, 'not run: nothing installed');
  finish();
}

// --- (a) ESM ----------------------------------------------------------------------------------
// Node's SimCLR losses are also what (e) compares the browser's with, so node-steps always runs.
const examples = [['README.md (root)', codeBlock(join(root, 'README.md'), 'ts', 'A new mix is a few lines')]];
for (const p of packages) examples.push([`packages/${p}/README.md`, codeBlock(join(root, 'packages', p, 'README.md'), 'js')]);
const esmFailures = [];
(wanted('a') ? examples : []).forEach(([name, code], i) => {
  const file = join(project, `example-${i}.mjs`);
  writeFileSync(file, code);
  const r = run(process.execPath, [file], { cwd: project });
  if (r.status !== 0) esmFailures.push(`${name}: ${failDetail(r.out)}`);
});
const nodeSteps = run(process.execPath, ['node-steps.mjs'], { cwd: project });
let nodeResult = null;
try {
  nodeResult = JSON.parse(nodeSteps.stdout.trim().split('\n').pop());
} catch {
  esmFailures.push(`node-steps.mjs: ${failDetail(nodeSteps.out)}`);
}
const nodeOk = nodeResult !== null && nodeResult.losses.length === 3 && nodeResult.losses.every(Number.isFinite) && nodeResult.checkpointStep === 3 && nodeResult.sharedRegistry === true;
if (nodeResult !== null && !nodeOk) esmFailures.push(`node-steps.mjs: unexpected result ${JSON.stringify(nodeResult)}`);
if (wanted('a')) record('(a) ESM in Node.js', esmFailures.length === 0, esmFailures.length > 0 ? esmFailures.join('\n    ') : `${examples.length} README examples; SimCLR losses on cpu ${JSON.stringify(nodeResult.losses)}`);

// --- (b) CommonJS require ---------------------------------------------------------------------
const specifiers = packages.flatMap((p) => Object.keys(manifest(p).exports).filter((k) => k !== './package.json').map((k) => `@contrastive/${p}${k.slice(1)}`));
writeFileSync(
  join(project, 'require-all.cjs'),
  `const failures = [];\nfor (const s of ${JSON.stringify(specifiers)}) {\n  try { const m = require(s); if (Object.keys(m).length === 0) failures.push(s + ': no exports'); }\n  catch (e) { failures.push(s + ': ' + (e.code || '') + ' ' + e.message.split('\\n')[0]); }\n}\nif (failures.length > 0) { console.error(failures.join('\\n')); process.exit(1); }\nconsole.log('required ' + ${specifiers.length} + ' entries');\n`,
);
if (wanted('b')) {
  const cjs = run(process.execPath, ['require-all.cjs'], { cwd: project });
  record('(b) CommonJS require', cjs.status === 0, cjs.status === 0 ? cjs.out.trim() : failDetail(cjs.out));
}

// --- (c) strict TypeScript --------------------------------------------------------------------
writeFileSync(
  join(project, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'], exactOptionalPropertyTypes: true },
    files: ['strict-consumer.ts'],
  }),
);
const hasNodeTypes = existsSync(join(project, 'node_modules', '@types', 'node'));
if (wanted('c')) {
  const tsc = run(process.execPath, [rootRequire.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: project });
  record('(c) tsc --strict, skipLibCheck false, no @types/node', tsc.status === 0 && !hasNodeTypes, hasNodeTypes ? '@types/node got installed' : tsc.status === 0 ? `${packages.length} neutral entries` : failDetail(tsc.out));
}

// --- (d) esbuild for the browser --------------------------------------------------------------
const esbuild = rootRequire('esbuild');
const bundleFailures = [];
for (const p of wanted('d') ? packages : []) {
  try {
    await esbuild.build({
      stdin: { contents: `export * from '@contrastive/${p}';`, resolveDir: project, loader: 'js' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
  } catch (e) {
    bundleFailures.push(`@contrastive/${p}: ${(e.errors ?? []).map((x) => x.text).slice(0, 3).join('; ') || e.message}`);
  }
}
if (wanted('d')) record("(d) esbuild platform 'browser'", bundleFailures.length === 0, bundleFailures.length > 0 ? bundleFailures.join('\n    ') : `${packages.length} neutral entries bundled`);

// --- (e) headless Chromium --------------------------------------------------------------------
async function browserSteps() {
  const bundle = await esbuild.build({ entryPoints: [join(project, 'page.mjs')], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
  const files = new Map([
    ['/', { type: 'text/html', data: '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>' }],
    ['/page.js', { type: 'text/javascript', data: bundle.outputFiles[0].contents }],
  ]);
  const wasmDir = join(project, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) files.set(`/wasm/${f}`, { type: 'application/wasm', data: readFileSync(join(wasmDir, f)) });
  let resolveResult;
  const result = new Promise((r) => (resolveResult = r));
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/result') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => (res.end('ok'), resolveResult(body)));
      return;
    }
    const f = files.get(normalize(new URL(req.url ?? '/', 'http://x').pathname));
    if (f === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': f.type }).end(f.data);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { chromium } = rootRequire('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const logs = [];
  try {
    const page = await browser.newPage();
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const timeout = new Promise((r) => setTimeout(() => r(JSON.stringify({ error: 'timed out after 240 s' })), 240_000));
    return { report: JSON.parse(await Promise.race([result, timeout])), logs };
  } finally {
    await browser.close();
    server.close();
  }
}
if (wanted('e')) try {
  const { report, logs } = await browserSteps();
  const problems = [];
  if (report.error !== undefined) problems.push(`page error: ${report.error}\n    ${logs.slice(-10).join('\n    ')}`);
  const cpu = report.runs?.cpu;
  const wasm = report.runs?.wasm;
  const tolerance = (a, b) => Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));
  if (cpu === undefined || wasm === undefined) problems.push('missing engine results');
  else {
    if (cpu.engine !== 'cpu' || wasm.engine !== 'wasm') problems.push(`engines ${cpu.engine}, ${wasm.engine}`);
    if (nodeResult === null || cpu.losses.length !== 3 || !cpu.losses.every((l, i) => tolerance(l, nodeResult.losses[i]))) problems.push(`cpu losses ${JSON.stringify(cpu.losses)} differ from Node's ${JSON.stringify(nodeResult?.losses)}`);
    if (wasm.losses.length !== 3 || !wasm.losses.every(Number.isFinite)) problems.push(`wasm losses ${JSON.stringify(wasm.losses)}`);
    for (const r of [cpu, wasm]) if (r.checkpointStep !== 3 || !String(r.checkpoint).startsWith('indexeddb:')) problems.push(`${r.engine}: checkpoint ${r.checkpoint} step ${r.checkpointStep}`);
  }
  const maxDiff = cpu && nodeResult ? Math.max(...cpu.losses.map((l, i) => Math.abs(l - nodeResult.losses[i]))) : NaN;
  record(
    '(e) headless Chromium, cpu and wasm',
    problems.length === 0,
    problems.length > 0 ? problems.join('; ') : `${report.userAgent.match(/Chrome\/[\d.]+/)?.[0]}; cpu ${JSON.stringify(cpu.losses)} (max |diff| to Node ${maxDiff.toExponential(1)}); wasm ${JSON.stringify(wasm.losses)}`,
  );
} catch (e) {
  record('(e) headless Chromium, cpu and wasm', false, String(e?.stack ?? e));
}

finish();

function finish() {
  if (process.env.CONSUMER_KEEP !== '1') rmSync(work, { recursive: true, force: true });
  const failed = results.filter((r) => !r.ok).map((r) => r.step);
  const scope = only === null ? '' : ` (only steps ${[...only].join(', ')}: CONSUMER_STEPS)`;
  console.log(`consumer test: ${results.length - failed.length} passed, ${failed.length} failed${failed.length ? ` (${failed.join(', ')})` : ''} in ${Math.round((Date.now() - started) / 1000)} s${scope}`);
  process.exit(failed.length === 0 ? 0 : 1);
}
