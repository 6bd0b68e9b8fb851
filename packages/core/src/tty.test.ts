import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shouldShowProgress } from './tty.js';

describe('shouldShowProgress', () => {
  it('true and false win; auto follows the stream', () => {
    expect(shouldShowProgress('auto', { isTTY: true })).toBe(true);
    expect(shouldShowProgress('auto', { isTTY: false })).toBe(false);
    expect(shouldShowProgress('auto', {})).toBe(false);
    expect(shouldShowProgress('auto', undefined)).toBe(false);
    expect(shouldShowProgress(true, {})).toBe(true);
    expect(shouldShowProgress(false, { isTTY: true })).toBe(false);
  });

  it('is the truth table show === true || (auto && isTTY) (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom<boolean | 'auto'>(true, false, 'auto'), fc.option(fc.boolean(), { nil: undefined }), (show, tty) => {
        const stream = tty === undefined ? {} : { isTTY: tty };
        expect(shouldShowProgress(show, stream)).toBe(show === true || (show === 'auto' && tty === true));
      }),
    );
  });
});
