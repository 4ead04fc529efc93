// Unmodified kafkajs 2.2.4 with `idempotent: true` against `lanes` over TCP: the producer gets a
// producer id (InitProducerId v1), its batches carry it with increasing sequences, and a consumer
// reads every message back exactly once, in order per partition.
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBatchHeader } from '../../core/records/record_batch.js';
import { startTestServer, type TestServer } from '../integration/wire/server_fixture.js';
import { timeoutMs } from '../support/timeouts.js';

let server: TestServer;
let kafka: Kafka;
const clients: { disconnect(): Promise<void> }[] = [];

beforeAll(async () => {
  server = await startTestServer();
  kafka = new Kafka({ clientId: 'lanes-idempotent', brokers: [server.address], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50 } });
});

afterAll(async () => {
  for (const client of clients.splice(0)) await client.disconnect().catch(() => undefined);
  await server?.stop();
});

/** The (producerId, producerEpoch, baseSequence, recordCount) of every stored batch of a partition. */
async function storedBatches(topic: string, partition: number) {
  const fetched = await server.broker.fetch(topic, partition, 0, 16 * 1024 * 1024);
  try {
    return fetched.batches.map((batch) => {
      const header = readBatchHeader(batch);
      return { producerId: header.producerId, producerEpoch: header.producerEpoch, baseSequence: header.baseSequence, recordCount: header.recordCount };
    });
  } finally {
    fetched.release();
  }
}

describe('kafkajs idempotent producer', () => {
  it('produces with a producer id and sequences; a consumer reads each message exactly once', async () => {
    const admin = kafka.admin();
    clients.push(admin);
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'idem-kafkajs', numPartitions: 2 }], waitForLeaders: true });

    const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    clients.push(producer);
    await producer.connect();
    const sent: string[] = [];
    for (let round = 0; round < 5; round++) {
      const messages = Array.from({ length: 4 }, (_, i) => ({ partition: i % 2, value: `m-${round}-${i}` }));
      sent.push(...messages.map((message) => message.value));
      const results = await producer.send({ topic: 'idem-kafkajs', messages });
      for (const result of results) expect(result.errorCode).toBe(0);
    }
    await producer.disconnect();

    for (const partition of [0, 1]) {
      const batches = await storedBatches('idem-kafkajs', partition);
      expect(batches).toHaveLength(5);
      // One producer id (≥ 0: idempotence is on), epoch 0, sequences continuing batch to batch.
      expect(new Set(batches.map((batch) => batch.producerId)).size).toBe(1);
      expect(batches[0].producerId).toBeGreaterThanOrEqual(0);
      let sequence = 0;
      for (const batch of batches) {
        expect(batch).toMatchObject({ producerEpoch: 0, baseSequence: sequence });
        sequence += batch.recordCount;
      }
    }

    const consumer: Consumer = kafka.consumer({ groupId: 'idem-kafkajs-readers', sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
    clients.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: 'idem-kafkajs', fromBeginning: true });
    const received: { partition: number; value: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            received.push({ partition, value: message.value!.toString() });
            if (received.length === sent.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(received.map((message) => message.value).sort()).toEqual([...sent].sort());
    for (const partition of [0, 1]) {
      expect(received.filter((message) => message.partition === partition).map((message) => message.value)).toEqual(sent.filter((_, i) => i % 4 % 2 === partition));
    }
  }, timeoutMs(120_000));
});
