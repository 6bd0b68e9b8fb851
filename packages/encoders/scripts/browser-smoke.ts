/**
 * Real-browser smoke test of saved encoders (needs Chromium: `apt-get install chromium`).
 *
 * 1. In Node: builds a few encoders, warms their BatchNorm statistics, saves each with
 *    `saveEncoder` and records `apply(x, { training: false })` on a fixed input (cpu engine).
 * 2. Bundles a page for the browser with esbuild (`platform: 'browser'`): tfjs-core, the cpu
 *    engine, tfjs-layers and `@contrastive/encoders` itself, so a Node-only import anywhere
 *    would fail the bundle.
 * 3. Serves the page and the saved directories over HTTP to headless Chromium, which loads
 *    every model twice: `tf.loadLayersModel(url)` (a plain LayersModel) and
 *    `loadEncoder(tf.io.http(url))`, and posts both outputs back.
 * 4. Compares them with the Node outputs; exits 1 on any mismatch.
 *
 * Run from the repository root:
 *   npx tsx --conditions=contrastive-source packages/encoders/scripts/browser-smoke.ts
 * (CHROMIUM=/path/to/chrome to pick the binary, SMOKE_TIMEOUT_MS to wait longer, DEBUG_SMOKE=1 to log requests)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { build } from 'esbuild';
import { initBackend } from '@contrastive/backend';
import { convNet, mlpEncoder, resnet, saveEncoder, type GraphEncoder } from '@contrastive/encoders';

const chromium = process.env['CHROMIUM'] ?? 'chromium';
const root = await mkdtemp(join(tmpdir(), 'encoders-browser-'));
await initBackend({ prefer: 'cpu' });

/** A deterministic input both sides can build: x[i] = 0.5 + 0.5 sin(i). */
function fixedInput(shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, (_, i) => 0.5 + 0.5 * Math.sin(i)), shape);
}

const models: { name: string; encoder: GraphEncoder; shape: number[] }[] = [
  { name: 'resnet18-imagenet', encoder: resnet({ depth: 18, stem: 'imagenet', widthMultiplier: 0.125, seed: 1 }), shape: [2, 32, 32, 3] },
  { name: 'resnet50-cifar', encoder: resnet({ depth: 50, stem: 'cifar', widthMultiplier: 0.0625, seed: 2 }), shape: [2, 16, 16, 3] },
  { name: 'convnet', encoder: convNet({ widths: [8, 16, 16], seed: 3 }), shape: [2, 20, 20, 3] },
  { name: 'mlp-bn', encoder: mlpEncoder({ inputDim: 10, hidden: [12, 6], batchNorm: true, seed: 4 }), shape: [3, 10] },
];
const expected: Record<string, number[]> = {};
for (const m of models) {
  const x = fixedInput(m.shape);
  const warm = tf.add(x, tf.randomNormal(m.shape, 0, 0.3, 'float32', 9));
  for (let i = 0; i < 3; i++) tf.dispose(m.encoder.apply(warm, { training: true }));
  const h = m.encoder.apply(x, { training: false });
  expected[m.name] = Array.from(h.dataSync());
  await saveEncoder(m.encoder, join(root, 'models', m.name));
  tf.dispose([x, warm, h]);
}

const page = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadEncoder } from '@contrastive/encoders';
const models = ${JSON.stringify(models.map((m) => ({ name: m.name, shape: m.shape })))};
const fixedInput = ${fixedInput.toString()};
(async () => {
  const out = { userAgent: navigator.userAgent, results: {} };
  try {
    await tf.setBackend('cpu');
    for (const m of models) {
      const url = location.origin + '/models/' + m.name + '/model.json';
      const x = fixedInput(m.shape);
      const layersModel = await tfl.loadLayersModel(url);
      const viaLayers = Array.from(layersModel.predict(x).dataSync());
      const encoder = await loadEncoder(tf.io.http(url));
      const viaEncoder = Array.from(encoder.apply(x, { training: false }).dataSync());
      out.results[m.name] = { viaLayers, viaEncoder, encoderName: encoder.name };
    }
  } catch (e) { out.error = String(e && e.stack || e); }
  await fetch('/result', { method: 'POST', body: JSON.stringify(out) });
})();
`;
const bundle = await build({
  stdin: { contents: page, resolveDir: process.cwd(), loader: 'js' },
  bundle: true,
  platform: 'browser',
  format: 'esm',
  conditions: ['contrastive-source'],
  write: false,
  logLevel: 'error',
});
await writeFile(join(root, 'bundle.js'), bundle.outputFiles[0]!.contents);
await writeFile(
  join(root, 'index.html'),
  '<!doctype html><meta charset="utf-8"><script>addEventListener("error", (e) => fetch("/result", { method: "POST", body: JSON.stringify({ error: String(e.message) }) }));</script><script type="module" src="/bundle.js"></script>',
);

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.bin': 'application/octet-stream' };
let resolveResult: (body: string) => void = () => undefined;
const result = new Promise<string>((r) => (resolveResult = r));
const server = createServer(async (req, res) => {
  if (process.env['DEBUG_SMOKE'] !== undefined) console.log('request', req.method, req.url);
  if (req.method === 'POST' && req.url === '/result') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.end('ok');
      resolveResult(body);
    });
    return;
  }
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  const file = path === '/' ? '/index.html' : path;
  try {
    const data = await readFile(join(root, file));
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(data);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as { port: number }).port;
const browser = spawn(
  chromium,
  ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--enable-logging=stderr', '--v=0', `--user-data-dir=${join(root, 'profile')}`, `http://127.0.0.1:${port}/`],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
const consoleLines: string[] = [];
browser.stderr.on('data', (chunk: Buffer) => {
  for (const line of chunk.toString().split('\n')) if (line.includes('CONSOLE')) consoleLines.push(line);
});
const timeout = setTimeout(() => resolveResult(JSON.stringify({ error: 'timed out waiting for the page' })), Number(process.env['SMOKE_TIMEOUT_MS'] ?? 180_000));
const report = JSON.parse(await result) as { userAgent?: string; error?: string; results?: Record<string, { viaLayers: number[]; viaEncoder: number[]; encoderName: string }> };
clearTimeout(timeout);
browser.kill();
server.close();

let failed = report.error !== undefined;
console.log(`browser: ${report.userAgent ?? '?'}`);
if (report.error !== undefined) console.log(`error in the page: ${report.error}\n${consoleLines.join('\n')}`);
for (const m of models) {
  const r = report.results?.[m.name];
  if (r === undefined) {
    failed = true;
    console.log(`${m.name}: no result`);
    continue;
  }
  const want = expected[m.name]!;
  const maxDiff = (got: number[]) => (got.length !== want.length ? Infinity : Math.max(...got.map((v, i) => Math.abs(v - want[i]!))));
  const layersDiff = maxDiff(r.viaLayers);
  const encoderDiff = maxDiff(r.viaEncoder);
  const ok = layersDiff <= 1e-6 && encoderDiff === 0;
  failed ||= !ok;
  console.log(`${m.name.padEnd(18)} tf.loadLayersModel max|diff| ${layersDiff.toExponential(1)}   loadEncoder max|diff| ${encoderDiff.toExponential(1)}   ${ok ? 'ok' : 'MISMATCH'}`);
}
await rm(root, { recursive: true, force: true });
console.log(failed ? 'browser smoke test FAILED' : 'browser smoke test passed');
process.exit(failed ? 1 : 0);
