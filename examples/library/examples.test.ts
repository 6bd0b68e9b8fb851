/**
 * Runs every library example as a user does (a child process of its TypeScript source) for a
 * few steps on a few hundred real CIFAR-10 images, and checks it trains and evaluates: exit
 * status 0 and a result line with a finite loss and accuracies in [0, 1] over the requested
 * numbers of bank and test images.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSource, type SourceRun } from '../../test/run-source.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const run = (script: string, args: readonly string[]): Promise<SourceRun> => runSource(path.join(here, script), args);

const SMALL = ['--steps', '3', '--images', '192', '--test-images', '100', '--linear-epochs', '3', '--batch-size', '32'];

describe('library examples', () => {
  it.each([
    ['simclr.ts', 'simclr'],
    ['supcon.ts', 'supcon'],
    ['moco-v2.ts', 'mocoV2'],
    ['inst-disc.ts', 'instDisc'],
  ])('%s trains 3 steps and evaluates the frozen encoder', async (script, name) => {
    const r = await run(script, SMALL);
    if (r.code !== 0) throw new Error(`${script} exited with ${r.code}\n${r.stdout}\n${r.stderr}`);
    expect(r.stderr).toContain('3 steps of 32 on 192 CIFAR-10 images');
    const m = new RegExp(`^result: ${name} loss=(\\S+) knn=(\\S+) linear=(\\S+) bank=192 test=100$`, 'm').exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const [loss, knn, linear] = [m?.[1], m?.[2], m?.[3]].map(Number) as [number, number, number];
    expect(Number.isFinite(loss) && loss > 0).toBe(true);
    for (const acc of [knn, linear]) {
      expect(acc).toBeGreaterThanOrEqual(0);
      expect(acc).toBeLessThanOrEqual(1);
    }
  });

  it('a bad size is refused with the flag and the value', async () => {
    const r = await run('simclr.ts', ['--steps', '0']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("--steps must be an integer >= 1, received '0'");
  });
});
