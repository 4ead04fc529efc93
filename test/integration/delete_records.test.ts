// DeleteRecords, DescribeProducers and DescribeLogDirs through the Broker with a real shard
// thread, in memory (fetches served from shared memory on the host) and on disk (served by the
// shard from files): the log start offset moves forward and never back, fetches below it answer
// OFFSET_OUT_OF_RANGE, whole segments below it are freed, and on disk it survives a reopen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../actors/host/broker.js';
import { ErrorCode } from '../../core/errors.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import { readBatchHeader } from '../../core/records/record_batch.js';
import { codeOfSettled } from '../support/error_code.js';

const MiB = 1024 * 1024;
const brokers: Broker[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(storage: 'memory' | 'disk', dataDir?: string): Promise<Broker> {
  const broker = await Broker.start({ storage, dataDir, shards: 1, shardThreads: 'workers', memoryBytes: 64 * MiB, ringBytes: 1 * MiB });
  brokers.push(broker);
  return broker;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-delete-records-'));
  dirs.push(dir);
  return dir;
}

/**
 * 10 batches of 5 records (offsets 0–49), small segments so that several roll. The batches are
 * stamped in 2023: the topic keeps them (retention.ms −1), or Kafka's 7-day default retention
 * would delete the rolled segments under the test.
 */
async function fill(broker: Broker, topic: string, options: { producerId?: number } = {}): Promise<void> {
  await broker.createTopic(topic, { partitions: 2, config: { segmentBytes: 2048, maxMessageBytes: 2048, retentionMs: -1 } });
  for (let sequence = 0; sequence < 10; sequence++) {
    const records = Array.from({ length: 5 }, (_, i) => ({ key: null, value: new TextEncoder().encode(`s${sequence}-r${i}`.padEnd(120, '.')) }));
    const idempotent = options.producerId === undefined ? {} : { producerId: options.producerId, producerEpoch: 3, baseSequence: sequence * 5 };
    await broker.produce(topic, 0, encodeRecordBatch(records, { baseTimestamp: 1_700_000_000_000 + sequence, ...idempotent }), { acks: -1 });
  }
}

async function segmentsOf(broker: Broker, topic: string, partition: number): Promise<number> {
  const shards = await broker.describeShards();
  return shards.flatMap((shard) => shard.partitions).find((p) => p.topic === topic && p.partition === partition)!.segments;
}

async function firstBatchBase(broker: Broker, topic: string, offset: number): Promise<number> {
  const result = await broker.fetch(topic, 0, offset, 1);
  try {
    return readBatchHeader(result.batches[0]).baseOffset;
  } finally {
    result.release();
  }
}

describe.each(['memory', 'disk'] as const)('DeleteRecords (%s)', (storage) => {
  it('moves the log start offset forward only, refuses fetches below it and frees whole segments', async () => {
    const broker = await start(storage, storage === 'disk' ? tempDir() : undefined);
    await fill(broker, 'orders');
    const segmentsBefore = await segmentsOf(broker, 'orders', 0);
    expect(segmentsBefore).toBeGreaterThan(2);

    expect(await broker.deleteRecords('orders', 0, 23)).toBe(23);
    expect(broker.describeTopic('orders')!.partitions[0]).toMatchObject({ logStartOffset: 23, highWatermark: 50 });
    expect(await codeOfSettled(broker.fetch('orders', 0, 22, 1 << 20))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(await codeOfSettled(broker.fetch('orders', 0, 0, 1 << 20))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    // The batch holding the new start is kept whole; clients skip the offsets below it.
    expect(await firstBatchBase(broker, 'orders', 23)).toBe(20);
    expect(await segmentsOf(broker, 'orders', 0)).toBeLessThan(segmentsBefore);

    expect(await broker.deleteRecords('orders', 0, 5)).toBe(23); // never backwards
    expect(await codeOfSettled(broker.deleteRecords('orders', 0, 51))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(await codeOfSettled(broker.deleteRecords('orders', 0, -2))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(await codeOfSettled(broker.deleteRecords('orders', 7, 0))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(broker.describeTopic('orders')!.partitions[0].logStartOffset).toBe(23);

    // −1: everything below the high watermark; the empty partition 1 stays at 0.
    expect(await broker.deleteRecords('orders', 0, -1)).toBe(50);
    expect(await broker.deleteRecords('orders', 1, -1)).toBe(0);
    expect((await broker.fetch('orders', 0, 50, 1 << 20)).batches).toEqual([]);
    const appended = await broker.produce('orders', 0, encodeRecordBatch([{ key: null, value: new TextEncoder().encode('after') }]), { acks: -1 });
    expect(appended).toMatchObject({ baseOffset: 50, logStartOffset: 50 });
    expect(await firstBatchBase(broker, 'orders', 50)).toBe(50);
  });

  it('DescribeProducers lists the idempotent producer until its batches are deleted', async () => {
    const broker = await start(storage, storage === 'disk' ? tempDir() : undefined);
    await fill(broker, 'idem', { producerId: 7 });
    expect(await broker.activeProducers('idem', 0)).toEqual([{ producerId: 7, producerEpoch: 3, lastSequence: 49, lastTimestamp: 1_700_000_000_009 }]);
    expect(await broker.activeProducers('idem', 1)).toEqual([]);
    await broker.deleteRecords('idem', 0, -1);
    expect(await broker.activeProducers('idem', 0)).toEqual([]);
  });

  it('DescribeLogDirs reports each partition\'s bytes in the one log directory', async () => {
    const dir = storage === 'disk' ? tempDir() : undefined;
    const broker = await start(storage, dir);
    await fill(broker, 'sized');
    const logDir = await broker.describeLogDir();
    expect(logDir.path).toBe(dir === undefined ? 'memory' : resolve(dir));
    expect(logDir.totalBytes).toBeGreaterThan(0);
    expect(logDir.usableBytes).toBeGreaterThan(0);
    expect(logDir.usableBytes).toBeLessThanOrEqual(logDir.totalBytes);
    const sizes = new Map(logDir.partitions.map((p) => [`${p.topic}-${p.partition}`, p.sizeBytes]));
    expect(sizes.get('sized-1')).toBe(0);
    expect(sizes.get('sized-0')).toBeGreaterThan(10 * 5 * 120);
    await broker.deleteRecords('sized', 0, 45);
    const after = (await broker.describeLogDir()).partitions.find((p) => p.topic === 'sized' && p.partition === 0)!;
    expect(after.sizeBytes).toBeLessThan(sizes.get('sized-0')!);
  });
});

describe('DescribeLogDirs on disk', () => {
  it('reports the partitions with the volume\'s room unknown (−1) when the volume cannot be read', async () => {
    const dir = tempDir();
    const broker = await start('disk', dir);
    await fill(broker, 'gone');
    // The data directory vanishes under the broker (open files stay usable): statfs fails.
    rmSync(dir, { recursive: true, force: true });
    const logDir = await broker.describeLogDir();
    expect([logDir.totalBytes, logDir.usableBytes]).toEqual([-1, -1]);
    expect(logDir.partitions.filter((p) => p.topic === 'gone').length).toBe(2);
  });
});

describe('DeleteRecords on disk', () => {
  it('keeps the log start offset across a stop and reopen', async () => {
    const dir = tempDir();
    const first = await start('disk', dir);
    await fill(first, 'kept');
    await first.deleteRecords('kept', 0, 33);
    await first.stop();
    brokers.splice(brokers.indexOf(first), 1);
    const second = await start('disk', dir);
    expect(second.describeTopic('kept')!.partitions[0]).toMatchObject({ logStartOffset: 33, highWatermark: 50 });
    expect(await codeOfSettled(second.fetch('kept', 0, 32, 1 << 20))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(await firstBatchBase(second, 'kept', 33)).toBe(30);
  });
});
