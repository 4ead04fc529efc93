// The transaction state log on disk: every transactional id's state (producer id and epoch, state,
// open partitions) comes back after a restart, also once the log has been compacted many times
// (a small compaction threshold), and compaction keeps the log near one record per live id. The
// partitions' markers make each committed transaction's records visible to read_committed.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Broker } from '../../actors/host/broker.js';
import { txnStateLogDirName } from '../../actors/data_dir_layout.js';
import { ErrorCode } from '../../core/errors.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';

const directories: string[] = [];
afterEach(() => {
  for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function start(dataDir: string): Promise<Broker> {
  return Broker.start({ storage: 'disk', dataDir, shards: 1, flush: 'never', transactions: { stateLogCompactionBytesMin: 16 * 1024 } });
}

function logBytes(dataDir: string): number {
  const dir = join(dataDir, txnStateLogDirName(0));
  return readdirSync(dir).filter((name) => name.endsWith('.log')).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

it('replays every transactional id after many transactions and compactions', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lanes-txn-state-'));
  directories.push(dataDir);
  let broker = await start(dataDir);
  await broker.createTopic('out', { partitions: 2 });
  const ids = ['a', 'b', 'c', 'd'];
  const producers = new Map<string, { producerId: number; producerEpoch: number; sequences: number[] }>();
  for (const transactionalId of ids) {
    const grant = await broker.initTransactionalProducer({ transactionalId, transactionTimeoutMs: 600_000, producerId: -1, producerEpoch: -1 });
    expect(grant.errorCode).toBe(ErrorCode.NONE);
    producers.set(transactionalId, { producerId: grant.producerId, producerEpoch: grant.producerEpoch, sequences: [0, 0] });
  }
  // 150 transactions, round robin over the ids, alternately committed and aborted: well past the
  // compaction threshold many times over.
  for (let round = 0; round < 150; round++) {
    const transactionalId = ids[round % ids.length];
    const producer = producers.get(transactionalId)!;
    const partition = round % 2;
    const producerIds = { transactionalId, producerId: producer.producerId, producerEpoch: producer.producerEpoch };
    expect((await broker.addPartitionsToTxn({ ...producerIds, partitions: [{ topic: 'out', partition }] })).errorCode).toBe(ErrorCode.NONE);
    const batch = encodeRecordBatch([{ key: null, value: new TextEncoder().encode(`r${round}`) }], {
      baseTimestamp: Date.now(),
      producerId: producer.producerId,
      producerEpoch: producer.producerEpoch,
      baseSequence: producer.sequences[partition]++,
      transactional: true,
    });
    await broker.produce('out', partition, batch);
    expect((await broker.endTxn({ ...producerIds, committed: round % 3 !== 0 })).errorCode).toBe(ErrorCode.NONE);
  }
  // One left open on purpose.
  const open = producers.get('a')!;
  await broker.addPartitionsToTxn({ transactionalId: 'a', producerId: open.producerId, producerEpoch: open.producerEpoch, partitions: [{ topic: 'out', partition: 1 }] });
  const before = await broker.describeTransactions(ids);
  const bytesBefore = logBytes(dataDir);
  await broker.stop();

  broker = await start(dataDir);
  try {
    expect(await broker.describeTransactions(ids)).toEqual(before);
    expect(before[0]).toMatchObject({ state: 'Ongoing', topics: [{ topic: 'out', partitions: [1] }] });
    // Compacted: far fewer bytes than 150 transactions' worth of records (3 records each).
    expect(bytesBefore).toBeLessThan(64 * 1024);
  } finally {
    await broker.stop();
  }
});
