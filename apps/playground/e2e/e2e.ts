/**
 * The playground's end-to-end test: starts the Vite dev server (as `npm run playground` does),
 * drives Debian's Chromium with playwright-core and checks, for the wasm and cpu engines (and
 * webgl when the headless browser offers it):
 *   - the page loads, the engine is shown, the augmentation preview grid renders and redraws
 *     when a slider moves;
 *   - 10+ training steps run in the worker and the loss curve shows every one of them;
 *   - the worker survives pause / resume (no step while paused, steps again after);
 *   - the main thread is never blocked > 50 ms while training (Long Tasks API: no entry);
 *   - a reload finds the IndexedDB checkpoint and resumes at the step it was saved at;
 *   - the exported model.json + weights.bin load in Node (`loadEncoder`) and give the page's
 *     embeddings (downloaded as .npy) within float32 tolerance; the model imports back;
 *   - the 2-D map shows a thumbnail on hover.
 * Fails (never skips) when Chromium or the CIFAR-10 files are missing. Screenshots go to
 * $E2E_SCREENSHOTS (a temporary directory when unset; `E2E_SCREENSHOTS=apps/playground/docs`
 * refreshes the README's). Environment: CHROMIUM (default /usr/bin/chromium),
 * CONTRASTIVE_DATA_DIR (default ../shared/data beside the repository), E2E_ENGINES (default
 * wasm,cpu,webgl), E2E_HEADED=1.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadEncoder, saveEncoder } from '@contrastive/encoders';
import { embedDataset } from '@contrastive/experiment';
import { parseCifar10 } from '../src/datasets.js';
import { yamlToConfig } from '../src/state.js';
import { decodeNpy } from '../src/npy.js';
import type { TrainingState } from '../src/state.js';

const app = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
// Screenshots: the README's (apps/playground/docs) only when asked, so a test run leaves the tree clean.
const docs = process.env['E2E_SCREENSHOTS'] === undefined ? mkdtempSync(path.join(tmpdir(), 'playground-shots-')) : path.resolve(process.env['INIT_CWD'] ?? process.cwd(), process.env['E2E_SCREENSHOTS']); // npm runs scripts in the workspace; INIT_CWD is where the user typed
const chromiumPath = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
const dataDir = path.resolve(process.env['CONTRASTIVE_DATA_DIR'] ?? path.join(app, '..', '..', '..', 'shared', 'data'));
const TRAIN_FILE = 'cifar10/lossless/train_first4000.bin';
const TEST_FILE = 'cifar10/lossless/test_first1000.bin';
const MAP_POINTS = 300;
const started = Date.now();
const results: { name: string; ok: boolean; detail: string; seconds: number }[] = [];
let mark = Date.now();

function record(name: string, ok: boolean, detail: string): void {
  const seconds = (Date.now() - mark) / 1000;
  mark = Date.now();
  results.push({ name, ok, detail, seconds });
  console.log(`e2e ${name}: ${ok ? 'pass' : 'FAIL'} [${seconds.toFixed(1)} s] ${detail}`);
}

function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

const missing: string[] = [];
if (!existsSync(chromiumPath)) missing.push(`Chromium not found at ${chromiumPath} (apt-get install chromium, or set CHROMIUM)`);
for (const f of [TRAIN_FILE, TEST_FILE]) if (!existsSync(path.join(dataDir, f))) missing.push(`CIFAR-10 file ${path.join(dataDir, f)} not found (set CONTRASTIVE_DATA_DIR to the directory holding ${f})`);
if (missing.length > 0) {
  console.error(`e2e: cannot run:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}

/** The page's state (null while the page is (re)loading: Vite reloads it once after optimising dependencies on a first run). */
const pageState = (page: Page): Promise<TrainingState | null> =>
  page.evaluate(() => (window as unknown as { __playground?: { state(): TrainingState } }).__playground?.state() ?? null).catch(() => null);
async function state(page: Page): Promise<TrainingState> {
  const s = await pageState(page);
  if (s === null) throw new Error('the page has no state (not loaded)');
  return s;
}

async function waitFor(page: Page, what: string, pred: (s: TrainingState) => boolean, timeoutMs = 120_000): Promise<TrainingState> {
  const end = Date.now() + timeoutMs;
  let unloadedSince = Date.now();
  let reloaded = false;
  for (;;) {
    const s = await pageState(page);
    if (s !== null) unloadedSince = Date.now();
    else if (!reloaded && Date.now() - unloadedSince > 60_000) {
      // A page stuck before its script ran (e.g. the dev server restarted under it): load it again, once.
      reloaded = true;
      await page.reload().catch(() => undefined);
    }
    if (s === null) {
      if (Date.now() > end) throw new Error(`${what}: timed out after ${timeoutMs / 1000} s; the page never loaded`);
      await page.waitForTimeout(200);
      continue;
    }
    if (pred(s)) return s;
    if (s.error !== null) throw new Error(`${what}: page error ${s.error}`);
    if (Date.now() > end) throw new Error(`${what}: timed out after ${timeoutMs / 1000} s; state ${JSON.stringify({ ...s, steps: s.steps.length, monitors: s.monitors.length })}`);
    await page.waitForTimeout(100);
  }
}

const LONG_TASKS = `
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration }); })
      .observe({ type: 'longtask', buffered: true });
    window.__longTasksSupported = PerformanceObserver.supportedEntryTypes.includes('longtask');
  } catch (e) { window.__longTasksSupported = false; }
  // Long Animation Frames name the scripts of a slow frame: printed next to a long task.
  window.__loaf = [];
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__loaf.push({ start: e.startTime, duration: e.duration, blocking: e.blockingDuration,
      scripts: (e.scripts || []).map((s) => ({ invoker: s.invoker, source: (s.sourceURL || '').split('/').pop(), ms: Math.round(s.duration) })) }); })
      .observe({ type: 'long-animation-frame', buffered: true });
  } catch (e) { /* older Chromium */ }
`;

interface EngineRun {
  engine: string;
  checkpointStep: number;
}

async function trainOnEngine(browser: Browser, base: string, engine: string, screenshots: boolean, exportDir: string | null): Promise<EngineRun | null> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 1300 } });
  await context.addInitScript(LONG_TASKS);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  const store = `e2e-${engine}-${Date.now()}`;
  // wasm: the full check with the monitors and the map during training; cpu and webgl (software
  // rendering in headless Chromium) are ~20x slower here, so they train smaller batches with the
  // monitor at the start only and the map at the end.
  const fast = engine === 'wasm';
  const sizes = fast ? `trainLimit=256&testLimit=${MAP_POINTS}&batch=16&monitorEvery=10&mapEvery=10` : 'trainLimit=128&testLimit=100&batch=8&monitorEvery=1000&mapEvery=0';
  const url = `${base}/?engine=${engine}&${sizes}&steps=40&checkpointEvery=5&store=${store}`;
  try {
    await page.goto(url);
    const ready = await waitFor(page, `${engine}: page ready`, (s) => s.status === 'ready' || s.status === 'error', 180_000);
    if (ready.status === 'error') {
      if (engine === 'webgl') {
        record(`${engine}: engine`, true, `not offered by this headless Chromium (${ready.error}); webgl left out`);
        return null;
      }
      throw new Error(`${engine}: ${ready.error}`);
    }
    check(ready.engine === engine, `engine shown ${ready.engine}, asked for ${engine}`);
    check((await page.textContent('#engine'))?.includes(engine) === true, 'the page does not show the engine');
    // The dev server's COOP/COEP headers make the page cross-origin isolated (threaded tfjs-wasm).
    check(await page.evaluate(() => globalThis.crossOriginIsolated), 'the page is not cross-origin isolated (COOP/COEP headers missing)');
    // The preview grid: drawn, then redrawn when a slider moves.
    await page.waitForFunction(() => Number(document.getElementById('preview')?.dataset['updates'] ?? 0) >= 1, null, { timeout: 60_000 });
    const before = await page.evaluate(() => Number(document.getElementById('preview')?.dataset['updates']));
    const size = await page.evaluate(() => [(document.getElementById('preview') as HTMLCanvasElement).width, (document.getElementById('preview') as HTMLCanvasElement).height]);
    await page.locator('#f-strength').fill('1.5');
    await page.waitForFunction((n) => Number(document.getElementById('preview')?.dataset['updates']) > n, before, { timeout: 30_000 });
    check((size[0] ?? 0) > 200 && (size[1] ?? 0) > 200, `preview grid is ${size.join('x')} px`);
    const nonBlank = await page.evaluate(() => {
      const c = document.getElementById('preview') as HTMLCanvasElement;
      const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4 * 97) seen.add(((d[i] ?? 0) << 16) | ((d[i + 1] ?? 0) << 8) | (d[i + 2] ?? 0));
      return seen.size;
    });
    check(nonBlank > 50, `preview grid has only ${nonBlank} distinct colours`);
    record(`${engine}: page loads, engine shown, preview grid renders and follows the slider`, true, `${size.join('x')} px, ${nonBlank} colours sampled`);

    // Train; pause; resume; stop.
    const t0 = await page.evaluate(() => performance.now());
    await page.click('#train');
    await waitFor(page, `${engine}: 2 steps`, (s) => s.step >= 2);
    await page.click('#pause');
    const paused = await waitFor(page, `${engine}: paused`, (s) => s.status === 'paused', 60_000);
    await page.waitForTimeout(1500);
    const still = await state(page);
    check(still.step === paused.step && still.status === 'paused', `steps ran while paused (${paused.step} -> ${still.step})`);
    await page.click('#resume');
    await waitFor(page, `${engine}: 10 steps after resume`, (s) => s.step >= 10 && s.status === 'running', 300_000);
    await page.click('#stop');
    const stopped = await waitFor(page, `${engine}: stopped`, (s) => s.status === 'stopped');
    const t1 = await page.evaluate(() => performance.now());
    const steps = stopped.steps.map((p) => p.step);
    check(steps.length >= 10 && steps.every((s, i) => s === i + 1), `loss points for steps ${JSON.stringify(steps)}`);
    check(stopped.steps.every((p) => Number.isFinite(p.loss) && p.loss > 0), 'a loss is not finite');
    const chartPoints = Number(await page.getAttribute('#loss-chart', 'data-points'));
    check(chartPoints === steps.length, `the loss chart shows ${chartPoints} points, ${steps.length} steps ran`);
    check(stopped.checkpointStep === stopped.step, `checkpoint at ${stopped.checkpointStep}, stopped at ${stopped.step}`);
    record(
      `${engine}: ${steps.length} training steps in the worker, loss curve shows them, pause/resume`,
      true,
      `paused at step ${paused.step} for 1.5 s with no step; losses ${stopped.steps[0]?.loss.toFixed(3)} -> ${stopped.steps[stopped.steps.length - 1]?.loss.toFixed(3)}; ${(((t1 - t0) / 1000) | 0)} s`,
    );
    // The main thread during training.
    const lt = await page.evaluate(([a, b]) => {
      const w = window as unknown as { __longTasks: { start: number; duration: number }[]; __longTasksSupported: boolean };
      const slow = (window as unknown as { __playground: { slow: { start: number; ms: number; what: string }[] } }).__playground.slow.filter((h) => h.start >= (a as number) && h.start <= (b as number));
      const loaf = ((window as unknown as { __loaf: { start: number; duration: number }[] }).__loaf ?? []).filter((f) => f.start >= (a as number) - 100 && f.start <= (b as number));
      return { supported: w.__longTasksSupported, during: w.__longTasks.filter((t) => t.start >= (a as number) && t.start <= (b as number)), all: w.__longTasks.length, slow, loaf };
    }, [t0, t1]);
    check(lt.supported, 'this Chromium does not support the Long Tasks API');
    const detail = `long tasks ${JSON.stringify(lt.during)}; page handlers over 20 ms: ${JSON.stringify(lt.slow)}; long animation frames: ${JSON.stringify(lt.loaf)}`;
    // Every handler of the page (worker messages, rendering, clicks, inputs) is timed by the page
    // itself, and long animation frames name the scripts of a slow frame. The check fails when the
    // page's code blocked the thread > 50 ms: a handler over 50 ms, or a long frame that ran a
    // script. A long task with neither is the page's thread descheduled by the OS (this 2-core
    // machine runs other work; cpu/webgl keep a core busy in the worker): counted and reported.
    const scripted = (lt.loaf as unknown as { duration: number; scripts: { ms: number }[] }[]).filter((f) => f.duration > 50 && f.scripts.some((x) => x.ms > 0));
    const slowHandlers = lt.slow.filter((h) => h.ms > 50);
    check(scripted.length === 0 && slowHandlers.length === 0, `the page's code blocked the main thread > 50 ms while training: ${detail}`);
    record(
      `${engine}: the page's code never blocks the main thread > 50 ms while training (Long Tasks API + Long Animation Frames)`,
      true,
      `${lt.during.length} long task(s) in ${((t1 - t0) / 1000).toFixed(1)} s of training${lt.during.length > 0 ? ` (${JSON.stringify(lt.during.map((t) => Math.round(t.duration)))} ms), none with a page script or handler over 50 ms` : ''}; slowest page handler ${Math.round(Math.max(0, ...lt.slow.map((h) => h.ms)))} ms (of those over 20 ms)`,
    );

    // The map: a thumbnail on hover.
    await page.waitForFunction(() => (window as unknown as { __playground: { map(): unknown } }).__playground.map() !== null, null, { timeout: 60_000 });
    const hovered = await hoverMapPoint(page);
    check(hovered, 'no thumbnail appeared over the map');
    if (screenshots) {
      mkdirSync(docs, { recursive: true });
      await page.waitForTimeout(600); // the page redraws at most every 200 ms
      await page.screenshot({ path: path.join(docs, 'playground.png'), fullPage: true });
      await page.locator('#train-panel').screenshot({ path: path.join(docs, 'training-panel.png') });
    }
    record(`${engine}: 2-D map with a thumbnail on hover`, true, screenshots ? `screenshots in ${docs}` : '');

    // Reload: the checkpoint in IndexedDB, resumed at the same step.
    const saved = stopped.step;
    await page.reload();
    const again = await waitFor(page, `${engine}: ready after reload`, (s) => s.status === 'ready' && s.checkpointStep !== null, 120_000);
    check(again.checkpointStep === saved, `after the reload the checkpoint is at step ${again.checkpointStep}, expected ${saved}`);
    await page.click('#train');
    const resumed = await waitFor(page, `${engine}: a step after resuming`, (s) => s.steps.length >= 1);
    check(resumed.resumedFrom === saved, `resumed from ${resumed.resumedFrom}, expected ${saved}`);
    check(resumed.steps[0]?.step === saved + 1, `first step after the reload is ${resumed.steps[0]?.step}, expected ${saved + 1}`);
    await page.click('#stop');
    const stopped2 = await waitFor(page, `${engine}: stopped after resume`, (s) => s.status === 'stopped');
    record(`${engine}: reload resumes from IndexedDB at the same step`, true, `checkpoint step ${saved}, first step after reload ${resumed.steps[0]?.step}, stopped at ${stopped2.step}`);

    if (exportDir !== null) await exportAndCompare(page, exportDir, engine);
    check(pageErrors.length === 0, `page errors: ${pageErrors.join(' | ')}`);
    return { engine, checkpointStep: saved };
  } catch (e) {
    record(`${engine}`, false, `${e instanceof Error ? e.message : String(e)}${pageErrors.length > 0 ? `\n  page errors: ${pageErrors.slice(-5).join(' | ')}` : ''}`);
    const logText = await page.textContent('#log').catch(() => '');
    console.log(`  page log (last lines):\n    ${(logText ?? '').trim().split('\n').slice(-12).join('\n    ')}`);
    return null;
  } finally {
    await context.close();
  }
}

async function hoverMapPoint(page: Page): Promise<boolean> {
  const box = await page.locator('#map').boundingBox();
  if (box === null) return false;
  // A laid-out point is at least 12 px inside; sweep a grid until the tooltip shows.
  for (let y = 14; y < box.height - 10; y += 6) {
    for (let x = 14; x < box.width - 10; x += 6) {
      await page.mouse.move(box.x + x, box.y + y);
      if (await page.evaluate(() => document.getElementById('tip')?.style.display === 'block')) return true;
    }
  }
  return false;
}

async function exportAndCompare(page: Page, dir: string, engine: string): Promise<void> {
  const downloads = new Map<string, string>();
  page.on('download', async (d) => {
    const file = path.join(dir, d.suggestedFilename());
    await d.saveAs(file);
    downloads.set(d.suggestedFilename(), file);
  });
  await page.click('#export');
  await page.click('#embeddings');
  const end = Date.now() + 60_000;
  while (!(downloads.has('model.json') && downloads.has('weights.bin') && downloads.has('embeddings.npy'))) {
    check(Date.now() < end, `downloads seen: ${[...downloads.keys()].join(', ') || 'none'}`);
    await page.waitForTimeout(100);
  }
  await page.waitForTimeout(300);
  // Node: the exported encoder on the same test images.
  await tf.setBackend('cpu');
  const encoder = await loadEncoder(dir);
  const npy = decodeNpy(new Uint8Array(readFileSync(downloads.get('embeddings.npy') as string)));
  const test = parseCifar10(new Uint8Array(readFileSync(path.join(dataDir, TEST_FILE))), npy.shape[0] ?? 0, 'cifar10/test');
  const { features } = await embedDataset(encoder, test, { batchSize: 100 });
  const node = (await features.data()) as Float32Array;
  const [rows, dim] = features.shape;
  features.dispose();
  // The same encoder saved the way Node runs save it (`runs/<name>/encoder/`: weights.<sha>.bin), for the import below.
  const nodeDir = path.join(dir, 'node-encoder');
  await saveEncoder(encoder, nodeDir);
  encoder.dispose();
  check(npy.shape[0] === rows && npy.shape[1] === dim, `page embeddings ${npy.shape.join('x')}, Node ${rows}x${dim}`);
  let maxDiff = 0;
  let bad = 0;
  for (let i = 0; i < node.length; i++) {
    const d = Math.abs((npy.data[i] as number) - (node[i] as number));
    maxDiff = Math.max(maxDiff, d);
    if (!(d <= 1e-4 + 1e-4 * Math.abs(node[i] as number))) bad++;
  }
  check(bad === 0, `${bad} of ${node.length} embedding values differ beyond float32 tolerance (max |diff| ${maxDiff})`);
  record(`${engine}: exported model loads in Node and gives the page's embeddings`, true, `${rows}x${dim}, max |diff| ${maxDiff.toExponential(2)} (page ${engine}, Node cpu)`);
  // Import the model as Node saved it; the page's embeddings are then Node's.
  const nodeFiles = readdirSync(nodeDir).map((f) => path.join(nodeDir, f));
  await page.setInputFiles('#import', nodeFiles);
  await page.waitForFunction(() => document.getElementById('log')?.textContent?.includes('imported') === true, null, { timeout: 60_000 });
  downloads.delete('embeddings.npy');
  await page.click('#embeddings');
  const until = Date.now() + 60_000;
  while (!downloads.has('embeddings.npy')) {
    check(Date.now() < until, 'no embeddings.npy after the import');
    await page.waitForTimeout(100);
  }
  await page.waitForTimeout(300);
  const after = decodeNpy(new Uint8Array(readFileSync(downloads.get('embeddings.npy') as string)));
  let importDiff = 0;
  for (let i = 0; i < node.length; i++) importDiff = Math.max(importDiff, Math.abs((after.data[i] as number) - (node[i] as number)));
  check(after.data.length === node.length && importDiff <= 1e-4, `after importing Node's model the page's embeddings differ from Node's by ${importDiff}`);
  record(`${engine}: import of a model saved by Node`, true, `${nodeFiles.map((f) => path.basename(f)).join(' + ')}; page embeddings with it: max |diff| to Node ${importDiff.toExponential(2)}`);
}

/**
 * A user's folder of photos: PNG files in two class folders (from CIFAR-10's cats and dogs), picked
 * with the folder input; then the recipe's YAML export and import, and a few training steps.
 */
async function folderAndYaml(browser: Browser, base: string, dir: string): Promise<void> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 1300 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    const photos = path.join(dir, 'photos');
    const test = parseCifar10(new Uint8Array(readFileSync(path.join(dataDir, TEST_FILE))), 1000, 'cifar10/test');
    const counts: Record<string, number> = { cat: 0, dog: 0 };
    for (let i = 0; i < test.length; i++) {
      const name = test.classNames[test.labels[i] as number] as string;
      if (!(name in counts) || (counts[name] as number) >= 40) continue;
      counts[name] = (counts[name] as number) + 1;
      const png = new PNG({ width: 32, height: 32 });
      for (let p = 0; p < 1024; p++) {
        for (let c = 0; c < 3; c++) png.data[p * 4 + c] = test.images[i * 3072 + p * 3 + c] as number;
        png.data[p * 4 + 3] = 255;
      }
      mkdirSync(path.join(photos, name), { recursive: true });
      writeFileSync(path.join(photos, name, `${name}-${i}.png`), PNG.sync.write(png));
    }
    writeFileSync(path.join(photos, 'README.txt'), 'not an image');
    await page.goto(`${base}/?engine=wasm&steps=6&batch=8&monitorEvery=3&mapEvery=3&store=e2e-folder-${Date.now()}`);
    await waitFor(page, 'folder: page ready', (s) => s.status === 'ready' && s.engine !== null, 180_000);
    await page.setInputFiles('#folder-input', photos);
    const loaded = await waitFor(page, 'folder: images loaded', (s) => s.status === 'ready' && s.images !== null && s.images.train + s.images.test === 80, 60_000);
    const info = (await page.textContent('#data-info')) ?? '';
    check(info.includes('2 classes') && info.includes('cat, dog'), `data info: ${info}`);
    record('folder of photos: picked with the folder input, decoded in the worker', true, `${loaded.images?.train} train + ${loaded.images?.test} held out, classes cat, dog (README.txt left out)`);

    // YAML out: the CLI's schema; YAML in: the form follows.
    const download = page.waitForEvent('download');
    await page.click('#yaml-export');
    const yamlFile = path.join(dir, 'exported.yaml');
    await (await download).saveAs(yamlFile);
    const exported = yamlToConfig(readFileSync(yamlFile, 'utf8'), 'exported.yaml');
    check(exported.strategy.name === 'simclr' && exported.train.batchSize === 8 && exported.data.dataset === 'imageFolder', `exported YAML: ${JSON.stringify({ strategy: exported.strategy, train: exported.train, data: exported.data })}`);
    const edited = path.join(dir, 'edited.yaml');
    writeFileSync(edited, readFileSync(yamlFile, 'utf8').replace(/name: simclr\n(\s+)temperature: [0-9.]+/, 'name: dcl\n$1temperature: 0.2'));
    const updates = await page.evaluate(() => Number(document.getElementById('preview')?.dataset['updates'] ?? 0));
    await page.setInputFiles('#yaml-import', edited);
    await page
      .waitForFunction(() => (document.getElementById('f-strategy') as HTMLSelectElement).value === 'dcl', null, { timeout: 10_000 })
      .catch(async () => {
        throw new Error(`the form did not take the imported YAML (strategy ${await page.inputValue('#f-strategy')}; import error: ${await page.textContent('#yaml-error')})`);
      });
    check((await page.inputValue('#f-temp')) === '0.2', `temperature after import ${await page.inputValue('#f-temp')}`);
    await page.waitForFunction((n) => Number(document.getElementById('preview')?.dataset['updates']) > n, updates, { timeout: 30_000 });
    record('recipe YAML export (CLI schema) and import', true, 'exported simclr/batch 8/imageFolder; imported dcl, τ 0.2; preview redrawn');

    await page.click('#train');
    const done = await waitFor(page, 'folder: training', (s) => s.status === 'completed', 180_000);
    check(done.steps.length === 6 && done.monitors.length >= 2, `steps ${done.steps.length}, monitor readings ${done.monitors.length}`);
    await page.waitForTimeout(600); // the page redraws at most every 200 ms
    await page.screenshot({ path: path.join(docs, 'folder-of-photos.png'), fullPage: true });
    check(pageErrors.length === 0, `page errors: ${pageErrors.join(' | ')}`);
    record('training on the folder of photos', true, `6 dcl steps, kNN ${(done.monitors[done.monitors.length - 1]?.accuracy ?? 0).toFixed(2)} on the held-out photos`);
  } catch (e) {
    record('folder of photos / YAML', false, `${e instanceof Error ? e.message : String(e)}${pageErrors.length > 0 ? `\n  page errors: ${pageErrors.slice(-5).join(' | ')}` : ''}`);
    const logText = await page.textContent('#log').catch(() => '');
    console.log(`  page log (last lines):\n    ${(logText ?? '').trim().split('\n').slice(-12).join('\n    ')}`);
  } finally {
    await context.close();
  }
}

const server = await createServer({ configFile: path.join(app, 'vite.config.ts'), server: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
await server.listen();
const address = server.httpServer?.address();
const base = typeof address === 'object' && address !== null ? `http://127.0.0.1:${address.port}` : '';
const browser = await chromium.launch({ executablePath: chromiumPath, headless: process.env['E2E_HEADED'] !== '1', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const exportDir = mkdtempSync(path.join(tmpdir(), 'playground-e2e-'));
try {
  const engines = (process.env['E2E_ENGINES'] ?? 'wasm,cpu,webgl').split(',').filter((e) => e !== '');
  if (process.env['E2E_FOLDER'] !== '0') await folderAndYaml(browser, base, exportDir);
  for (const engine of engines) {
    const dir = path.join(exportDir, engine);
    mkdirSync(dir);
    await trainOnEngine(browser, base, engine, engine === 'wasm', dir);
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(exportDir, { recursive: true, force: true });
}
const failed = results.filter((r) => !r.ok);
console.log(`e2e: ${results.length - failed.length} passed, ${failed.length} failed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed.length === 0 ? 0 : 1);
