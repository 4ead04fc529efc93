// kill -9 in the middle of transactions: a kafkajs transactional producer commits transactions of
// two records each (one per partition) in a loop against the BUILT `lanes start` (disk storage)
// while the broker is killed with SIGKILL inside one of them, its first record written. After a restart, a new
// producer of the same transactional id fences whatever was left open; then a read_committed
// reader sees every acknowledged transaction whole and no transaction in part.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../support/broker_process.js';
import { timeoutMs, waitUntil } from '../support/timeouts.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lanes-txn-crash-'));
let broker: RunningBroker | null = null;
const clients: { disconnect(): Promise<void> }[] = [];

afterAll(async () => {
  for (const client of clients.splice(0)) await client.disconnect().catch(() => undefined);
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function kafkaAt(port: number): Kafka {
  return new Kafka({ clientId: 'lanes-txn-crash', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 50 } });
}

it('keeps every acknowledged transaction whole and no transaction in part across kill -9', async () => {
  broker = await startBroker(['--data-dir', dataDir, '--shards', '2', '--log-level', 'warn']);
  let kafka = kafkaAt(broker.port);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'crash-out', numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();

  const producer = kafka.producer({ transactionalId: 'crash-tx', idempotent: true, maxInFlightRequests: 1 });
  clients.push(producer);
  await producer.connect();
  const acknowledged: number[] = [];
  const killAfter = 12;
  let killed: Promise<unknown> | null = null;
  for (let n = 0; killed === null || n < killAfter + 1; n++) {
    try {
      const txn = await producer.transaction();
      await txn.send({ topic: 'crash-out', messages: [{ partition: 0, value: `t${n}` }] });
      if (n === killAfter) killed = broker.stop('SIGKILL');
      await txn.send({ topic: 'crash-out', messages: [{ partition: 1, value: `t${n}` }] });
      await txn.commit();
      acknowledged.push(n);
    } catch {
      break;
    }
  }
  await killed;
  await producer.disconnect().catch(() => undefined);

  broker = await startBroker(['--data-dir', dataDir, '--shards', '2', '--log-level', 'warn']);
  kafka = kafkaAt(broker.port);
  // A new producer of the id: its InitProducerId aborts what the dead one left open.
  const successor = kafka.producer({ transactionalId: 'crash-tx', idempotent: true, maxInFlightRequests: 1 });
  clients.push(successor);
  await successor.connect();
  const last = await successor.transaction();
  await last.send({ topic: 'crash-out', messages: [{ partition: 0, value: 'end' }, { partition: 1, value: 'end' }] });
  await last.commit();

  const seen = new Map<string, number[]>();
  const consumer = kafka.consumer({ groupId: 'crash-reader', maxWaitTimeInMs: 200 });
  clients.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topics: ['crash-out'], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ partition, message }) => void seen.set(String(message.value), [...(seen.get(String(message.value)) ?? []), partition]) });
  await waitUntil('both partitions read to the last transaction', () => seen.get('end')?.length === 2, 60_000, { detail: () => [...seen.keys()] });
  await consumer.disconnect();

  for (const [value, partitions] of seen) {
    // Whole: both records of a transaction or none, each once.
    expect({ value, partitions: [...partitions].sort() }).toEqual({ value, partitions: [0, 1] });
  }
  expect(acknowledged).toEqual(Array.from({ length: killAfter }, (_, n) => n));
  for (const n of acknowledged) expect(seen.has(`t${n}`)).toBe(true);
  // The one the kill cut short is aborted: its first record is never read.
  expect(seen.has(`t${killAfter}`)).toBe(false);
}, timeoutMs(120_000));
