// Fetch long polls leave nothing behind: the waits of a poll over many partitions are withdrawn
// as soon as one partition answers, and a poll ends when its client's connection closes. The
// fake broker parks waits in the host's real HighWatermarkWaiters to count them.
import { describe, expect, it } from 'vitest';
import { HighWatermarkWaiters } from '../../../actors/host/high_watermark_waiters.js';
import { fetch } from '../../../core/handlers/fetch.js';
import { noResponse, type ProduceOutcome, type WaitScope } from '../../../core/handlers/handler.js';
import type { FetchRequest } from '../../../core/protocol/messages/fetch.js';
import { context, FakeBroker } from './fakes.js';

class WaitingBroker extends FakeBroker {
  readonly waiters = new HighWatermarkWaiters();

  override async produce(topic: string, partition: number, batch: Uint8Array, options: { acks?: -1 | 0 | 1 }): Promise<ProduceOutcome> {
    const outcome = await super.produce(topic, partition, batch, options);
    this.waiters.advanced(partition, outcome.highWatermark);
    return outcome;
  }

  override waitForData(_topic: string, partition: number, offset: number, timeoutMs: number, scope?: WaitScope): Promise<void> {
    return this.waiters.wait(partition, offset, timeoutMs, scope);
  }
}

function batch(total: number): Uint8Array {
  const bytes = new Uint8Array(total).fill(1);
  new DataView(bytes.buffer).setInt32(8, total - 12);
  return bytes;
}

function longPoll(partitions: number): FetchRequest {
  return {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1 },
    maxWaitMs: 60_000,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topicName: 't', topicId: new Uint8Array(16), partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20, replicaDirectoryId: new Uint8Array(16) })) }],
    forgottenTopicsData: [],
    rackId: '',
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Fetch long poll cleanup', () => {
  it('withdraws the waits on the other partitions once one partition answers', async () => {
    const broker = new WaitingBroker();
    await broker.createTopic('t', { partitions: 8 });
    const ctx = context({ broker, apiVersion: 11 });
    const pending = fetch.handle(ctx, longPoll(8));
    await settle();
    expect(broker.waiters.size).toBe(8);
    await broker.produce('t', 5, batch(40), {});
    const response = await pending;
    if (response === noResponse) throw new Error('a response');
    expect(response.responses[0].partitions[5].records?.map((b) => b.length)).toEqual([40]);
    expect(broker.waiters.size).toBe(0);
  });

  it('ends at once, with its waits withdrawn, when the connection closes', async () => {
    const broker = new WaitingBroker();
    await broker.createTopic('t', { partitions: 4 });
    const listeners = new Set<() => void>();
    const ctx = {
      ...context({ broker, apiVersion: 11 }),
      onConnectionClose: (listener: () => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const pending = fetch.handle(ctx, longPoll(4));
    await settle();
    expect(broker.waiters.size).toBe(4);
    expect(listeners.size).toBe(1);
    for (const listener of [...listeners]) listener();
    await pending;
    expect(broker.waiters.size).toBe(0);
    expect(listeners.size).toBe(0);
  });
});
