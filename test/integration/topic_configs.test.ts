// Topic configs altered on a running broker (AlterConfigs / IncrementalAlterConfigs reach it as
// Broker.alterTopicConfigs): applied live to the partitions on their shard threads, saved with
// the catalogue and reapplied after a restart; and a catalogue written before configs were kept
// as the topic's own keeps its topics behaving as they did.
import { mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../actors/host/broker.js';
import { ErrorCode } from '../../core/errors.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import { codeOfSettled } from '../support/error_code.js';
import { waitUntil } from '../support/timeouts.js';

const MiB = 1024 * 1024;
const brokers: Broker[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(dataDir: string): Promise<Broker> {
  const broker = await Broker.start({ memoryBytes: 256 * MiB, ringBytes: 1 * MiB, shards: 2, shardThreads: 'workers', storage: 'disk', dataDir, flush: 'never' });
  brokers.push(broker);
  return broker;
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-configs-'));
  dirs.push(dir);
  return dir;
}

/** One record of `valueBytes` stamped `timestamp`. */
function batch(valueBytes: number, timestamp: number): Uint8Array {
  return encodeRecordBatch([{ key: null, value: new Uint8Array(valueBytes).fill(7) }], { baseTimestamp: timestamp });
}

describe('topic configs on a running broker', () => {
  it('apply to every partition at once and survive a restart', async () => {
    const dir = dataDir();
    const first = await start(dir);
    await first.createTopic('orders', { partitions: 2 });
    expect(first.describeTopic('orders')!.overrides).toEqual({});
    // Accepted before the change, refused after it, on both partitions (one per shard).
    expect((await first.produce('orders', 1, batch(3000, Date.now()))).baseOffset).toBe(0);
    const altered = { 'max.message.bytes': '2000', 'segment.bytes': '4096', 'retention.ms': '60000', 'compression.type': 'gzip' };
    await first.alterTopicConfigs('orders', altered);
    for (const partition of [0, 1]) expect(await codeOfSettled(first.produce('orders', partition, batch(3000, Date.now())))).toBe(ErrorCode.MESSAGE_TOO_LARGE);

    // Small segments and a minute's retention: records an hour old are deleted by the next ticks.
    const hourAgo = Date.now() - 3_600_000;
    for (let i = 0; i < 20; i++) await first.produce('orders', 0, batch(1000, hourAgo));
    await waitUntil('retention deleted the old segments', () => first.describeTopic('orders')!.partitions[0].logStartOffset > 0);

    // A config the logs cannot run with is refused and changes nothing.
    expect(await codeOfSettled(first.alterTopicConfigs('orders', { 'segment.bytes': '1000' }))).toBe(ErrorCode.INVALID_CONFIG);
    expect(first.describeTopic('orders')!.overrides).toEqual(altered);
    await first.stop();

    const second = await start(dir);
    expect(second.describeTopic('orders')).toMatchObject({ overrides: altered, config: { maxMessageBytes: 2000, segmentBytes: 4096, retentionMs: 60_000 } });
    expect(await codeOfSettled(second.produce('orders', 1, batch(3000, Date.now())))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    // Back to the defaults: the batch fits again.
    await second.alterTopicConfigs('orders', {});
    expect(second.describeTopic('orders')!.config).toEqual(second.topicConfigDefaults);
    expect((await second.produce('orders', 1, batch(3000, Date.now()))).baseOffset).toBe(1);
  });

  it('answer KAFKA_STORAGE_ERROR and keep the previous configs when the catalogue cannot be saved', async () => {
    const dir = dataDir();
    const broker = await start(dir);
    await broker.createTopic('orders');
    await broker.alterTopicConfigs('orders', { 'retention.ms': '60000' });
    // The catalogue is written to topics.json.tmp first: a directory there makes the save fail.
    mkdirSync(join(dir, 'topics.json.tmp'));
    expect(await codeOfSettled(broker.alterTopicConfigs('orders', { 'retention.ms': '1000' }))).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(broker.describeTopic('orders')).toMatchObject({ overrides: { 'retention.ms': '60000' }, config: { retentionMs: 60_000 } });
    rmdirSync(join(dir, 'topics.json.tmp'));
    await broker.alterTopicConfigs('orders', { 'retention.ms': '1000' });
    expect(broker.describeTopic('orders')!.overrides).toEqual({ 'retention.ms': '1000' });
  });

  it('keep a topic saved before its configs were kept behaving as before (retention.ms −1 stays)', async () => {
    const dir = dataDir();
    const config = { retentionMs: -1, retentionBytes: -1, segmentBytes: 64 * MiB, maxMessageBytes: 1_048_588 };
    writeFileSync(join(dir, 'topics.json'), JSON.stringify({ version: 1, topics: [{ name: 'old', config, partitions: [{ partition: 0, actorId: 0, shard: 0 }] }] }));
    const broker = await start(dir);
    expect(broker.describeTopic('old')).toMatchObject({ overrides: { 'retention.ms': '-1' }, config: { retentionMs: -1, segmentBytes: 64 * MiB, segmentMs: 604_800_000 } });
    expect(broker.topicConfigDefaults.retentionMs).toBe(604_800_000);
  });
});
