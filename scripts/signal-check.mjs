#!/usr/bin/env node
/**
 * Ctrl-C and SIGTERM through the *built* executable, as packages/cli/test/signals.e2e.test.ts
 * does for the sources: `node packages/cli/dist/bin.js train` and `npx contrastive train` are
 * started in a process group of their own on a small configuration; once a step is logged the
 * whole group gets the signal; each must end with a checkpoint of the last logged step,
 * `run.json` `stopped` and status 130 (SIGINT) or 143 (SIGTERM). Needs `npm run build` first
 * (scripts/test-all.mjs runs it after the build). Prints one line per command; exits 1 on failure.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'packages', 'cli', 'dist', 'bin.js');
if (!existsSync(bin)) {
  console.error(`signal-check: ${bin} is missing; run npm run build first`);
  process.exit(1);
}
const dataDir = process.env.CONTRASTIVE_DATA_DIR || resolve(root, '..', 'shared', 'data');
const dir = mkdtempSync(join(tmpdir(), 'signal-check-'));
const config = join(dir, 'long.yaml');
writeFileSync(
  config,
  'name: long\ndata: { trainLimit: 320 }\nencoder: { kind: convnet, widths: [8, 16] }\nhead: { hiddenDim: 32, outputDim: 16 }\n' +
    'train: { batchSize: 16, maxSteps: 400, epochs: 20 }\ncheckpoint: { everySteps: 1000 }\nmonitor: { enabled: false }\nreport: { previewImages: 2, previewViews: 2 }\n',
);

const steps = (file) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('"type":"step"')).length : 0);

function check(label, command, args, signal) {
  const out = join(dir, label.replace(/\W+/g, '-'));
  return new Promise((done) => {
    const child = spawn(command, [...args, 'train', '--config', config, '--out', out], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, CONTRASTIVE_DATA_DIR: dataDir, CONTRASTIVE_WASM_THREADS: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const poll = setInterval(() => {
      if (steps(join(out, 'metrics.jsonl')) >= 1) {
        clearInterval(poll);
        process.kill(-child.pid, signal);
      }
    }, 50);
    const killer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), 180_000);
    child.on('close', (code, sig) => {
      clearInterval(poll);
      clearTimeout(killer);
      const status = code ?? 128 + constants.signals[sig];
      const logged = steps(join(out, 'metrics.jsonl'));
      const run = existsSync(join(out, 'run.json')) ? JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) : {};
      const latest = existsSync(join(out, 'checkpoints', 'latest')) ? readFileSync(join(out, 'checkpoints', 'latest'), 'utf8').trim() : '(none)';
      const want = 128 + constants.signals[signal];
      const ok = status === want && run.status === 'stopped' && latest === `step-${String(logged).padStart(9, '0')}`;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${label} + ${signal}: exit ${status} (want ${want}), run.json ${run.status}, ${logged} steps logged, latest ${latest}`);
      if (!ok) console.log(stderr.split('\n').slice(-6).join('\n'));
      done(ok);
    });
  });
}

// `npm ci` links a workspace's bin only if its file exists at install time; the CLI's bin is
// build output (dist/bin.js), so on a fresh clone the `contrastive` link is made here, after the build.
if (!existsSync(join(root, 'node_modules', '.bin', 'contrastive'))) {
  const linked = spawnSync('npm', ['rebuild', '--ignore-scripts', '@contrastive/cli'], { cwd: root, stdio: 'inherit' });
  if (linked.status !== 0) {
    console.log('FAIL npm rebuild could not link the contrastive executable');
    process.exit(1);
  }
}

const results = [
  await check('built bin', process.execPath, [bin], 'SIGINT'),
  await check('npx contrastive', 'npx', ['contrastive'], 'SIGTERM'),
];
process.exit(results.every(Boolean) ? 0 : 1);
