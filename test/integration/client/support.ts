// Shared helpers for the embedded client tests: a Lanes per test with short group timeouts, and
// waiting on conditions (never on durations) with a generous bound so a broken client fails.
import { afterEach } from 'vitest';
import { Lanes } from '../../../actors/host/index.js';

const MiB = 1024 * 1024;
const started: Lanes[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((lanes) => lanes.stop()));
});

export async function startLanes(): Promise<Lanes> {
  const lanes = await Lanes.start({
    storage: 'memory',
    shards: 2,
    memoryBytes: 128 * MiB,
    ringBytes: 1 * MiB,
    partitionsMax: 256,
    groups: { initialRebalanceDelayMs: 0, sessionTimeoutMsMin: 100 },
  });
  started.push(lanes);
  return lanes;
}

/** Short membership timings the lowered session minimum allows; still several heartbeats per session. */
export const fastGroup = { sessionTimeout: 3_000, heartbeatInterval: 100, metadataMaxAge: 200, maxWaitTimeInMs: 200 } as const;

/** Polls `condition` every 10 ms until it holds; throws after `boundMs` naming what it waited for. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, boundMs = 20_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
