import { describe, expect, it } from 'vitest';
import { InterruptedError, NEVER_STOP, createStopController, stopPoint } from './stop.js';

describe('stop requests', () => {
  it('a controller is not requested until request(), then aborts its signal once, with the reason', async () => {
    const stop = createStopController();
    await expect(stopPoint(stop, 'embedding')).resolves.toBeUndefined();
    expect([stop.requested, stop.signal, stop.abortSignal.aborted]).toEqual([false, undefined, false]);
    stop.request('time limit');
    stop.request('again');
    expect([stop.requested, stop.signal, stop.abortSignal.aborted]).toEqual([true, 'time limit', true]);
    await expect(stopPoint(stop, 'embedding')).rejects.toThrow(new InterruptedError('stopped by time limit during embedding'));
  });

  it('NEVER_STOP never stops', async () => {
    await expect(stopPoint(NEVER_STOP, 'x')).resolves.toBeUndefined();
    expect(NEVER_STOP.requested).toBe(false);
  });
});
