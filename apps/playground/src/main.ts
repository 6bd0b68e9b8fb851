/**
 * The page: the recipe form, the data choice, the buttons and the charts. Everything heavy
 * (decoding, augmenting, training, embedding, UMAP) runs in the worker (worker.ts); this thread
 * only draws what the worker posts, once per animation frame, so it never blocks for long.
 *
 * URL parameters (for links and the end-to-end test): engine=auto|webgpu|webgl|wasm|cpu,
 * trainLimit, testLimit, steps, batch, encoder (a preset), monitorEvery, mapEvery, checkpointEvery,
 * store (the IndexedDB name), train=<url>, test=<url>.
 */
import { DEFAULT_FORM, ENCODER_PRESETS, STRATEGIES, TEMPERATURE_STRATEGIES, INITIAL_STATE, canDo, configToForm, configToYaml, formToConfig, reduce, yamlToConfig, type Action, type PageDataset, type RecipeForm, type TrainingState } from './state.js';
import { drawLines, mapLayout, nearestPoint, PALETTE } from './chart.js';
import type { DataSource, EnginePreference, FromWorker, ToWorker } from './protocol.js';

const params = new URLSearchParams(location.search);
const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page lacks #${id}`);
  return el as T;
};
const num = (key: string): number | undefined => (params.has(key) ? Number(params.get(key)) : undefined);
const FORM_KEY = 'contrastive-playground.form';

let state: TrainingState = INITIAL_STATE;
let form: RecipeForm = restoreForm();
let worker: Worker | null = null;
let workerTrained = false;
let dataSource: DataSource | null = null;
let loadedWaiters: ((ok: boolean) => void)[] = [];
let classNames: readonly string[] = [];
let thumbs: { bytes: Uint8Array; labels: Uint8Array; side: number; channels: number } | null = null;
let map: { points: Float32Array; labels: Uint8Array; layout: Float32Array; step: number } | null = null;
let exported: { model?: string; weights?: string; npy?: string } = {};
const mapEvery = num('mapEvery') ?? 100;
const storeName = params.get('store') ?? 'contrastive-playground';

/** What the end-to-end test reads. */
interface PageHandle {
  state: () => TrainingState;
  form: () => RecipeForm;
  map: () => { step: number; points: number } | null;
  errors: string[];
  /** Handlers of this thread that took > 20 ms: what, when (performance.now()), how long. */
  slow: { what: string; start: number; ms: number }[];
}
const handle: PageHandle = { state: () => state, form: () => form, map: () => (map === null ? null : { step: map.step, points: map.labels.length }), errors: [], slow: [] };

/** Runs `f`, noting it in `handle.slow` when it takes over 20 ms (the e2e test prints them next to a long task). */
function timed<T>(what: string, f: () => T): T {
  const start = performance.now();
  try {
    return f();
  } finally {
    const ms = performance.now() - start;
    if (ms > 20) handle.slow.push({ what, start, ms });
  }
}
(window as unknown as { __playground: PageHandle }).__playground = handle;

function restoreForm(): RecipeForm {
  let f = DEFAULT_FORM;
  try {
    const saved = localStorage.getItem(FORM_KEY);
    if (saved !== null) f = { ...f, ...(JSON.parse(saved) as Partial<RecipeForm>) };
  } catch {
    /* a broken saved form: the defaults */
  }
  const preset = params.get('encoder');
  if (preset !== null && preset in ENCODER_PRESETS) f = { ...f, encoderPreset: preset as RecipeForm['encoderPreset'], encoder: ENCODER_PRESETS[preset as keyof typeof ENCODER_PRESETS] };
  return {
    ...f,
    maxSteps: num('steps') ?? f.maxSteps,
    batchSize: num('batch') ?? f.batchSize,
    monitorEvery: num('monitorEvery') ?? f.monitorEvery,
    checkpointEvery: num('checkpointEvery') ?? f.checkpointEvery,
  };
}

/** Appends a line to the page's log (a text node per line, the oldest dropped after 300). */
function log(line: string): void {
  const el = $('log');
  el.append(document.createTextNode(`${new Date().toISOString().slice(11, 19)} ${line}\n`));
  while (el.childNodes.length > 300) el.firstChild?.remove();
  el.scrollTop = el.scrollHeight;
}

function pageDataset(): PageDataset {
  if (dataSource?.kind === 'files') return { dataset: 'imageFolder', labelled: classNames.length > 1 };
  return { dataset: dataSource?.kind === 'fashionMnist' ? 'fashionMnist' : 'cifar10' };
}

// --- worker ---------------------------------------------------------------------------------

function send(m: ToWorker): void {
  worker?.postMessage(m);
}

function startWorker(): void {
  worker?.terminate();
  workerTrained = false;
  state = { ...INITIAL_STATE, steps: state.steps, monitors: state.monitors, checkpointStep: state.checkpointStep };
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<FromWorker>) => timed(`message ${e.data.type}`, () => onWorker(e.data));
  worker.onerror = (e) => {
    handle.errors.push(e.message);
    log(`worker error: ${e.message}`);
  };
  const engine = ($('engine-select') as HTMLSelectElement).value as EnginePreference;
  send({ type: 'init', engine, wasmPaths: `${location.origin}/wasm/`, store: storeName });
  if (dataSource !== null) send({ type: 'load', data: dataSource });
  render();
}

function whenLoaded(): Promise<boolean> {
  return new Promise((r) => loadedWaiters.push(r));
}

function onWorker(m: FromWorker): void {
  state = reduce(state, m);
  switch (m.type) {
    case 'ready':
      log(`engine ${m.engine}${m.engine === 'wasm' ? (globalThis.crossOriginIsolated ? ' (cross-origin isolated: threaded wasm build)' : ' (not cross-origin isolated: single-threaded wasm build)') : ''} (${m.attempts.map((a) => `${a.engine}: ${a.ok ? 'ok' : a.reason}`).join('; ')})`);
      break;
    case 'loaded':
      classNames = m.classNames;
      thumbs = { bytes: m.thumbs, labels: m.thumbLabels, side: m.side, channels: m.channels };
      $('data-info').textContent = `${m.train} training images, ${m.test} test images, ${m.classNames.length} class${m.classNames.length === 1 ? '' : 'es'} (${m.classNames.slice(0, 10).join(', ')})`;
      for (const w of loadedWaiters) w(true);
      loadedWaiters = [];
      requestPreview();
      break;
    case 'preview':
      drawPreview(m.width, m.height, m.rgba);
      break;
    case 'map':
      map = { points: m.points, labels: m.labels, layout: mapLayout(m.points, ($('map') as HTMLCanvasElement).width - 80, ($('map') as HTMLCanvasElement).height), step: m.step };
      setText('map-info', `${m.method}, ${m.labels.length} test images, step ${m.step}`);
      break;
    case 'started':
      log(m.resumedFrom === null ? `training: ${m.totalSteps} steps` : `resumed at step ${m.resumedFrom} of ${m.totalSteps}`);
      break;
    case 'status':
      log(`${m.status} at step ${m.step}`);
      break;
    case 'exported':
      offerDownload('model', 'model.json', new Blob([m.modelJson], { type: 'application/json' }));
      offerDownload('weights', 'weights.bin', new Blob([m.weights], { type: 'application/octet-stream' }));
      log(`encoder exported (${(m.weights.byteLength / 1024).toFixed(0)} KiB of weights)`);
      break;
    case 'embeddings':
      offerDownload('npy', 'embeddings.npy', new Blob([m.npy as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
      log(`embeddings of ${m.rows} test images, ${m.dim} dimensions`);
      break;
    case 'imported':
      log(`imported ${m.name} (${m.outputDim}-dimensional); the map, the monitors' embeddings and the exports now use it`);
      send({ type: 'map' });
      break;
    case 'log':
      log(m.line);
      break;
    case 'error':
      handle.errors.push(m.message);
      log(`error: ${m.message}`);
      for (const w of loadedWaiters) w(false);
      loadedWaiters = [];
      break;
    default:
      break;
  }
  scheduleRender();
}

function offerDownload(kind: 'model' | 'weights' | 'npy', name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const old = exported[kind];
  if (old !== undefined) URL.revokeObjectURL(old);
  exported = { ...exported, [kind]: url };
  let a = document.getElementById(`dl-${kind}`) as HTMLAnchorElement | null;
  if (a === null) {
    a = document.createElement('a');
    a.id = `dl-${kind}`;
    a.textContent = name;
    a.style.marginRight = '0.6rem';
    $('downloads').append(a);
  }
  a.href = url;
  a.download = name;
  a.click();
}

// --- data -----------------------------------------------------------------------------------

function defaultUrls(kind: 'cifar10' | 'fashionMnist'): { train: string; test: string } {
  return kind === 'cifar10'
    ? { train: params.get('train') ?? '/data/cifar10/lossless/train_first4000.bin', test: params.get('test') ?? '/data/cifar10/lossless/test_first1000.bin' }
    : { train: params.get('train') ?? '/data/fashion-mnist/train-images-idx3-ubyte.gz', test: params.get('test') ?? '/data/fashion-mnist/t10k-images-idx3-ubyte.gz' };
}

function sourceFromInputs(): DataSource {
  const kind = ($('source') as HTMLSelectElement).value as 'cifar10' | 'fashionMnist';
  const trainUrl = ($('train-url') as HTMLInputElement).value.trim();
  const testUrl = ($('test-url') as HTMLInputElement).value.trim();
  const trainLimit = Math.max(form.batchSize, Number(($('train-limit') as HTMLInputElement).value) || 2000);
  const testLimit = num('testLimit') ?? 1000;
  if (kind === 'cifar10') return { kind, trainUrl, testUrl, trainLimit, testLimit };
  const labels = (u: string): string => u.replace('images-idx3', 'labels-idx1');
  return { kind, trainImagesUrl: trainUrl, trainLabelsUrl: labels(trainUrl), testImagesUrl: testUrl, testLabelsUrl: labels(testUrl), trainLimit, testLimit };
}

function load(source: DataSource): void {
  dataSource = source;
  state = { ...state, status: 'loading', images: null };
  $('data-info').textContent = 'loading…';
  if (workerTrained) startWorker();
  else send({ type: 'load', data: source });
  scheduleRender();
}

async function filesFromHandle(dir: FileSystemDirectoryHandle, prefix: string, out: { files: File[]; paths: string[] }): Promise<void> {
  for await (const entry of (dir as unknown as { values(): AsyncIterable<FileSystemHandle> }).values()) {
    if (entry.kind === 'file') {
      out.files.push(await (entry as FileSystemFileHandle).getFile());
      out.paths.push(`${prefix}${entry.name}`);
    } else await filesFromHandle(entry as FileSystemDirectoryHandle, `${prefix}${entry.name}/`, out);
  }
}

async function filesFromDrop(items: DataTransferItemList): Promise<{ files: File[]; paths: string[] }> {
  const out = { files: [] as File[], paths: [] as string[] };
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
      out.files.push(file);
      out.paths.push(`${prefix}${entry.name}`);
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (batch.length === 0) break;
        for (const e of batch) await walk(e, `${prefix}${entry.name}/`);
      }
    }
  };
  const entries = [...items].map((i) => i.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  for (const e of entries) await walk(e, '');
  return out;
}

function loadFiles(files: File[], paths: string[]): void {
  log(`${files.length} files picked`);
  const select = $('source') as HTMLSelectElement;
  if (select.querySelector('option[value="folder"]') === null) select.append(new Option('your folder of photos', 'folder'));
  select.value = 'folder';
  load({ kind: 'files', files, paths });
}

// --- recipe form ------------------------------------------------------------------------------

function fillSelect(id: string, values: readonly string[]): void {
  const sel = $('' + id) as HTMLSelectElement;
  sel.replaceChildren(...values.map((v) => new Option(v, v)));
}

function showForm(f: RecipeForm): void {
  const set = (id: string, v: string | number | boolean): void => {
    const el = $(id) as HTMLInputElement;
    if (typeof v === 'boolean') el.checked = v;
    else el.value = String(v);
  };
  const encoders = [...Object.keys(ENCODER_PRESETS), ...(f.encoderPreset === 'custom' ? ['custom'] : [])];
  fillSelect('f-encoder', encoders);
  set('f-strategy', f.strategy);
  set('f-encoder', f.encoderPreset);
  set('f-head', f.headKind);
  set('f-outdim', f.headOutputDim);
  set('f-aug', f.augRecipe);
  set('f-strength', f.strength);
  set('f-crop', f.cropMin);
  set('f-blur', f.blur);
  set('f-temp', f.temperature);
  set('f-batch', f.batchSize);
  set('f-lr', f.lr);
  set('f-steps', f.maxSteps);
  set('f-seed', f.seed);
  set('f-monitor', f.monitorEvery);
  $('o-strength').textContent = f.strength.toFixed(1);
  $('o-crop').textContent = f.cropMin.toFixed(2);
  ($('f-temp') as HTMLInputElement).disabled = !TEMPERATURE_STRATEGIES.has(f.strategy);
}

function readForm(): RecipeForm {
  const v = (id: string): string => ($(id) as HTMLInputElement).value;
  const n = (id: string): number => Number(v(id));
  const preset = v('f-encoder') as RecipeForm['encoderPreset'];
  return {
    ...form,
    strategy: v('f-strategy') as RecipeForm['strategy'],
    encoderPreset: preset,
    encoder: preset === 'custom' ? form.encoder : ENCODER_PRESETS[preset],
    headKind: v('f-head') as RecipeForm['headKind'],
    headOutputDim: n('f-outdim'),
    augRecipe: v('f-aug') as RecipeForm['augRecipe'],
    strength: n('f-strength'),
    cropMin: n('f-crop'),
    blur: ($('f-blur') as HTMLInputElement).checked,
    temperature: n('f-temp'),
    batchSize: n('f-batch'),
    lr: n('f-lr'),
    maxSteps: n('f-steps'),
    seed: n('f-seed'),
    monitorEvery: n('f-monitor'),
  };
}

/** The configuration of the form, or null (with the error shown) when a value is out of range. */
function currentConfig(): ReturnType<typeof formToConfig> | null {
  try {
    const c = formToConfig(form, pageDataset());
    $('recipe-error').textContent = '';
    return c;
  } catch (e) {
    $('recipe-error').textContent = e instanceof Error ? e.message : String(e);
    return null;
  }
}

let previewTimer: ReturnType<typeof setTimeout> | undefined;
let previewSeed = 1;
function requestPreview(): void {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(() => {
    const config = currentConfig();
    if (config !== null && state.images !== null) send({ type: 'preview', config, seed: previewSeed });
  }, 80);
}

function drawPreview(width: number, height: number, rgba: Uint8Array): void {
  const canvas = $('preview') as HTMLCanvasElement;
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx?.putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer as ArrayBuffer, rgba.byteOffset, rgba.byteLength), width, height), 0, 0);
  canvas.dataset['updates'] = String(Number(canvas.dataset['updates'] ?? 0) + 1);
}

// --- rendering ------------------------------------------------------------------------------

let renderQueued = false;
let lastRender = 0;
/** At most one render per RENDER_MS: the charts follow the run without keeping this thread busy. */
const RENDER_MS = 200;
function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(
    () =>
      requestAnimationFrame(() => {
        renderQueued = false;
        lastRender = performance.now();
        timed('render', render);
      }),
    Math.max(0, RENDER_MS - (performance.now() - lastRender)),
  );
}

/** What was drawn last (a chart is redrawn only when its data changed). */
const drawn = { steps: -1, monitors: -1, map: null as unknown, text: '' };

/** Sets an element's text only when it changed (an unchanged write would still cost a layout). */
function setText(id: string, text: string): void {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

function render(): void {
  setText('engine', `engine: ${state.engine ?? 'starting…'}`);
  setText('status', state.status + (state.error !== null && state.status !== 'running' ? ` (${state.error.slice(0, 80)})` : ''));
  const steps = state.steps;
  const ips = steps[steps.length - 1]?.imagesPerSecond;
  setText('step', `step ${state.step}${state.totalSteps > 0 ? ` / ${state.totalSteps}` : ''}${ips === undefined ? '' : ` · ${ips.toFixed(0)} img/s`}`);
  setText('checkpoint', state.checkpointStep === null ? 'no checkpoint' : `checkpoint at step ${state.checkpointStep}`);
  const buttons: Record<string, Action> = { train: 'train', pause: 'pause', resume: 'resume', stop: 'stop', export: 'export', embeddings: 'embeddings', 'map-refresh': 'map', load: 'load' };
  for (const [id, action] of Object.entries(buttons)) {
    const button = $(id) as HTMLButtonElement;
    if (button.disabled !== !canDo(state, action)) button.disabled = !canDo(state, action);
  }
  setText('train', state.checkpointStep !== null && state.status !== 'running' && state.status !== 'paused' ? `Train (resume at step ${state.checkpointStep})` : 'Train');
  if (drawn.steps !== steps.length) drawCurves();
  if (drawn.monitors !== state.monitors.length) drawMonitors();
  if (drawn.map !== map) {
    drawn.map = map;
    drawMap();
  }
}

function drawCurves(): void {
  const steps = state.steps;
  drawn.steps = steps.length;
  const loss = $('loss-chart') as HTMLCanvasElement;
  drawLines(loss, [{ label: 'loss', color: '#1f77b4', points: steps.map((p) => [p.step, p.loss] as const) }], { xLabel: 'steps' });
  loss.dataset['points'] = String(steps.length);
  loss.dataset['lastStep'] = String(steps[steps.length - 1]?.step ?? 0);
  drawLines($('lr-chart') as HTMLCanvasElement, [{ label: 'lr', color: '#ff7f0e', points: steps.map((p) => [p.step, p.lr] as const) }], { yMin: 0, xLabel: 'steps' });
}

function drawMonitors(): void {
  drawn.monitors = state.monitors.length;
  const mon = [...state.monitors].sort((a, b) => a.step - b.step);
  drawLines(
    $('knn-chart') as HTMLCanvasElement,
    [
      { label: 'kNN accuracy', color: '#2ca02c', points: mon.map((p) => [p.step, p.accuracy] as const) },
      { label: 'embedding std × √D (1 = healthy, 0 = collapse)', color: '#9467bd', points: mon.map((p) => [p.step, p.embeddingStd * Math.sqrt(p.dim)] as const) },
    ],
    { yMin: 0, xLabel: 'steps' },
  );
  const last = mon[mon.length - 1];
  $('collapse').textContent =
    last === undefined ? 'no reading yet' : `step ${last.step}: kNN ${(last.accuracy * 100).toFixed(1)}%, embedding std ${last.embeddingStd.toFixed(4)} (collapse: 0), effective rank ${last.effectiveRank.toFixed(1)}`;
}

function drawMap(): void {
  const canvas = $('map') as HTMLCanvasElement;
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (map === null) return;
  for (let i = 0; i < map.labels.length; i++) {
    ctx.fillStyle = PALETTE[(map.labels[i] as number) % PALETTE.length] as string;
    ctx.beginPath();
    ctx.arc(map.layout[2 * i] as number, map.layout[2 * i + 1] as number, 3, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.font = '11px system-ui, sans-serif';
  classNames.slice(0, 10).forEach((c, i) => {
    ctx.fillStyle = PALETTE[i % PALETTE.length] as string;
    ctx.fillText(c, canvas.width - 70, 14 + i * 13);
  });
}

function showThumb(ev: MouseEvent): void {
  const tip = $('tip') as HTMLCanvasElement;
  const canvas = $('map') as HTMLCanvasElement;
  if (map === null || thumbs === null) return void (tip.style.display = 'none');
  const r = canvas.getBoundingClientRect();
  const x = ((ev.clientX - r.left) * canvas.width) / r.width;
  const y = ((ev.clientY - r.top) * canvas.height) / r.height;
  const i = nearestPoint(map.layout, x, y);
  if (i < 0) return void (tip.style.display = 'none');
  const { side, channels, bytes } = thumbs;
  const img = new ImageData(side, side);
  for (let p = 0; p < side * side; p++) {
    for (let c = 0; c < 3; c++) img.data[p * 4 + c] = bytes[(i * side * side + p) * channels + (channels === 1 ? 0 : c)] as number;
    img.data[p * 4 + 3] = 255;
  }
  const small = new OffscreenCanvas(side, side);
  small.getContext('2d')?.putImageData(img, 0, 0);
  const ctx = tip.getContext('2d');
  if (ctx === null) return;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, tip.width, tip.height);
  tip.title = classNames[map.labels[i] as number] ?? '';
  tip.style.left = `${ev.clientX - r.left + 12}px`;
  tip.style.top = `${ev.clientY - r.top + 12}px`;
  tip.style.display = 'block';
  tip.dataset['index'] = String(i);
}

// --- wiring ---------------------------------------------------------------------------------

async function train(): Promise<void> {
  form = readForm();
  const config = currentConfig();
  if (config === null) return;
  localStorage.setItem(FORM_KEY, JSON.stringify(form));
  if (workerTrained) {
    // A fresh worker per run: the checkpoint stores the variables by name, and names are fresh only in a fresh worker.
    startWorker();
    if (!(await whenLoaded())) return;
  }
  workerTrained = true;
  state = { ...state, status: 'running' };
  send({ type: 'train', config, mapEvery });
  scheduleRender();
}

/** Adds an event listener whose synchronous part is timed like the worker's messages (handle.slow). */
function listen<E extends Event>(el: HTMLElement, type: string, f: (e: E) => unknown): void {
  el.addEventListener(type, (e) => timed(`${type} #${el.id}`, () => f(e as E)));
}

function wire(): void {
  fillSelect('f-strategy', STRATEGIES);
  showForm(form);
  const engine = params.get('engine');
  if (engine !== null) ($('engine-select') as HTMLSelectElement).value = engine;
  const kind = (params.get('source') ?? 'cifar10') as 'cifar10' | 'fashionMnist';
  ($('source') as HTMLSelectElement).value = kind;
  const urls = defaultUrls(kind);
  ($('train-url') as HTMLInputElement).value = urls.train;
  ($('test-url') as HTMLInputElement).value = urls.test;
  ($('train-limit') as HTMLInputElement).value = String(num('trainLimit') ?? 2000);
  listen($('source'), 'change', () => {
    if (($('source') as HTMLSelectElement).value === 'folder') return;
    const u = defaultUrls(($('source') as HTMLSelectElement).value as 'cifar10' | 'fashionMnist');
    ($('train-url') as HTMLInputElement).value = u.train;
    ($('test-url') as HTMLInputElement).value = u.test;
  });
  listen($('load'), 'click', () => {
    if (($('source') as HTMLSelectElement).value === 'folder' && dataSource !== null) load(dataSource); // the picked folder again
    else load(sourceFromInputs());
  });
  listen($('recipe-panel'), 'input', () => {
    form = readForm();
    showForm(form);
    localStorage.setItem(FORM_KEY, JSON.stringify(form));
    previewSeed += 1;
    requestPreview();
  });
  listen($('train'), 'click', () => void train());
  listen($('pause'), 'click', () => send({ type: 'pause' }));
  listen($('resume'), 'click', () => send({ type: 'resume' }));
  listen($('stop'), 'click', () => send({ type: 'stop' }));
  listen($('clear'), 'click', () => {
    if (state.status === 'running' || state.status === 'paused') send({ type: 'stop' });
    send({ type: 'clearCheckpoint' });
  });
  listen($('map-refresh'), 'click', () => send({ type: 'map' }));
  listen($('export'), 'click', () => send({ type: 'export' }));
  listen($('embeddings'), 'click', () => send({ type: 'embeddings' }));
  listen($('engine-select'), 'change', () => startWorker());
  listen($('yaml-export'), 'click', () => {
    const config = currentConfig();
    if (config === null) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([configToYaml(config)], { type: 'text/yaml' }));
    a.download = 'playground.yaml';
    a.click();
  });
  listen($('yaml-import'), 'change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file === undefined) return;
    try {
      form = configToForm(yamlToConfig(await file.text(), file.name));
      showForm(form);
      localStorage.setItem(FORM_KEY, JSON.stringify(form));
      $('yaml-error').textContent = '';
      log(`recipe imported from ${file.name}`);
      requestPreview();
    } catch (err) {
      $('yaml-error').textContent = err instanceof Error ? err.message : String(err);
    }
  });
  listen($('import'), 'change', async (e) => {
    const files = [...((e.target as HTMLInputElement).files ?? [])];
    const json = files.find((f) => f.name.endsWith('.json'));
    if (json === undefined) return log('pick model.json together with its weights file(s)');
    const weights = await Promise.all(files.filter((f) => f !== json).map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
    send({ type: 'import', modelJson: await json.text(), weights });
  });
  const drop = $('drop');
  listen<DragEvent>(drop, 'dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  listen(drop, 'dragleave', () => drop.classList.remove('over'));
  listen<DragEvent>(drop, 'drop', async (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer === null) return;
    const { files, paths } = await filesFromDrop(e.dataTransfer.items);
    loadFiles(files, paths);
  });
  const folderInput = $('folder-input') as HTMLInputElement;
  listen(folderInput, 'change', () => {
    const files = [...(folderInput.files ?? [])];
    loadFiles(files, files.map((f) => f.webkitRelativePath || f.name));
  });
  listen($('pick-folder'), 'click', async () => {
    const picker = (window as unknown as { showDirectoryPicker?: () => Promise<FileSystemDirectoryHandle> }).showDirectoryPicker;
    if (picker === undefined) return folderInput.click(); // no File System Access API: the file input
    try {
      const out = { files: [] as File[], paths: [] as string[] };
      const dir = await picker();
      await filesFromHandle(dir, `${dir.name}/`, out);
      loadFiles(out.files, out.paths);
    } catch (err) {
      if ((err as { name?: string }).name !== 'AbortError') log(`folder: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  listen<MouseEvent>($('map'), 'mousemove', showThumb);
  listen($('map'), 'mouseleave', () => ($('tip').style.display = 'none'));
}

wire();
dataSource = sourceFromInputs();
startWorker();
