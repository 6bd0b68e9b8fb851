/**
 * The playground's Vite configuration. The workspace packages are used from their TypeScript
 * sources (the `contrastive-source` export condition), so `npm run playground` needs no build.
 * Two middlewares serve what the page fetches but the repository never holds:
 *   /data/...  files under the data root ($CONTRASTIVE_DATA_DIR, default ../shared/data next to
 *              the repository: CIFAR-10's binary files); /data/fashion-mnist/ is the data root's
 *              fashion-mnist/ or else Debian's /usr/share/datasets/fashion-mnist
 *              (apt-get install dataset-fashion-mnist), Fashion-MNIST's gzipped IDX files,
 *   /wasm/...  the .wasm files of @tensorflow/tfjs-backend-wasm (the wasm engine loads them).
 * Every response carries COOP/COEP headers: the page is cross-origin isolated, so tfjs-wasm can
 * use its threaded build (SharedArrayBuffer); docs/browser-speed.md measured the page 1.5x
 * faster isolated than not. Data from another origin still loads when that server sends CORS
 * headers (fetch() is a CORS request, which require-corp does not block).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Connect, Plugin } from 'vite';
import { defineConfig } from 'vite';

const here = path.dirname(new URL(import.meta.url).pathname);
const require = createRequire(import.meta.url);

/** Where /data/ points: $CONTRASTIVE_DATA_DIR, else ../shared/data beside the repository. */
export function dataRoot(): string {
  return path.resolve(process.env['CONTRASTIVE_DATA_DIR'] ?? path.join(here, '..', '..', '..', 'shared', 'data'));
}

/** Where /data/fashion-mnist/ points (the same search as the command line's). */
function fashionMnistDir(): string {
  const own = path.join(dataRoot(), 'fashion-mnist');
  return existsSync(own) ? own : '/usr/share/datasets/fashion-mnist';
}

function wasmDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

/** Serves `prefix/<file>` from `dir` (no directory listing, no path out of `dir`). */
function serveDir(prefix: string, dir: () => string, type: string): Connect.NextHandleFunction {
  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.pathname.startsWith(prefix)) return next();
    const root = dir();
    const file = path.resolve(root, decodeURIComponent(url.pathname.slice(prefix.length)));
    if (!file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end(`not found: ${url.pathname} (data root ${root}; set CONTRASTIVE_DATA_DIR)`);
      return;
    }
    res.setHeader('content-type', type);
    res.setHeader('content-length', String(statSync(file).size));
    res.setHeader('cache-control', 'no-cache');
    createReadStream(file).pipe(res);
  };
}

/** Cross-origin isolation headers on every response (the page, its worker, /data, /wasm). */
const isolate: Connect.NextHandleFunction = (_req, res, next) => {
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  next();
};

function playgroundFiles(): Plugin {
  const install = (server: { middlewares: Connect.Server }): void => {
    server.middlewares.use(isolate);
    server.middlewares.use(serveDir('/data/fashion-mnist/', fashionMnistDir, 'application/octet-stream'));
    server.middlewares.use(serveDir('/data/', dataRoot, 'application/octet-stream'));
    server.middlewares.use(serveDir('/wasm/', wasmDir, 'application/wasm'));
  };
  return { name: 'playground-files', configureServer: install, configurePreviewServer: install };
}

export default defineConfig({
  root: here,
  plugins: [playgroundFiles()],
  resolve: {
    conditions: ['contrastive-source', 'module', 'browser', 'development|production'],
    // csv-parse's ESM entry (used by @contrastive/data's tabular reader, which the page never calls)
    // runs Buffer.from at load; its browser bundle carries a Buffer polyfill.
    alias: { 'csv-parse/sync': path.join(path.dirname(require.resolve('csv-parse/sync')), '..', 'esm', 'sync.js') },
  },
  worker: { format: 'es' },
  server: { port: Number(process.env['PORT'] ?? 5173), host: '127.0.0.1' },
  optimizeDeps: {
    // Scan the worker too, so the first training does not wait for a re-optimisation and reload.
    entries: ['index.html', 'src/worker.ts'],
  },
  build: { target: 'es2022' },
});
