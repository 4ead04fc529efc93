// Unmodified kafkajs 2.2.4 consumers against transactions written to `lanes` (transactional
// batches, then the coordinator's markers through the broker's writeTxnMarkers): with kafkajs's
// default (readUncommitted: false) a consumer gets the committed records and never an aborted or
// open one, nor a transaction marker; with readUncommitted: true it gets every data record.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import { startTestServer, type TestServer } from '../integration/wire/server_fixture.js';
import { waitUntil } from '../support/timeouts.js';

let server: TestServer;
let kafka: Kafka;
const clients: { disconnect(): Promise<void> }[] = [];

beforeAll(async () => {
  server = await startTestServer();
  kafka = new Kafka({ clientId: 'lanes-read-committed', brokers: [server.address], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50 } });
});

afterAll(async () => {
  for (const client of clients.splice(0)) await client.disconnect().catch(() => undefined);
  await server?.stop();
});

const text = new TextEncoder();
const txnBatch = (producerId: number, sequence: number, values: string[]) =>
  encodeRecordBatch(values.map((value) => ({ key: null, value: text.encode(value) })), { producerId, producerEpoch: 0, baseSequence: sequence, transactional: true });
const plainBatch = (value: string) => encodeRecordBatch([{ key: null, value: text.encode(value) }]);
const marker = (producerId: number, committed: boolean) =>
  server.broker.writeTxnMarkers([{ producerId: BigInt(producerId), producerEpoch: 0, committed, coordinatorEpoch: 0, partitions: [{ topic: 'txn-kafkajs', partition: 0 }] }]);

async function consume(groupId: string, readUncommitted: boolean, into: string[]): Promise<void> {
  const consumer = kafka.consumer({ groupId, readUncommitted, maxWaitTimeInMs: 200 });
  clients.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic: 'txn-kafkajs', fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void into.push(String(message.value)) });
}

describe('kafkajs consumers and transactions', () => {
  it('read_committed (the default) drops aborted and open transactions; readUncommitted reads them', async () => {
    await server.broker.createTopic('txn-kafkajs', { partitions: 1 });
    await server.broker.produce('txn-kafkajs', 0, plainBatch('plain-1'));
    await server.broker.produce('txn-kafkajs', 0, txnBatch(1, 0, ['aborted-a', 'aborted-b']));
    await server.broker.produce('txn-kafkajs', 0, txnBatch(2, 0, ['committed-a']));
    await marker(1, false);
    await server.broker.produce('txn-kafkajs', 0, txnBatch(3, 0, ['open-a']));
    await marker(2, true);
    await server.broker.produce('txn-kafkajs', 0, plainBatch('plain-2'));

    const committed: string[] = [];
    const everything: string[] = [];
    await consume('kafkajs-committed', false, committed);
    await consume('kafkajs-uncommitted', true, everything);
    await waitUntil('every record read uncommitted', () => everything.length >= 6, 30_000);
    expect(everything).toEqual(['plain-1', 'aborted-a', 'aborted-b', 'committed-a', 'open-a', 'plain-2']);
    await waitUntil('the committed records before the open transaction', () => committed.length >= 2, 30_000);
    expect(committed).toEqual(['plain-1', 'committed-a']);
    await marker(3, true);
    await waitUntil('the rest, once committed', () => committed.length >= 4, 30_000);
    expect(committed).toEqual(['plain-1', 'committed-a', 'open-a', 'plain-2']);
  });
});
