// The broker with real shard workers (and with its shards inline on the main thread): concurrent produce from the main thread into many
// partitions on two shards, read back through fetch (shared-memory views and the shard path),
// in memory and on disk across a stop and reopen; and shutdown while traffic flows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../actors/host/broker.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import { readBatchHeader, batchCrcStart } from '../../core/records/record_batch.js';
import { ErrorCode } from '../../core/errors.js';
import { codeOfSettled } from '../support/error_code.js';

const MiB = 1024 * 1024;
const brokers: Broker[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof Broker.start>[0]): Promise<Broker> {
  const broker = await Broker.start({ memoryBytes: 256 * MiB, ringBytes: 1 * MiB, ...options });
  brokers.push(broker);
  return broker;
}

/** Batch `sequence` of partition `partition`: records whose values say where they belong. */
function batchFor(partition: number, sequence: number, records: number): Uint8Array {
  return encodeRecordBatch(
    Array.from({ length: records }, (_, i) => ({
      key: new TextEncoder().encode(`p${partition}`),
      value: new TextEncoder().encode(`p${partition}-s${sequence}-r${i}`.padEnd(100, '.')),
    })),
    { baseTimestamp: 1_700_000_000_000 + sequence },
  );
}

/** Reads a partition from offset 0 to its high watermark, in small fetches. */
async function readAll(broker: Broker, topic: string, partition: number): Promise<Uint8Array[]> {
  const batches: Uint8Array[] = [];
  let offset = 0;
  for (;;) {
    const result = await broker.fetch(topic, partition, offset, 64 * 1024);
    for (const batch of result.batches) {
      batches.push(batch.slice());
      const header = readBatchHeader(batch);
      offset = header.baseOffset + header.lastOffsetDelta + 1;
    }
    result.release();
    if (offset >= result.highWatermark) return batches;
  }
}

async function produceConcurrently(broker: Broker, topic: string, partitions: number, batchesPerPartition: number, records: number) {
  const sent = new Map<number, Uint8Array[]>();
  const pending: Promise<unknown>[] = [];
  for (let sequence = 0; sequence < batchesPerPartition; sequence++) {
    for (let partition = 0; partition < partitions; partition++) {
      const batch = batchFor(partition, sequence, records);
      if (!sent.has(partition)) sent.set(partition, []);
      sent.get(partition)!.push(batch);
      pending.push(broker.produce(topic, partition, batch, { acks: 1 }));
    }
  }
  await Promise.all(pending);
  return sent;
}

function expectSameBatches(read: Uint8Array[], sent: Uint8Array[], records: number): void {
  expect(read.length).toBe(sent.length);
  read.forEach((batch, i) => {
    const header = readBatchHeader(batch);
    // Every record exactly once and in order: batch i holds offsets i*records … i*records+records-1.
    expect(header.baseOffset).toBe(i * records);
    // The producer's bytes are stored as sent, apart from the two fields the log patches.
    expect(batch.subarray(batchCrcStart)).toEqual(sent[i].subarray(batchCrcStart));
  });
}

// Shards on worker threads, and inline on the host's thread: same actors, same rings, other waking.
describe.each(['workers', 'inline'] as const)('Broker with two shards (shard threads: %s)', (shardThreads) => {
  it('keeps every record of concurrent produces, once and in order per partition (memory)', async () => {
    const broker = await start({ shardThreads, shards: 2, storage: 'memory' });
    const partitions = 12;
    await broker.createTopic('orders', { partitions });
    const shardsUsed = new Set(broker.describeTopic('orders')!.partitions.map((p) => p.shard));
    expect(shardsUsed).toEqual(new Set([0, 1]));
    const sent = await produceConcurrently(broker, 'orders', partitions, 40, 25);
    for (let partition = 0; partition < partitions; partition++) {
      expectSameBatches(await readAll(broker, 'orders', partition), sent.get(partition)!, 25);
    }
    // In-memory data is served as views of the shared memory, not copies through a ring.
    const shared = await broker.fetch('orders', 3, 0, 1024);
    expect(shared.batches[0].buffer).toBeInstanceOf(SharedArrayBuffer);
    shared.release();
    const description = broker.describeTopic('orders')!;
    expect(description.partitions.map((p) => p.highWatermark)).toEqual(Array(partitions).fill(40 * 25));
  });

  it('keeps them across a stop and reopen on disk', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lanes-broker-'));
    dirs.push(dataDir);
    const partitions = 6;
    const first = await start({ shardThreads, shards: 2, storage: 'disk', dataDir, flush: 'always' });
    await first.createTopic('orders', { partitions });
    const sent = await produceConcurrently(first, 'orders', partitions, 20, 10);
    await first.stop();
    const second = await start({ shardThreads, shards: 2, storage: 'disk', dataDir, flush: 'always' });
    expect(second.describeTopic('orders')?.partitions.length).toBe(partitions);
    for (let partition = 0; partition < partitions; partition++) {
      expectSameBatches(await readAll(second, 'orders', partition), sent.get(partition)!, 10);
    }
    // New appends continue the offsets.
    const next = await second.produce('orders', 0, batchFor(0, 99, 10));
    expect(next.baseOffset).toBe(200);
  });

  it('serves more fetch replies in one go than the reply ring holds (disk)', async () => {
    // The shard answers fetches of disk data through its 64 KiB reply ring: 40 replies of ~30 KB
    // fill it many times over. A worker shard waits for the host to drain; an inline shard cannot
    // wait for its own thread and must hand the replies over instead.
    const dataDir = mkdtempSync(join(tmpdir(), 'lanes-broker-'));
    dirs.push(dataDir);
    const broker = await start({ shardThreads, shards: 1, storage: 'disk', dataDir, flush: 'never', ringBytes: 64 * 1024 });
    await broker.createTopic('wide', { partitions: 1 });
    const sent: Uint8Array[] = [];
    for (let sequence = 0; sequence < 12; sequence++) {
      sent.push(batchFor(0, sequence, 100));
      await broker.produce('wide', 0, sent[sequence], { acks: 1 });
    }
    const fetches = await Promise.all(Array.from({ length: 40 }, () => broker.fetch('wide', 0, 0, 30 * 1024)));
    for (const result of fetches) {
      expect(result.batches.length).toBeGreaterThan(0);
      result.batches.forEach((batch, i) => expect(batch.subarray(batchCrcStart)).toEqual(sent[i].subarray(batchCrcStart)));
      result.release();
    }
    expect(fetches.reduce((bytes, result) => bytes + result.batches.reduce((sum, batch) => sum + batch.length, 0), 0)).toBeGreaterThan(4 * 64 * 1024);
  });

  it('answers bad input with Kafka codes and keeps serving', async () => {
    const broker = await start({ shardThreads, shards: 1, storage: 'memory' });
    await broker.createTopic('t', { partitions: 1 });
    const corrupt = batchFor(0, 0, 3);
    corrupt[corrupt.length - 1] ^= 1;
    expect(await codeOfSettled(broker.produce('t', 0, corrupt))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(await codeOfSettled(broker.produce('nope', 0, batchFor(0, 0, 1)))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(await codeOfSettled(broker.fetch('t', 0, 5, 1024))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const ok = await broker.produce('t', 0, batchFor(0, 1, 3));
    expect(ok.baseOffset).toBe(0);
    // A segment smaller than the largest batch could never open: refused, nothing made.
    expect(await codeOfSettled(broker.createTopic('tiny', { config: { segmentBytes: 1000 } }))).toBe(ErrorCode.INVALID_CONFIG);
    expect(broker.listTopics().map((topic) => topic.name)).toEqual(['t']);
  });

  it('stops while traffic flows, answering or failing every request, with no thread left', async () => {
    const broker = await start({ shardThreads, shards: 2, storage: 'memory' });
    await broker.createTopic('busy', { partitions: 4 });
    const outcomes: Promise<string>[] = [];
    for (let i = 0; i < 2000; i++) {
      outcomes.push(broker.produce('busy', i % 4, batchFor(i % 4, i, 5)).then(() => 'ok', () => 'refused'));
    }
    const stopping = broker.stop();
    await stopping;
    const settled = await Promise.all(outcomes);
    expect(settled.length).toBe(2000);
    expect(settled.filter((s) => s === 'ok').length).toBeGreaterThan(0);
    expect(broker.liveThreads()).toBe(0);
  });
});
