#!/usr/bin/env node
/**
 * The whole test suite, as the README's test command and CI run it:
 *   1. the layering check (dependency-cruiser: forbidden imports and cycles),
 *   2. nx: typecheck, test (vitest on sources) and lint (build + publint) for every package,
 *      then Ctrl-C / SIGTERM through the built executable and npx (scripts/signal-check.mjs),
 *   3. the playground's end-to-end test (apps/playground/e2e/e2e.ts): its Vite dev server and
 *      headless Chromium training on CIFAR-10 with the wasm, cpu (and webgl) engines,
 *   4. the consumer test (scripts/consumer-test.mjs): pack every package, install the tarballs into
 *      an empty project, use them from ESM, CommonJS, strict TypeScript, a browser bundle and
 *      headless Chromium (3 and 4 run only when steps 1 and 2 passed),
 *   5. a closing line summing every package's vitest results: "tests: N passed, N failed, N skipped".
 * Exits non-zero if any step fails or any test was skipped (skipped suites are not allowed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
// Workspaces with tests: every package, the apps, and the examples that have a package.json (examples/library).
const workspaces = ['packages', 'apps', 'examples'].flatMap((top) =>
  readdirSync(join(root, top)).filter((p) => existsSync(join(root, top, p, 'package.json'))).map((p) => join(top, p)),
);
const resultFile = (ws) => join(root, ws, 'test-results', 'vitest.json');
for (const p of workspaces) rmSync(resultFile(p), { force: true });

const run = (cmd, args, env = {}) => {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false', ...env } });
  return r.status ?? 1;
};

let status = run('npm', ['run', '--silent', 'check:layers']);
if (status === 0) {
  const nxArgs = ['nx', 'run-many', '-t', 'typecheck', 'test', 'lint', '--outputStyle=stream', '--parallel=2'];
  if (process.env.CI) nxArgs.push('--skip-nx-cache');
  status = run('npx', nxArgs, { VITEST_JSON: '1' });
}
// Signals through the built executable and npx (the build is done by the lint targets above).
if (status === 0) status = run('node', ['scripts/signal-check.mjs']);
let e2e = 'not run';
const beforeBrowsers = status;
if (status === 0) {
  const code = run('npm', ['run', '--silent', 'test:e2e', '-w', '@contrastive/playground']);
  e2e = code === 0 ? 'passed' : 'FAILED';
  status ||= code;
}
let consumer = 'not run';
if (beforeBrowsers === 0) {
  const code = run(process.execPath, [join(root, 'scripts', 'consumer-test.mjs')]);
  consumer = code === 0 ? 'passed' : 'FAILED';
  status ||= code;
}

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const p of workspaces) {
  const file = resultFile(p);
  if (!existsSync(file)) {
    missing.push(p);
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
}
console.log('');
if (missing.length > 0) console.log(`workspaces without test results (cached or not run): ${missing.join(', ')}`);
if (skipped > 0) {
  console.log(`error: ${skipped} skipped or todo tests; skipped suites are not allowed`);
  status ||= 1;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped; playground e2e ${e2e}; consumer test ${consumer}`);
process.exit(status);
