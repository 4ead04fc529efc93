// Transactions in one partition log: transactional batches open a producer's transaction, the
// coordinator's markers close it, the last stable offset stops at the oldest open one, and aborted
// transactions are listed for read_committed readers. The log rebuilds all of it from its batches
// on open (the crash story: no second file to disagree with the log).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStorage } from '../../../actors/storage/file_storage.js';
import { ErrorCode } from '../../../core/errors.js';
import { Log, type LogConfig } from '../../../core/log/log.js';
import { MemoryStorage } from '../../../core/log/memory_storage.js';
import type { Storage } from '../../../core/log/storage.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { encodeMarkerBatch, readMarker } from '../../../core/records/control_batch.js';
import { codeOf } from '../../support/error_code.js';
import { FakeClock } from './log_support.js';

const config: Partial<LogConfig> = { segmentBytes: 4096, maxBatchBytes: 2048, indexIntervalBytes: 256 };

function openLog(storage: Storage = new MemoryStorage(), extra: Partial<LogConfig> = {}): Promise<Log> {
  return Log.open(storage, { clock: new FakeClock(), ...config, ...extra });
}

const value = (text: string) => new TextEncoder().encode(text);

/** A batch of `count` records from producer `producerId` (epoch, sequence), transactional or not. */
function batch(producerId: number, baseSequence: number, count = 1, options: { epoch?: number; transactional?: boolean } = {}): Uint8Array {
  const records = Array.from({ length: count }, (_, i) => ({ key: null, value: value(`p${producerId}-${baseSequence + i}`) }));
  return encodeRecordBatch(records, { producerId, producerEpoch: options.epoch ?? 0, baseSequence, transactional: options.transactional ?? true });
}

function marker(log: Log, producerId: number, committed: boolean, options: { epoch?: number; coordinatorEpoch?: number } = {}) {
  const bytes = encodeMarkerBatch({ producerId, producerEpoch: options.epoch ?? 0, committed, coordinatorEpoch: options.coordinatorEpoch ?? 0 }, 5_000);
  return log.append(bytes, 0, bytes.length, 'coordinator');
}

describe('transaction markers', () => {
  it('encode and decode: type, producer, coordinator epoch', () => {
    const bytes = encodeMarkerBatch({ producerId: 42, producerEpoch: 3, committed: true, coordinatorEpoch: 9 }, 1);
    expect(readMarker(bytes, 0, bytes.length)).toEqual({ producerId: 42, producerEpoch: 3, committed: true, coordinatorEpoch: 9 });
    const abort = encodeMarkerBatch({ producerId: 42, producerEpoch: 3, committed: false, coordinatorEpoch: 9 }, 1);
    expect(readMarker(abort, 0, abort.length).committed).toBe(false);
  });
});

describe('Log transactions', () => {
  it('holds the last stable offset at the first batch of the oldest open transaction until its marker', async () => {
    const log = await openLog();
    log.append(encodeRecordBatch([{ key: null, value: value('plain') }]));
    expect(log.append(batch(7, 0, 2)).baseOffset).toBe(1);
    log.append(batch(8, 0, 1));
    log.append(batch(7, 2, 1));
    expect(log.highWatermark).toBe(5);
    expect(log.lastStableOffset).toBe(1);
    marker(log, 7, true);
    expect(log.lastStableOffset).toBe(3); // producer 8's transaction, opened at 3, is still open
    marker(log, 8, true);
    expect(log.lastStableOffset).toBe(log.highWatermark);
    expect(log.abortedTransactions(0, 100)).toEqual([]);
  });

  it('lists an aborted transaction from its first batch to its marker, for the ranges it overlaps', async () => {
    const log = await openLog();
    log.append(batch(7, 0, 3)); // 0..2
    log.append(encodeRecordBatch([{ key: null, value: value('plain') }])); // 3
    expect(marker(log, 7, false).baseOffset).toBe(4);
    expect(log.lastAbortedOffset).toBe(4);
    expect(log.abortedTransactions(0, 0)).toEqual([{ producerId: 7, firstOffset: 0, lastOffset: 4 }]);
    expect(log.abortedTransactions(3, 10)).toEqual([{ producerId: 7, firstOffset: 0, lastOffset: 4 }]);
    expect(log.abortedTransactions(5, 10)).toEqual([]);
    // A second transaction of the same producer starts at its next transactional batch.
    log.append(batch(7, 3, 1)); // 5
    marker(log, 7, false); // 6
    expect(log.abortedTransactions(0, 10).map((t) => [t.firstOffset, t.lastOffset])).toEqual([[0, 4], [5, 6]]);
    expect(log.abortedTransactions(5, 5).map((t) => [t.firstOffset, t.lastOffset])).toEqual([[5, 6]]);
  });

  it('writes a marker for a producer with no open transaction and changes nothing else (a retried marker)', async () => {
    const log = await openLog();
    log.append(batch(7, 0));
    marker(log, 7, false);
    const before = log.abortedTransactions(0, 100);
    expect(marker(log, 7, false).baseOffset).toBe(2);
    expect(marker(log, 99, true).baseOffset).toBe(3);
    expect(log.abortedTransactions(0, 100)).toEqual(before);
    expect(log.lastStableOffset).toBe(4);
  });

  it('refuses a control batch from a client, a transactional batch without a producer id, and data outside an open transaction', async () => {
    const log = await openLog();
    const control = encodeMarkerBatch({ producerId: 7, producerEpoch: 0, committed: true, coordinatorEpoch: 0 }, 1);
    expect(codeOf(() => log.append(control))).toBe(ErrorCode.INVALID_RECORD);
    const anonymous = encodeRecordBatch([{ key: null, value: value('x') }], { transactional: true });
    expect(codeOf(() => log.append(anonymous))).toBe(ErrorCode.INVALID_RECORD);
    log.append(batch(7, 0));
    expect(codeOf(() => log.append(batch(7, 1, 1, { transactional: false })))).toBe(ErrorCode.INVALID_TXN_STATE);
    // A data batch is not a marker either.
    const data = batch(7, 1);
    expect(codeOf(() => log.append(data, 0, data.length, 'coordinator'))).toBe(ErrorCode.INVALID_RECORD);
    expect(log.highWatermark).toBe(1);
    marker(log, 7, true);
    expect(log.append(batch(7, 1, 1, { transactional: false })).baseOffset).toBe(2);
  });

  it('fences markers of an older producer epoch (47) or an older coordinator epoch (52)', async () => {
    const log = await openLog();
    log.append(batch(7, 0, 1, { epoch: 2 }));
    marker(log, 7, true, { epoch: 2, coordinatorEpoch: 5 });
    expect(codeOf(() => marker(log, 7, true, { epoch: 1, coordinatorEpoch: 5 }))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(codeOf(() => marker(log, 7, true, { epoch: 2, coordinatorEpoch: 4 }))).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
    expect(log.highWatermark).toBe(2);
  });

  it('moves the producer to a bumped marker epoch: the old epoch is refused, the new one starts at sequence 0', async () => {
    const log = await openLog();
    log.append(batch(7, 0, 3, { epoch: 0 }));
    marker(log, 7, false, { epoch: 1 }); // the coordinator fenced epoch 0 and aborted its transaction
    expect(log.lastStableOffset).toBe(log.highWatermark);
    expect(codeOf(() => log.append(batch(7, 3, 1, { epoch: 0 })))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(log.append(batch(7, 0, 1, { epoch: 1 })).baseOffset).toBe(4);
  });

  it('forgets aborted transactions whose marker falls below the log start', async () => {
    const log = await openLog();
    log.append(batch(7, 0));
    marker(log, 7, false);
    log.append(batch(8, 0));
    marker(log, 8, false);
    log.deleteRecordsBefore(2);
    expect(log.abortedTransactions(0, 100).map((t) => t.producerId)).toEqual([8]);
  });

  it('keeps its transactions across a truncation that removes a marker', async () => {
    const log = await openLog();
    log.append(batch(7, 0));
    marker(log, 7, false);
    log.truncateTo(1);
    expect(log.lastStableOffset).toBe(0);
    expect(log.abortedTransactions(0, 100)).toEqual([]);
  });
});

describe('Log transactions on disk', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const quiet = pino({ level: 'silent' });

  it('rebuilds open transactions, the last stable offset and the aborted list from the files on open, across segments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanes-txn-'));
    dirs.push(dir);
    const storage = () => new FileStorage(dir, { writeBufferBytes: 1024, logger: quiet });
    const log = await openLog(storage(), { segmentBytes: 512, maxBatchBytes: 512 });
    log.append(batch(1, 0, 2)); // open for the whole test
    for (let i = 0; i < 6; i++) {
      log.append(batch(2, i));
      marker(log, 2, i % 2 === 0);
    }
    const expected = { lastStableOffset: log.lastStableOffset, aborted: log.abortedTransactions(0, 1_000), highWatermark: log.highWatermark };
    expect(log.segmentCount).toBeGreaterThan(2); // the open transaction starts outside the producer-state window
    expect(expected.lastStableOffset).toBe(0);
    expect(expected.aborted).toHaveLength(3);
    await log.close();
    const reopened = await openLog(storage(), { segmentBytes: 512, maxBatchBytes: 512 });
    expect({ lastStableOffset: reopened.lastStableOffset, aborted: reopened.abortedTransactions(0, 1_000), highWatermark: reopened.highWatermark }).toEqual(expected);
    marker(reopened, 1, true);
    expect(reopened.lastStableOffset).toBe(reopened.highWatermark);
    await reopened.close();
  });
});
