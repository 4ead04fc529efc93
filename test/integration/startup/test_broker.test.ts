// Goal: `startTestBroker()` from lanes/testing gives a test a working broker on a free port, and
// a test suite can start and stop one per test without leaking: after 50 brokers in a row (each
// serving a produce over the wire) no thread, socket, timer or message port is left behind.
// Method: compare `process.getActiveResourcesInfo()` and the process's threads (/proc/self/task)
// before and after, waiting for them to settle back (a leak never does, and the wait fails);
// a few brokers with worker shards check that their threads are running while they serve and
// gone once they stopped. Nothing here measures a duration.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Kafka } from '../../../actors/host/index.js';
import { startTestBroker, type TestBrokerOptions } from '../../../actors/testing/global_setup.js';
import { timeoutMs, waitUntil } from '../../support/timeouts.js';

/** Live resources by kind, e.g. { TCPServerWrap: 1, Timeout: 2 }. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Threads of this process: the main thread, V8's and libuv's, and any worker threads. */
function threads(): number {
  return readdirSync('/proc/self/task').length;
}

async function serveOneProduce(options: TestBrokerOptions, topic: string): Promise<void> {
  const { brokers, stop } = await startTestBroker(options);
  try {
    const producer = new Kafka({ clientId: 'leak-check', brokers }).producer();
    await producer.connect();
    const [ack] = await producer.send({ topic, messages: [{ value: 'v' }] });
    expect(ack.baseOffset).toBe('0');
    await producer.disconnect();
  } finally {
    await stop();
  }
}

describe.runIf(process.platform === 'linux')('startTestBroker', () => {
  it('starts and stops 50 brokers in a row, each serving a produce, leaving no thread or handle behind', { timeout: timeoutMs(120_000) }, async () => {
    // Once first, so what lives for the whole process (libuv's pool threads, V8's) exists already.
    await serveOneProduce({}, 'warm-up');
    await serveOneProduce({ shardThreads: 'workers' }, 'warm-up');
    const resourcesBefore = resources();
    const threadsBefore = threads();

    for (let i = 0; i < 50; i++) await serveOneProduce({}, `topic-${i}`);

    // Worker shards: their threads run while the broker serves, and end when it stops.
    for (let i = 0; i < 3; i++) {
      const { brokers, broker, stop } = await startTestBroker({ shards: 2, shardThreads: 'workers' });
      expect(broker.shardCount).toBe(2);
      expect(threads()).toBeGreaterThanOrEqual(threadsBefore + 2);
      expect(brokers).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
      await stop();
      await stop(); // idempotent
    }

    // Sockets close and threads exit asynchronously after stop() resolves: wait for them to settle.
    await waitUntil('the resources of the stopped brokers to be released', () => JSON.stringify(resources()) === JSON.stringify(resourcesBefore), 30_000, {
      detail: () => ({ before: resourcesBefore, now: resources() }),
    });
    await waitUntil('the shard threads to exit', () => threads() === threadsBefore, 30_000, { detail: () => ({ before: threadsBefore, now: threads() }) });
  });
});
