/** Sizes and view counts the recipes refuse with typed errors before allocating (issue 19, defect 5; found by the fuzz harness). */
import { describe, expect, it } from 'vitest';
import { ArgumentError, MemoryLimitError } from '@contrastive/core';
import { MAX_VIEWS, simclr, mocoV2 } from './recipes.js';

describe('recipes: limits', () => {
  it('an output size whose single image cannot fit is a MemoryLimitError naming options.size (was RangeError: Invalid typed array length)', () => {
    expect(() => simclr({ size: 1e9 })).toThrow(MemoryLimitError);
    expect(() => mocoV2({ size: [8, 3e9] })).toThrow(expect.objectContaining({ argument: 'options.size' }) as Error);
  });

  it(`more than ${MAX_VIEWS} views is an ArgumentError naming options.views (was RangeError: Invalid array length)`, () => {
    expect(() => simclr({ size: 8, views: 1e10 })).toThrow(ArgumentError);
    expect(() => simclr({ size: 8, views: MAX_VIEWS + 1 })).toThrow(expect.objectContaining({ argument: 'options.views' }) as Error);
    expect(simclr({ size: 8, views: MAX_VIEWS }).numViews).toBe(MAX_VIEWS);
  });
});
