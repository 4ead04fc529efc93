// Unmodified kafkajs 2.2.4 admin against the built `lanes start` on disk: deleteTopicRecords moves
// a partition's log start offset, a consumer reading from the beginning then starts there, the
// new start survives kill -9, an offset past the end is refused, and describeCluster names this
// broker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../support/broker_process.js';

const dir = mkdtempSync(join(tmpdir(), 'lanes-kafkajs-delete-records-'));
const running: RunningBroker[] = [];
const disconnects: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const disconnect of disconnects.splice(0)) await disconnect().catch(() => undefined);
  for (const broker of running.splice(0)) await broker.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<{ broker: RunningBroker; kafka: Kafka }> {
  const broker = await startBroker(['--storage', 'disk', '--data-dir', dir, '--dev']);
  running.push(broker);
  const kafka = new Kafka({ clientId: 'lanes-compat', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50 } });
  return { broker, kafka };
}

async function connectedAdmin(kafka: Kafka): Promise<Admin> {
  const admin = kafka.admin();
  await admin.connect();
  disconnects.push(() => admin.disconnect());
  return admin;
}

/** Offsets and values a new group reads from the beginning, until `count` arrived. */
async function readFromBeginning(kafka: Kafka, topic: string, groupId: string, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
  await consumer.connect();
  disconnects.push(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const read: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer.run({ eachMessage: async ({ message }) => {
      read.push(`${message.offset}:${String(message.value)}`);
      if (read.length === count) resolve();
    } }).catch(reject);
  });
  await consumer.disconnect();
  return read;
}

describe('kafkajs deleteTopicRecords and describeCluster against lanes start', () => {
  it('consumers start at the new log start offset, also after kill -9', async () => {
    const first = await start();
    const admin = await connectedAdmin(first.kafka);
    await admin.createTopics({ topics: [{ topic: 'trimmed', numPartitions: 1 }], waitForLeaders: true });
    const producer = first.kafka.producer();
    await producer.connect();
    disconnects.push(() => producer.disconnect());
    // Batches of four: offset 10 lies inside the third batch, which is kept whole.
    for (let batch = 0; batch < 5; batch++) {
      await producer.send({ topic: 'trimmed', messages: Array.from({ length: 4 }, (_, i) => ({ value: `v${batch * 4 + i}` })) });
    }
    // kafkajs looks the leaders up in the metadata its admin already holds, before fetching any:
    // without this, its first deleteTopicRecords of a topic fails "Could not find the leader".
    await admin.fetchTopicMetadata({ topics: ['trimmed'] });
    await admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '10' }] });
    expect(await admin.fetchTopicOffsets('trimmed')).toEqual([{ partition: 0, offset: '20', high: '20', low: '10' }]);
    const expected = Array.from({ length: 10 }, (_, i) => `${10 + i}:v${10 + i}`);
    expect(await readFromBeginning(first.kafka, 'trimmed', 'readers-1', 10)).toEqual(expected);
    await expect(admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '21' }] })).rejects.toMatchObject({
      // kafkajs's retrier rewraps the partition errors (OFFSET_OUT_OF_RANGE) as non-retriable.
      name: 'KafkaJSNonRetriableError',
      message: 'Error while deleting records',
    });

    expect((await admin.fetchTopicOffsets('trimmed'))[0].low).toBe('10');

    expect(await admin.describeCluster()).toEqual({ brokers: [{ nodeId: 0, host: '127.0.0.1', port: first.broker.port }], controller: 0, clusterId: 'lanes' });

    for (const disconnect of disconnects.splice(0)) await disconnect().catch(() => undefined);
    await first.broker.stop('SIGKILL');
    const second = await start();
    const again = await connectedAdmin(second.kafka);
    expect(await again.fetchTopicOffsets('trimmed')).toEqual([{ partition: 0, offset: '20', high: '20', low: '10' }]);
    expect(await readFromBeginning(second.kafka, 'trimmed', 'readers-2', 10)).toEqual(expected);
  });
});
