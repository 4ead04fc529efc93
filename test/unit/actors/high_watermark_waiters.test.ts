import { describe, expect, it } from 'vitest';
import { HighWatermarkWaiters } from '../../../actors/host/high_watermark_waiters.js';

function scope() {
  const withdrawals: (() => void)[] = [];
  return { defer: (withdraw: () => void) => withdrawals.push(withdraw), end: () => withdrawals.splice(0).forEach((withdraw) => withdraw()) };
}

describe('HighWatermarkWaiters', () => {
  it('resolves the waiters a high watermark passes, and only those', async () => {
    const waiters = new HighWatermarkWaiters();
    const woken: number[] = [];
    void waiters.wait(1, 5, 60_000).then(() => woken.push(5));
    void waiters.wait(1, 9, 60_000).then(() => woken.push(9));
    waiters.advanced(1, 6);
    await Promise.resolve();
    expect(woken).toEqual([5]);
    expect(waiters.size).toBe(1);
    waiters.wakeAll();
    await Promise.resolve();
    expect(woken).toEqual([5, 9]);
    expect(waiters.size).toBe(0);
  });

  it('drops every wait of a scope when the scope ends (a long poll answered by another partition)', () => {
    const waiters = new HighWatermarkWaiters();
    const poll = scope();
    for (let actorId = 0; actorId < 8; actorId++) void waiters.wait(actorId, 0, 60_000, poll);
    expect(waiters.size).toBe(8);
    waiters.advanced(3, 1);
    expect(waiters.size).toBe(7);
    poll.end();
    expect(waiters.size).toBe(0);
  });

  it('times out', async () => {
    const waiters = new HighWatermarkWaiters();
    await waiters.wait(1, 100, 0);
    expect(waiters.size).toBe(0);
  });
});
