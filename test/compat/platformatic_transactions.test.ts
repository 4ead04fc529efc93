// Unmodified @platformatic/kafka 2.12.1 transactions against the BUILT `lanes start` (disk
// storage, two shards on worker threads): a transactional producer commits and aborts; a
// consume-transform-produce loop puts each output record and its input offset in one transaction
// (the client's addConsumer, then addOffset: AddOffsetsToTxn and TxnOffsetCommit with the
// consumer's generation and member id), and an aborted one leaves the group's offset where it
// was; a read_committed consumer (the client's default) reads only what was committed, a
// read_uncommitted one the aborted records too.
// Needs `npm run clients:install` (see support/platformatic.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../support/broker_process.js';
import { timeoutMs } from '../support/timeouts.js';
import { platformatic, skipWithoutPlatformatic, type PlatformaticModule } from './support/platformatic.js';

skipWithoutPlatformatic('the @platformatic/kafka transaction tests');

const dataDir = mkdtempSync(join(tmpdir(), 'lanes-pf-txn-'));
let broker: RunningBroker;
let kafka: PlatformaticModule;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  if (platformatic === null) return;
  kafka = platformatic;
  broker = await startBroker(['--data-dir', dataDir, '--shards', '2', '--dev', '--log-level', 'warn']);
  await admin().createTopics({ topics: ['pf-tx-out', 'pf-tx-in'], partitions: 2, replicas: 1 });
}, timeoutMs(60_000));

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function clientOptions(clientId: string) {
  return { clientId, bootstrapBrokers: [`127.0.0.1:${broker.port}`], retries: 5, retryDelay: 100 };
}

function admin() {
  const client = new kafka.Admin(clientOptions('pf-tx-admin'));
  closers.push(() => client.close());
  return client;
}

function transactionalProducer(transactionalId: string) {
  const client = new kafka.Producer({ ...clientOptions(transactionalId), idempotent: true, transactionalId, serializers: kafka.stringSerializers });
  closers.push(() => client.close());
  return client;
}

function consumer(groupId: string, isolationLevel?: number) {
  const client = new kafka.Consumer({
    ...clientOptions(groupId),
    groupId,
    deserializers: kafka.stringDeserializers,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
    maxWaitTime: 200,
    ...(isolationLevel === undefined ? {} : { isolationLevel }),
  });
  closers.push(() => client.close(true));
  return client;
}

async function committedOffsets(groupId: string, topic: string): Promise<number[]> {
  const [group] = await admin().listConsumerGroupOffsets({ groups: [groupId] });
  const partitions = group.topics.find((each) => each.name === topic)?.partitions ?? [];
  return [...partitions].sort((a, b) => a.partitionIndex - b.partitionIndex).map((each) => Number(each.committedOffset));
}

/** The values of pf-tx-out a consumer of `groupId` reads, once it has `expected` of them. */
async function readOut(groupId: string, expected: number, isolationLevel?: number): Promise<string[]> {
  const stream = await consumer(groupId, isolationLevel).consume({ topics: ['pf-tx-out'], mode: kafka.MessagesStreamModes.EARLIEST, autocommit: false });
  const seen: string[] = [];
  for await (const message of stream) {
    seen.push(message.value);
    if (seen.length >= expected) break;
  }
  await stream.close();
  return seen;
}

describe.skipIf(platformatic === null)('@platformatic/kafka transactions against lanes start', () => {
  it('commits a transaction and aborts another', async () => {
    const producer = transactionalProducer('pf-tx-basic');
    const committed = await producer.beginTransaction();
    await committed.send({ messages: [{ topic: 'pf-tx-out', value: 'commit-0', partition: 0 }, { topic: 'pf-tx-out', value: 'commit-1', partition: 1 }] });
    await committed.commit();
    const aborted = await producer.beginTransaction();
    await aborted.send({ messages: [{ topic: 'pf-tx-out', value: 'abort-0', partition: 0 }, { topic: 'pf-tx-out', value: 'abort-1', partition: 1 }] });
    await aborted.abort();
    const next = await producer.beginTransaction();
    await next.send({ messages: [{ topic: 'pf-tx-out', value: 'commit-2', partition: 1 }] });
    await next.commit();
  });

  it('consumes, transforms and produces: each output record and its input offset commit together', async () => {
    const inputs = Array.from({ length: 6 }, (_, i) => `order-${i}`);
    const plain = new kafka.Producer({ ...clientOptions('pf-tx-plain'), serializers: kafka.stringSerializers });
    closers.push(() => plain.close());
    await plain.send({ messages: inputs.map((value, i) => ({ topic: 'pf-tx-in', value, partition: i % 2 })), acks: -1 });

    const producer = transactionalProducer('pf-tx-ctp');
    const reader = consumer('pf-ctp');
    const stream = await reader.consume({ topics: ['pf-tx-in'], mode: kafka.MessagesStreamModes.EARLIEST, autocommit: false });
    const transformed: string[] = [];
    let abortedOnce = false;
    for await (const message of stream) {
      if (message.value === 'order-0' && !abortedOnce) {
        // Aborted: its output never shows and the group's offset does not move.
        const txn = await producer.beginTransaction();
        await txn.send({ messages: [{ topic: 'pf-tx-out', value: `ctp-aborted-${message.value}`, partition: 0 }] });
        await txn.addConsumer(reader);
        await txn.addOffset(message);
        await txn.abort();
        abortedOnce = true;
        expect(await committedOffsets('pf-ctp', 'pf-tx-in')).toEqual([]);
      }
      const txn = await producer.beginTransaction();
      await txn.send({ messages: [{ topic: 'pf-tx-out', value: `ctp-${message.value}`, partition: message.partition }] });
      await txn.addConsumer(reader);
      await txn.addOffset(message);
      await txn.commit();
      transformed.push(message.value);
      if (transformed.length === inputs.length) break;
    }
    await stream.close();
    expect([...transformed].sort()).toEqual([...inputs].sort());
    // Three inputs per partition, each offset committed by its transaction.
    expect(await committedOffsets('pf-ctp', 'pf-tx-in')).toEqual([3, 3]);
  });

  it('a read_committed consumer reads only committed records; a read_uncommitted one reads aborted ones too', async () => {
    const committed = ['commit-0', 'commit-1', 'commit-2', ...Array.from({ length: 6 }, (_, i) => `ctp-order-${i}`)];
    const aborted = ['abort-0', 'abort-1', 'ctp-aborted-order-0'];
    const readCommitted = await readOut('pf-read-committed', committed.length);
    expect(readCommitted.sort()).toEqual([...committed].sort());
    const readUncommitted = await readOut('pf-read-uncommitted', committed.length + aborted.length, kafka.FetchIsolationLevels.READ_UNCOMMITTED);
    expect(readUncommitted.sort()).toEqual([...committed, ...aborted].sort());
  });
});
