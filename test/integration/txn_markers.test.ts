// Broker.writeTxnMarkers, the call the transaction coordinator makes: each marker reaches the
// partition actors that own its partitions (on every shard), is stored as a control batch after the
// producer's transactional batches, and each partition answers its own code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../actors/host/broker.js';
import { ErrorCode } from '../../core/errors.js';
import { txnMarkerAppendsInFlightMax } from '../../core/limits.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import { encodeMarkerBatch, readMarker } from '../../core/records/control_batch.js';
import { readBatchHeader } from '../../core/records/record_batch.js';

const MiB = 1024 * 1024;
const brokers: Broker[] = [];

const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof Broker.start>[0] = {}): Promise<Broker> {
  const broker = await Broker.start({ memoryBytes: 128 * MiB, ringBytes: 1 * MiB, ...options });
  brokers.push(broker);
  return broker;
}

function txnBatch(producerId: number, baseSequence: number, epoch = 0): Uint8Array {
  return encodeRecordBatch([{ key: null, value: new TextEncoder().encode(`txn-${producerId}-${baseSequence}`) }], { producerId, producerEpoch: epoch, baseSequence, transactional: true });
}

async function lastBatch(broker: Broker, topic: string, partition: number): Promise<Uint8Array> {
  const result = await broker.fetch(topic, partition, 0, 1 * MiB);
  const last = result.batches.at(-1)!.slice();
  result.release();
  return last;
}

describe('Broker.writeTxnMarkers', () => {
  it.each(['inline', 'workers'] as const)('writes each marker to partitions on every shard (%s shards)', async (shardThreads) => {
    const broker = await start({ shardThreads, shards: 2 });
    await broker.createTopic('t', { partitions: 4 });
    for (let partition = 0; partition < 4; partition++) await broker.produce('t', partition, txnBatch(11, 0));
    const results = await broker.writeTxnMarkers([
      { producerId: 11n, producerEpoch: 0, committed: true, coordinatorEpoch: 3, partitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }] },
      { producerId: 11n, producerEpoch: 0, committed: false, coordinatorEpoch: 3, partitions: [{ topic: 't', partition: 2 }, { topic: 't', partition: 3 }, { topic: 'missing', partition: 0 }] },
    ]);
    expect(results).toEqual([
      { producerId: 11n, partitions: [{ topic: 't', partition: 0, errorCode: 0 }, { topic: 't', partition: 1, errorCode: 0 }] },
      { producerId: 11n, partitions: [{ topic: 't', partition: 2, errorCode: 0 }, { topic: 't', partition: 3, errorCode: 0 }, { topic: 'missing', partition: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
    ]);
    for (let partition = 0; partition < 4; partition++) {
      const stored = await lastBatch(broker, 't', partition);
      expect(readBatchHeader(stored).baseOffset).toBe(1);
      expect(readMarker(stored, 0, stored.length)).toEqual({ producerId: 11, producerEpoch: 0, committed: partition < 2, coordinatorEpoch: 3 });
    }
  });

  it('answers each partition its refusal: a fenced producer epoch, a stale coordinator, a field out of range', async () => {
    const broker = await start({ shardThreads: 'inline' });
    await broker.createTopic('t', { partitions: 1 });
    await broker.produce('t', 0, txnBatch(5, 0, 2));
    const p0 = [{ topic: 't', partition: 0 }];
    const [ok] = await broker.writeTxnMarkers([{ producerId: 5n, producerEpoch: 2, committed: true, coordinatorEpoch: 4, partitions: p0 }]);
    expect(ok.partitions[0].errorCode).toBe(0);
    const refused = await broker.writeTxnMarkers([
      { producerId: 5n, producerEpoch: 1, committed: true, coordinatorEpoch: 4, partitions: p0 },
      { producerId: 5n, producerEpoch: 2, committed: true, coordinatorEpoch: 3, partitions: p0 },
      { producerId: -1n, producerEpoch: 2, committed: true, coordinatorEpoch: 4, partitions: p0 },
      { producerId: 2n ** 60n, producerEpoch: 2, committed: true, coordinatorEpoch: 4, partitions: p0 },
      { producerId: 5n, producerEpoch: 40_000, committed: true, coordinatorEpoch: 4, partitions: p0 },
    ]);
    expect(refused.map((marker) => marker.partitions[0].errorCode)).toEqual([
      ErrorCode.INVALID_PRODUCER_EPOCH,
      ErrorCode.TRANSACTION_COORDINATOR_FENCED,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
    ]);
    // A retried marker (no transaction open any more) is written and harmless.
    const [retried] = await broker.writeTxnMarkers([{ producerId: 5n, producerEpoch: 2, committed: true, coordinatorEpoch: 4, partitions: p0 }]);
    expect(retried.partitions[0].errorCode).toBe(0);
    expect(broker.describeTopic('t')!.partitions[0].highWatermark).toBe(3);
  });

  it('answers every partition of a request larger than one wave of appends, in order', async () => {
    const broker = await start({ shardThreads: 'inline' });
    await broker.createTopic('t', { partitions: 2 });
    const partitions = Array.from({ length: 2 * txnMarkerAppendsInFlightMax + 5 }, (_, i) => ({ topic: i % 7 === 3 ? 'missing' : 't', partition: i % 2 }));
    const [result] = await broker.writeTxnMarkers([{ producerId: 8n, producerEpoch: 0, committed: false, coordinatorEpoch: 0, partitions }]);
    expect(result.partitions).toEqual(partitions.map(({ topic, partition }) => ({ topic, partition, errorCode: topic === 't' ? 0 : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })));
    const written = partitions.filter(({ topic }) => topic === 't').length;
    const hw = broker.describeTopic('t')!.partitions.map((each) => each.highWatermark);
    expect(hw[0] + hw[1]).toBe(written);
  });

  it('refuses a control batch produced by a client', async () => {
    const broker = await start({ shardThreads: 'inline' });
    await broker.createTopic('t', { partitions: 1 });
    const forged = encodeMarkerBatch({ producerId: 5, producerEpoch: 0, committed: true, coordinatorEpoch: 0 }, 1);
    await expect(broker.produce('t', 0, forged)).rejects.toMatchObject({ errorCode: ErrorCode.INVALID_RECORD });
  });
});

describe('Broker.fetch read_committed', () => {
  const plain = (text: string) => encodeRecordBatch([{ key: null, value: new TextEncoder().encode(text) }]);
  const baseOffsets = (batches: Uint8Array[]) => batches.map((batch) => readBatchHeader(batch).baseOffset);

  it.each(['memory', 'disk'] as const)('stops at the last stable offset and lists the aborted transactions it returns (%s)', async (storage) => {
    const dataDir = storage === 'disk' ? mkdtempSync(join(tmpdir(), 'lanes-txn-fetch-')) : undefined;
    if (dataDir !== undefined) dirs.push(dataDir);
    const broker = await start({ shardThreads: 'inline', storage, dataDir });
    await broker.createTopic('t', { partitions: 1 });
    const p0 = [{ topic: 't', partition: 0 }];
    await broker.produce('t', 0, plain('a')); // 0
    await broker.produce('t', 0, txnBatch(1, 0)); // 1: producer 1's transaction, aborted below
    await broker.produce('t', 0, txnBatch(2, 0)); // 2: producer 2's, open until later
    await broker.produce('t', 0, txnBatch(1, 1)); // 3
    await broker.writeTxnMarkers([{ producerId: 1n, producerEpoch: 0, committed: false, coordinatorEpoch: 0, partitions: p0 }]); // 4
    await broker.produce('t', 0, plain('b')); // 5

    const uncommitted = await broker.fetch('t', 0, 0, 1 * MiB);
    expect(baseOffsets(uncommitted.batches)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(uncommitted.abortedTransactions).toBeNull();
    expect(uncommitted.lastStableOffset).toBe(2);
    uncommitted.release();

    const open = await broker.fetch('t', 0, 0, 1 * MiB, 'read_committed');
    expect(baseOffsets(open.batches)).toEqual([0, 1]);
    expect(open).toMatchObject({ highWatermark: 6, lastStableOffset: 2, abortedTransactions: [{ producerId: 1, firstOffset: 1 }] });
    open.release();
    expect(broker.describeTopic('t')!.partitions[0]).toMatchObject({ highWatermark: 6, lastStableOffset: 2 });

    await broker.writeTxnMarkers([{ producerId: 2n, producerEpoch: 0, committed: true, coordinatorEpoch: 0, partitions: p0 }]); // 6
    const decided = await broker.fetch('t', 0, 0, 1 * MiB, 'read_committed');
    expect(baseOffsets(decided.batches)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(decided).toMatchObject({ lastStableOffset: 7, abortedTransactions: [{ producerId: 1, firstOffset: 1 }] });
    decided.release();
    // From past the abort's marker, no aborted transaction reaches the range.
    const later = await broker.fetch('t', 0, 5, 1 * MiB, 'read_committed');
    expect(later.abortedTransactions).toEqual([]);
    later.release();
  });
});
