import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLimitError } from './errors.js';
import { MAX_TENSOR_BYTES, assertAllocation, availableMemoryBytes, setMemoryBudget } from './memory-budget.js';

afterEach(() => setMemoryBudget(undefined));

describe('assertAllocation', () => {
  it('passes what fits; refuses more than the budget with needed vs available and the argument to lower', () => {
    setMemoryBudget(1024);
    expect(availableMemoryBytes()).toBe(1024);
    expect(() => assertAllocation('f', { what: 'x', bytes: 1024, argument: 'options.size', received: 256 })).not.toThrow();
    let error: unknown;
    try {
      assertAllocation('f', { what: 'the queue', bytes: 4096, argument: 'options.size', received: 1024 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MemoryLimitError);
    expect(error).toMatchObject({ code: 'MEMORY_LIMIT', requiredBytes: 4096, limitBytes: 1024, argument: 'options.size', received: 1024 });
    expect((error as Error).message).toBe("f: the queue needs 0.0 MiB, more than the 0.0 MiB available; lower 'options.size'");
  });

  it('refuses a single tensor larger than a typed array can be, whatever memory is free', () => {
    expect(() => assertAllocation('f', { what: 't', bytes: 8, largestTensorBytes: MAX_TENSOR_BYTES + 1, argument: 'a', received: 1 })).toThrow(/more than one tensor can hold/);
  });
});
