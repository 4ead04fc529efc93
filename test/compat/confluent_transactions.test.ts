// @confluentinc/kafka-javascript 1.10.1 (librdkafka 2.15.1) transactions against the BUILT
// `lanes start` (disk storage, two shards on worker threads): a `transactional.id` producer
// commits and aborts; a consume-transform-produce loop commits its output and its input offsets
// in one transaction (librdkafka's sendOffsetsToTransaction, with the consumer's group metadata);
// a second producer of the same id fences the first (its open transaction aborted, its commit
// refused); a transaction past its timeout is aborted by the coordinator; a read_committed consumer (librdkafka's default isolation) reads only what was committed and a
// read_uncommitted one reads the aborted records too. Needs `npm run clients:install` (see
// support/confluent.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { RawClient } from '../integration/wire/raw_client.js';
import { startBroker, type RunningBroker } from '../support/broker_process.js';
import { timeoutMs, waitUntil } from '../support/timeouts.js';
import { confluent, skipWithoutConfluent, type ConfluentKafka, type ConfluentTransactionalProducer } from './support/confluent.js';

skipWithoutConfluent('the @confluentinc/kafka-javascript transaction tests');

const dataDir = mkdtempSync(join(tmpdir(), 'lanes-ckjs-txn-'));
let broker: RunningBroker;
let kafka: ConfluentKafka;
/** kafkajs's admin, to read the group's committed offsets as the broker answers them. */
let admin: Admin;
const clients: { disconnect(): Promise<void> }[] = [];

beforeAll(async () => {
  if (confluent === null) return;
  broker = await startBroker(['--data-dir', dataDir, '--shards', '2', '--dev', '--log-level', 'warn']);
  const brokers = [`127.0.0.1:${broker.port}`];
  kafka = new confluent.KafkaJS.Kafka({ kafkaJS: { brokers, logLevel: confluent.KafkaJS.logLevel.NOTHING } });
  admin = new Kafka({ clientId: 'ckjs-txn-check', brokers, logLevel: logLevel.NOTHING }).admin();
  clients.push(admin);
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'ckjs-tx-out', numPartitions: 2 }, { topic: 'ckjs-tx-in', numPartitions: 2 }], waitForLeaders: true });
}, timeoutMs(60_000));

afterAll(async () => {
  for (const client of clients.splice(0).reverse()) await client.disconnect().catch(() => undefined);
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function transactionalProducer(transactionalId: string): ConfluentTransactionalProducer {
  const producer = kafka.producer({ kafkaJS: { transactionalId, idempotent: true, maxInFlightRequests: 1 } }) as ConfluentTransactionalProducer;
  clients.push(producer);
  return producer;
}

/** DescribeTransactions v0 over the wire: the coordinator's view of one transactional id. */
async function describeTransaction(transactionalId: string) {
  const raw = await RawClient.connect(broker.port);
  try {
    const response = await raw.request(ApiKey.DescribeTransactions, 0, { transactionalIds: [transactionalId] });
    return response.transactionStates[0];
  } finally {
    raw.close();
  }
}

async function committedOffsets(groupId: string, topic: string): Promise<string[]> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return offsets.partitions.sort((a, b) => a.partition - b.partition).map((each) => each.offset);
}

/** Every value of ckjs-tx-out a consumer of `groupId` reads, once it has `expected` of them. */
async function readOut(groupId: string, readUncommitted: boolean, expected: number): Promise<string[]> {
  const seen: string[] = [];
  const consumer = kafka.consumer({ kafkaJS: { groupId, fromBeginning: true, readUncommitted } });
  clients.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topics: ['ckjs-tx-out'] });
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
  await waitUntil(`${expected} records for ${groupId}`, () => seen.length >= expected, 60_000, { detail: () => seen });
  await consumer.disconnect();
  return seen;
}

describe.skipIf(confluent === null)('@confluentinc/kafka-javascript transactions', () => {
  it('commits a transaction and aborts another', async () => {
    const producer = transactionalProducer('ckjs-tx-basic');
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({ topic: 'ckjs-tx-out', messages: [{ value: 'commit-0' }, { value: 'commit-1' }, { value: 'commit-2' }] });
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic: 'ckjs-tx-out', messages: [{ value: 'abort-0' }, { value: 'abort-1' }] });
    await aborted.abort();
    // The producer goes on after an abort.
    const next = await producer.transaction();
    await next.send({ topic: 'ckjs-tx-out', messages: [{ value: 'commit-3' }] });
    await next.commit();
    await producer.disconnect();
  });

  it('consumes, transforms and produces: output and input offsets commit together', async () => {
    const plain = kafka.producer();
    clients.push(plain);
    await plain.connect();
    const inputs = Array.from({ length: 6 }, (_, i) => `order-${i}`);
    await plain.send({ topic: 'ckjs-tx-in', messages: inputs.map((value) => ({ key: value, value })) });
    await plain.disconnect();

    const producer = transactionalProducer('ckjs-tx-ctp');
    await producer.connect();
    const consumer = kafka.consumer({ kafkaJS: { groupId: 'ckjs-ctp', fromBeginning: true, autoCommit: false } });
    clients.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: ['ckjs-tx-in'] });
    const transformed: string[] = [];
    let aborts = 0;
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const value = message.value?.toString() ?? '';
        const next = String(Number(message.offset) + 1);
        // order-0's first transaction is aborted: its output never shows, its offset stays uncommitted.
        if (value === 'order-0' && aborts === 0) {
          const txn = await producer.transaction();
          await txn.send({ topic: 'ckjs-tx-out', messages: [{ value: `ctp-aborted-${value}` }] });
          await txn.sendOffsets({ consumer, topics: [{ topic, partitions: [{ partition, offset: next }] }] });
          await txn.abort();
          aborts++;
        }
        const txn = await producer.transaction();
        await txn.send({ topic: 'ckjs-tx-out', messages: [{ value: `ctp-${value}` }] });
        await txn.sendOffsets({ consumer, topics: [{ topic, partitions: [{ partition, offset: next }] }] });
        await txn.commit();
        transformed.push(value);
      },
    });
    await waitUntil('every input transformed', () => transformed.length >= inputs.length, 60_000, { detail: () => transformed });
    expect([...transformed].sort()).toEqual([...inputs].sort());
    await consumer.disconnect();
    await producer.disconnect();

    // Each input partition's committed offset is its log end: every input read once, offsets in the transactions.
    const ends = (await admin.fetchTopicOffsets('ckjs-tx-in')).sort((a, b) => a.partition - b.partition).map((each) => each.high);
    expect(ends.reduce((sum, end) => sum + Number(end), 0)).toBe(inputs.length);
    expect(await committedOffsets('ckjs-ctp', 'ckjs-tx-in')).toEqual(ends);
  });

  it('fences a zombie: a second producer of the id aborts its open transaction and its commit fails', async () => {
    const zombie = transactionalProducer('ckjs-tx-fence');
    await zombie.connect();
    const open = await zombie.transaction();
    await open.send({ topic: 'ckjs-tx-out', messages: [{ value: 'zombie' }] });
    const successor = transactionalProducer('ckjs-tx-fence');
    await successor.connect();
    await expect(open.commit()).rejects.toThrow(/fenced|epoch/i);
    const txn = await successor.transaction();
    await txn.send({ topic: 'ckjs-tx-out', messages: [{ value: 'successor' }] });
    await txn.commit();
  });

  it('a transaction past its timeout is aborted by the coordinator: its commit fails, a new producer of the id carries on', async () => {
    const late = kafka.producer({ kafkaJS: { transactionalId: 'ckjs-tx-timeout', idempotent: true, maxInFlightRequests: 1, transactionTimeout: 1_000 } }) as ConfluentTransactionalProducer;
    clients.push(late);
    await late.connect();
    const open = await late.transaction();
    await open.send({ topic: 'ckjs-tx-out', messages: [{ value: 'timed-out' }] });
    await waitUntil('the coordinator to abort the timed-out transaction', async () => (await describeTransaction('ckjs-tx-timeout')).transactionState === 'CompleteAbort');
    // The coordinator bumped the epoch when it aborted: librdkafka reports the producer fenced, as against Kafka.
    await expect(open.commit()).rejects.toMatchObject({ type: expect.stringMatching(/FENCED|EPOCH/) });
    const successor = transactionalProducer('ckjs-tx-timeout');
    await successor.connect();
    const txn = await successor.transaction();
    await txn.send({ topic: 'ckjs-tx-out', messages: [{ value: 'after-timeout' }] });
    await txn.commit();
  });

  it('a read_committed consumer reads only committed records; a read_uncommitted one reads aborted ones too', async () => {
    // Everything the tests above wrote to ckjs-tx-out, by what became of its transaction.
    const committed = ['commit-0', 'commit-1', 'commit-2', 'commit-3', 'successor', 'after-timeout', ...Array.from({ length: 6 }, (_, i) => `ctp-order-${i}`)];
    const aborted = ['abort-0', 'abort-1', 'ctp-aborted-order-0', 'zombie', 'timed-out'];
    const readCommitted = await readOut('ckjs-read-committed', false, committed.length);
    expect(readCommitted.sort()).toEqual([...committed].sort());
    const readUncommitted = await readOut('ckjs-read-uncommitted', true, committed.length + aborted.length);
    expect(readUncommitted.sort()).toEqual([...committed, ...aborted].sort());
  });
});
