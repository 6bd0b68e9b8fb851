import { describe, expect, it } from 'vitest';
import type { EncodersNode } from '../save-load.js';
import * as encodersNode from './index.js';

describe('@contrastive/encoders/node', () => {
  it('satisfies the structural EncodersNode type that save-load.ts loads lazily', () => {
    const typed: EncodersNode = encodersNode; // compile-time check: typecheck fails if they drift apart
    expect(typeof typed.saveEncoderDirectory).toBe('function');
    expect(typeof typed.loadEncoderDirectory).toBe('function');
  });
});
