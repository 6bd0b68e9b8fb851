/** A misspelt or foreign option is refused, naming it, instead of being ignored (issue 19, defect 6). */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError } from '@contrastive/core';
import { ntXentLoss, supConLoss } from './adapters.js';
import { infoNce } from './info-nce.js';
import { ntXent } from './nt-xent.js';
import { supCon } from './sup-con.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('losses: unknown options', () => {
  it('ntXent, supCon, infoNce and the adapters name the unknown key', () => {
    const a = tf.tensor2d([1, 0, 0, 1], [2, 2]);
    const b = tf.tensor2d([0, 1, 1, 0], [2, 2]);
    const cases: [() => unknown, string][] = [
      [() => ntXent(a, b, { temperature: 0.2, temprature: 1 } as never), 'options.temprature'],
      [() => supCon([a, b], null, { temperature: 0.2, negativeLabel: a } as never), 'options.negativeLabel'],
      [() => infoNce(a, b, null, { temperature: 0.2, inBatch: true } as never), 'options.inBatch'],
      [() => ntXentLoss({ temperature: 0.5, sclae: 'paper' } as never), 'options.sclae'],
      [() => supConLoss({ temperature: 0.5, requireLabel: true } as never), 'options.requireLabel'],
    ];
    for (const [call, argument] of cases) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error, argument).toBeInstanceOf(ArgumentError);
      expect((error as ArgumentError).argument).toBe(argument);
    }
    a.dispose();
    b.dispose();
  });
});
