// Acknowledged records survive kill -9 at every acks level, under the default flush policy: the
// built CLI (`lanes start`) runs as a child; kafkajs produces with acks=1 (each send answered) or
// acks=0 (nothing answered, but a consumer group reads every record and commits past them); the
// test SIGKILLs the broker at once, restarts one on the same data directory, and checks that every
// acknowledged (or read) record is there at its offset, that the committed offset survived, and
// that the next record appended does not reuse an offset the group already committed past.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../actors/host/broker.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import { readRecords } from '../../core/records/record_reader.js';
import { startCliBroker } from '../../bench/support/cli_broker.js';

const records = 1000;
const perSend = 50;
const shards = 2;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-acks-crash-'));
  dirs.push(dir);
  return dir;
}

function client(address: string): Kafka {
  return new Kafka({ clientId: 'acks-crash', brokers: [address], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50 } });
}

/** kafkajs on `address`: `topic` created with one partition, an admin and a producer connected. */
async function connectedTo(address: string, topic: string): Promise<{ kafka: Kafka; admin: Admin; producer: Producer }> {
  const kafka = client(address);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  const producer = kafka.producer();
  await producer.connect();
  return { kafka, admin, producer };
}

/** Every record of partition 0 after a restart: offset → value. */
async function readBack(broker: Broker, topic: string): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  let offset = 0;
  for (;;) {
    const result = await broker.fetch(topic, 0, offset, 1024 * 1024);
    try {
      if (result.batches.length === 0) break;
      for (const batch of result.batches) {
        for (const record of readRecords(batch)) {
          if (record.offset < offset) continue;
          found.set(record.offset, Buffer.from(record.value!).toString());
          offset = record.offset + 1;
        }
      }
    } finally {
      result.release();
    }
  }
  return found;
}

/** Restarts a broker on `dataDir` and checks records, committed offset and the next offset. */
async function checkAfterRestart(dataDir: string, topic: string, acked: Map<number, string>, committed: number): Promise<void> {
  const broker = await Broker.start({ storage: 'disk', dataDir, shards });
  try {
    const found = await readBack(broker, topic);
    const missing = [...acked].filter(([offset, value]) => found.get(offset) !== value);
    expect(missing.length, `acknowledged records missing or changed after kill -9, first: ${JSON.stringify(missing.slice(0, 3))}`).toBe(0);
    const fetched = await broker.offsetFetch({ groupId: 'readers', topics: [{ name: topic, partitionIndexes: [0] }] });
    expect(fetched.topics[0].partitions[0].committedOffset).toBe(committed);
    // The log never goes back below what a group committed: the next record gets a new offset.
    const next = await broker.produce(topic, 0, encodeRecordBatch([{ key: null, value: new TextEncoder().encode('after restart') }]), { acks: 1 });
    expect(next.baseOffset).toBeGreaterThanOrEqual(committed);
  } finally {
    await broker.stop();
  }
}

describe('acknowledged records under kill -9 (default flush policy)', () => {
  it('keeps every acks=1 record with its offset, and a committed offset', async () => {
    const dataDir = tempDir();
    const server = await startCliBroker({ dataDir, shards, onStderr: (text) => process.stderr.write(text) });
    const acked = new Map<number, string>();
    try {
      const { admin, producer } = await connectedTo(server.address, 'orders');
      for (let sent = 0; sent < records; sent += perSend) {
        const values = Array.from({ length: perSend }, (_, i) => `order-${sent + i}`);
        const [metadata] = await producer.send({ topic: 'orders', acks: 1, messages: values.map((value) => ({ value })) });
        const base = Number(metadata.baseOffset);
        values.forEach((value, i) => acked.set(base + i, value));
      }
      await admin.setOffsets({ groupId: 'readers', topic: 'orders', partitions: [{ partition: 0, offset: String(records) }] });
    } finally {
      // At once after the last answer: nothing gets time to be written late.
      await server.kill();
    }
    expect(acked.size).toBe(records);
    await checkAfterRestart(dataDir, 'orders', acked, records);
  });

  it('keeps every acks=0 record a consumer read and committed past', async () => {
    const dataDir = tempDir();
    const server = await startCliBroker({ dataDir, shards, onStderr: (text) => process.stderr.write(text) });
    const read = new Map<number, string>();
    try {
      const { kafka, producer } = await connectedTo(server.address, 'events');
      for (let sent = 0; sent < records; sent += perSend) {
        await producer.send({ topic: 'events', acks: 0, messages: Array.from({ length: perSend }, (_, i) => ({ value: `event-${sent + i}` })) });
      }
      const consumer = kafka.consumer({ groupId: 'readers', sessionTimeout: 10_000, heartbeatInterval: 500 });
      await consumer.connect();
      await consumer.subscribe({ topic: 'events', fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ message }) => {
              read.set(Number(message.offset), message.value!.toString());
              if (read.size === records) {
                await consumer.commitOffsets([{ topic: 'events', partition: 0, offset: String(records) }]);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await server.kill();
    }
    // What the consumer read is what was sent, in order, from offset 0.
    expect([...read.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: records }, (_, i) => i));
    for (const [offset, value] of read) expect(value).toBe(`event-${offset}`);
    await checkAfterRestart(dataDir, 'events', read, records);
  });
});
