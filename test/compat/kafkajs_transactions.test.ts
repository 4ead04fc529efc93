// Unmodified kafkajs 2.2.4 transactional producers against the BUILT `lanes start` (disk storage):
// a transaction commits its records and its consumer offsets together and an aborted one drops
// its offsets; KafkaJS's own transactional rules hold against Lanes (one transaction at a time per
// producer, an empty transaction commits); a second producer with the same transactional id fences
// the first (its open transaction aborted, its commit refused); a transaction past its timeout is
// aborted by the coordinator; and the transaction state survives kill -9.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../core/errors.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { startBroker, type RunningBroker } from '../support/broker_process.js';
import { timeoutMs, waitUntil } from '../support/timeouts.js';
import { RawClient } from '../integration/wire/raw_client.js';
import { runCli, tableRows } from '../integration/cli/support.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lanes-txn-'));
let broker: RunningBroker;
let kafka: Kafka;
let admin: Admin;
const clients: { disconnect(): Promise<void> }[] = [];

async function start(): Promise<void> {
  broker = await startBroker(['--data-dir', dataDir, '--shards', '2', '--log-level', 'warn']);
  kafka = new Kafka({ clientId: 'lanes-txn', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
  admin = kafka.admin();
  clients.push(admin);
  await admin.connect();
}

beforeAll(async () => {
  await start();
  await admin.createTopics({ topics: [{ topic: 'tx-out', numPartitions: 2 }, { topic: 'tx-in', numPartitions: 1 }], waitForLeaders: true });
}, timeoutMs(60_000));

afterAll(async () => {
  for (const client of clients.splice(0)) await client.disconnect().catch(() => undefined);
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function transactionalProducer(transactionalId: string, transactionTimeout = 60_000): Producer {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout });
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

async function committedOffset(groupId: string): Promise<string> {
  const [topic] = await admin.fetchOffsets({ groupId, topics: ['tx-in'] });
  return topic.partitions[0].offset;
}

describe('kafkajs transactional producer', () => {
  it('commits records and offsets together; an abort drops its offsets', async () => {
    const producer = transactionalProducer('tx-commit');
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({ topic: 'tx-out', messages: [{ partition: 0, value: 'c-0' }, { partition: 1, value: 'c-1' }] });
    await committed.sendOffsets({ consumerGroupId: 'tx-group', topics: [{ topic: 'tx-in', partitions: [{ partition: 0, offset: '5' }] }] });
    // Staged, not visible to the group until the transaction commits.
    expect(await committedOffset('tx-group')).toBe('-1');
    expect(await describeTransaction('tx-commit')).toMatchObject({ errorCode: ErrorCode.NONE, transactionState: 'Ongoing', topics: [{ topicName: 'tx-out', partitionIndexes: [0, 1] }] });
    await committed.commit();
    expect(await committedOffset('tx-group')).toBe('5');
    expect(await describeTransaction('tx-commit')).toMatchObject({ transactionState: 'CompleteCommit', topics: [] });

    const aborted = await producer.transaction();
    await aborted.send({ topic: 'tx-out', messages: [{ partition: 0, value: 'a-0' }] });
    await aborted.sendOffsets({ consumerGroupId: 'tx-group', topics: [{ topic: 'tx-in', partitions: [{ partition: 0, offset: '9' }] }] });
    await aborted.abort();
    expect(await committedOffset('tx-group')).toBe('5');
    expect(await describeTransaction('tx-commit')).toMatchObject({ transactionState: 'CompleteAbort' });
    await producer.disconnect();
  });

  it('refuses a second transaction while one is open, and commits an empty one', async () => {
    const producer = transactionalProducer('tx-rules');
    await producer.connect();
    const open = await producer.transaction();
    await expect(producer.transaction()).rejects.toThrow(/already an ongoing transaction/i);
    await open.send({ topic: 'tx-out', messages: [{ partition: 0, value: 'r-0' }] });
    await open.commit();
    const empty = await producer.transaction();
    await empty.commit();
    // The producer carries on with a real transaction after the empty one.
    const next = await producer.transaction();
    await next.send({ topic: 'tx-out', messages: [{ partition: 1, value: 'r-1' }] });
    await next.commit();
    expect(await describeTransaction('tx-rules')).toMatchObject({ transactionState: 'CompleteCommit' });
    await producer.disconnect();
  });

  it('fences a zombie: a new producer with the same id aborts its open transaction and refuses its commit', async () => {
    const zombie = transactionalProducer('tx-fence');
    await zombie.connect();
    const zombieTxn = await zombie.transaction();
    await zombieTxn.send({ topic: 'tx-out', messages: [{ partition: 0, value: 'zombie' }] });
    await zombieTxn.sendOffsets({ consumerGroupId: 'tx-fence-group', topics: [{ topic: 'tx-in', partitions: [{ partition: 0, offset: '3' }] }] });
    const zombieEpoch = (await describeTransaction('tx-fence')).producerEpoch;

    const successor = transactionalProducer('tx-fence');
    await successor.connect();
    // kafkajs sends the transactional InitProducerId with its first transaction: it aborts the
    // zombie's transaction and bumps the epoch twice (once to fence, once for the successor).
    const txn = await successor.transaction();
    expect(await describeTransaction('tx-fence')).toMatchObject({ transactionState: 'Empty', producerEpoch: zombieEpoch + 2 });
    await expect(zombieTxn.commit()).rejects.toMatchObject({ type: expect.stringMatching(/^(INVALID_PRODUCER_EPOCH|PRODUCER_FENCED)$/) });
    expect(await committedOffset('tx-fence-group')).toBe('-1');

    await txn.send({ topic: 'tx-out', messages: [{ partition: 0, value: 'successor' }] });
    await txn.sendOffsets({ consumerGroupId: 'tx-fence-group', topics: [{ topic: 'tx-in', partitions: [{ partition: 0, offset: '4' }] }] });
    await txn.commit();
    expect(await committedOffset('tx-fence-group')).toBe('4');
    await successor.disconnect();
  });

  it('aborts a transaction past its timeout and refuses its commit', async () => {
    const producer = transactionalProducer('tx-timeout', 1_000);
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 'tx-out', messages: [{ partition: 1, value: 'late' }] });
    await txn.sendOffsets({ consumerGroupId: 'tx-timeout-group', topics: [{ topic: 'tx-in', partitions: [{ partition: 0, offset: '7' }] }] });
    await waitUntil('the coordinator to abort the timed-out transaction', async () => (await describeTransaction('tx-timeout')).transactionState === 'CompleteAbort');
    await expect(txn.commit()).rejects.toMatchObject({ type: expect.stringMatching(/^(INVALID_PRODUCER_EPOCH|PRODUCER_FENCED)$/) });
    expect(await committedOffset('tx-timeout-group')).toBe('-1');
  });

  it('lists transactions with `lanes txn list`: state, producer, age and partitions', async () => {
    const producer = transactionalProducer('tx-list');
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 'tx-out', messages: [{ partition: 1, value: 'listed' }] });
    const brokers = `127.0.0.1:${broker.port}`;
    const listed = await runCli(['txn', 'list', '--json'], { brokers });
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as { transactionalId: string; state: string; ageMs: number | null; partitions: unknown }[];
    expect(rows.find((row) => row.transactionalId === 'tx-list')).toMatchObject({ state: 'Ongoing', partitions: [{ topic: 'tx-out', partitions: [1] }] });
    expect(rows.find((row) => row.transactionalId === 'tx-list')!.ageMs).toBeGreaterThanOrEqual(0);
    expect(rows.find((row) => row.transactionalId === 'tx-commit')).toMatchObject({ state: 'CompleteAbort', ageMs: null, partitions: [] });
    const ongoing = await runCli(['txn', 'list', '--state', 'Ongoing'], { brokers });
    expect(tableRows(ongoing.stdout, 'TRANSACTIONAL-ID').map((row) => row[0])).toEqual(['tx-list']);
    const bogus = await runCli(['txn', 'list', '--state', 'Bogus'], { brokers });
    expect(bogus.code).toBe(1);
    expect(bogus.stderr).toMatch(/unknown transaction states: Bogus/);
    await txn.commit();
  });

  it('keeps transactions across kill -9: an open one stays open, a committed one committed', async () => {
    const producer = transactionalProducer('tx-crash');
    await producer.connect();
    const done = await producer.transaction();
    await done.send({ topic: 'tx-out', messages: [{ partition: 0, value: 'before-crash' }] });
    await done.sendOffsets({ consumerGroupId: 'tx-crash-group', topics: [{ topic: 'tx-in', partitions: [{ partition: 0, offset: '11' }] }] });
    await done.commit();
    const open = await producer.transaction();
    await open.send({ topic: 'tx-out', messages: [{ partition: 1, value: 'open-at-crash' }] });
    const before = await describeTransaction('tx-crash');
    expect(before.transactionState).toBe('Ongoing');

    for (const client of clients.splice(0)) await client.disconnect().catch(() => undefined);
    await broker.stop('SIGKILL');
    await start();

    expect(await committedOffset('tx-crash-group')).toBe('11');
    expect(await describeTransaction('tx-crash')).toMatchObject({ transactionState: 'Ongoing', producerId: before.producerId, producerEpoch: before.producerEpoch, topics: [{ topicName: 'tx-out', partitionIndexes: [1] }] });
    // A restarted producer fences and aborts what its predecessor left open.
    const restarted = transactionalProducer('tx-crash');
    await restarted.connect();
    const fresh = await restarted.transaction();
    expect(await describeTransaction('tx-crash')).toMatchObject({ transactionState: 'Empty', producerId: before.producerId, producerEpoch: before.producerEpoch + 2 });
    await fresh.commit();
    await restarted.disconnect();
  });

  it('a read_committed consumer never sees aborted records; a read_uncommitted one does', async () => {
    // Everything the tests above sent to tx-out, by what became of its transaction.
    const committed = ['c-0', 'c-1', 'r-0', 'r-1', 'successor', 'listed', 'before-crash'];
    const aborted = ['a-0', 'zombie', 'late', 'open-at-crash'];
    const read = async (groupId: string, readUncommitted: boolean, expected: number) => {
      const seen: string[] = [];
      const consumer = kafka.consumer({ groupId, readUncommitted, maxWaitTimeInMs: 200 });
      clients.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: ['tx-out'], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
      await waitUntil(`${expected} records for ${groupId}`, () => seen.length >= expected, 60_000, { detail: () => seen });
      await consumer.disconnect();
      return seen;
    };
    const readCommitted = await read('tx-read-committed', false, committed.length);
    expect(readCommitted.sort()).toEqual([...committed].sort());
    const readUncommitted = await read('tx-read-uncommitted', true, committed.length + aborted.length);
    expect(readUncommitted.sort()).toEqual([...committed, ...aborted].sort());
  });
});
