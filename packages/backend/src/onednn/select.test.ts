// Which engine initBackend picks with and without the oneDNN addon, in fresh processes: the addon
// loads (or builds) -> wasm+onednn; a missing addon, missing oneDNN headers or no compiler -> plain
// wasm with one note saying why and how to get the fast path. Everything else works unchanged.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOnednnAddon } from '../node/onednn-addon.js';
import { ONEDNN_REQUIRED } from '../../test/onednn-harness.js';

interface ChildReport {
  engine: string;
  attempts: Array<{ engine: string; ok: boolean; reason?: string }>;
  notes: string[];
  onednn: { version: string; isa: string; addonPath: string } | null;
  kernelsAdded: string[];
}

function reportWith(env: Record<string, string>): ChildReport {
  const script = new URL('../../test/fixtures/engine-report-process.ts', import.meta.url).pathname;
  const run = spawnSync(process.execPath, ['--conditions=contrastive-source', '--import', 'tsx', script], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  expect(run.error, run.stderr).toBe(undefined);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as ChildReport;
}

const here = loadOnednnAddon();

describe('initBackend and the oneDNN addon', () => {
  it(`this machine ${here.ok ? 'has' : 'lacks'} the addon${here.ok ? '' : ` (${here.reason})`}; CI requires it`, () => {
    if (ONEDNN_REQUIRED) expect(here.ok).toBe(true);
    expect(typeof here.ok).toBe('boolean');
  });

  if (here.ok) {
    it('picks wasm+onednn by default and reports oneDNN version, ISA and the kernels it took over', () => {
      const r = reportWith({});
      expect(r.engine).toBe('wasm+onednn');
      expect(r.attempts.map((a) => a.engine)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm+onednn']);
      expect(r.onednn?.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(r.kernelsAdded).toEqual(expect.arrayContaining(['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'BatchMatMul']));
      expect(r.notes.filter((n) => /oneDNN fast path is off/.test(n))).toEqual([]);
    });

    it('builds the addon into an empty cache folder on first use (the path a user takes: no install script)', () => {
      const cache = mkdtempSync(join(tmpdir(), 'onednn-cache-'));
      try {
        const r = reportWith({ CONTRASTIVE_ONEDNN_CACHE: cache });
        expect(r.engine).toBe('wasm+onednn');
        expect(r.onednn?.addonPath.startsWith(cache)).toBe(true);
        expect(r.notes.some((n) => n.startsWith('built the oneDNN addon'))).toBe(true);
        const again = reportWith({ CONTRASTIVE_ONEDNN_CACHE: cache });
        expect(again.notes.some((n) => n.startsWith('built the oneDNN addon'))).toBe(false); // cached
      } finally {
        rmSync(cache, { recursive: true, force: true });
      }
    });
  }

  it('without oneDNN headers: plain wasm, one note saying why and how to get the fast path', () => {
    const cache = mkdtempSync(join(tmpdir(), 'onednn-cache-'));
    try {
      const r = reportWith({ CONTRASTIVE_ONEDNN_CACHE: cache, CONTRASTIVE_ONEDNN_ADDON: '', DNNL_ROOT: join(cache, 'no-such-onednn') });
      expect(r.engine).toBe('wasm');
      expect(r.attempts.find((a) => a.engine === 'wasm+onednn')).toMatchObject({ ok: false, reason: expect.stringMatching(/dnnl\.hpp\) not found/) });
      const notes = r.notes.filter((n) => /oneDNN fast path is off/.test(n));
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(/apt-get install g\+\+ libdnnl-dev/);
      expect(r.kernelsAdded).not.toContain('BatchMatMul');
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('with an addon path that does not load: plain wasm, and the note names the failure', () => {
    const r = reportWith({ CONTRASTIVE_ONEDNN_ADDON: '/nonexistent/onednn.node' });
    expect(r.engine).toBe('wasm');
    expect(r.notes.join('\n')).toMatch(/oneDNN fast path is off \(oneDNN addon unavailable: .*nonexistent/);
  });

  it('without a C++ compiler: plain wasm, and the note says so', () => {
    const cache = mkdtempSync(join(tmpdir(), 'onednn-cache-'));
    try {
      const r = reportWith({ CONTRASTIVE_ONEDNN_CACHE: cache, CONTRASTIVE_ONEDNN_ADDON: '', CXX: 'no-such-compiler', PATH: '/nonexistent' });
      expect(r.engine).toBe('wasm');
      expect(r.notes.join('\n')).toMatch(/no C\+\+ compiler/);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
