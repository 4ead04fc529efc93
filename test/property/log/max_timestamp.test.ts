// ListOffsets −3 (MAX_TIMESTAMP) against a model: random batches (records with out-of-order
// timestamps, some gzip-compressed, some with equal timestamps) over small segments, with the log
// start moved into the middle of a batch by DeleteRecords, in memory and in files (whose batches
// are read back from disk); the log's answer must be the first record at or after the log start
// carrying the largest timestamp, as a scan of every record says.
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStorage } from '../../../actors/storage/file_storage.js';
import { Log } from '../../../core/log/log.js';
import { MemoryStorage } from '../../../core/log/memory_storage.js';
import type { Storage } from '../../../core/log/storage.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { decompress } from '../../../core/records/compression.js';
import { Compression } from '../../../core/records/record_batch.js';
import { FakeClock } from '../../unit/log/log_support.js';

const batchArbitrary = fc.record({
  timestamps: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }),
  gzip: fc.boolean(),
  valueBytes: fc.integer({ min: 0, max: 120 }),
});

const root = mkdtempSync(join(tmpdir(), 'lanes-max-timestamp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;
const storages: Record<string, () => Storage> = {
  memory: () => new MemoryStorage(),
  files: () => new FileStorage(join(root, `run-${runs++}`), { logger: pino({ level: 'silent' }), writeBufferBytes: 512 }),
};

async function logOf(batches: readonly { timestamps: number[]; gzip: boolean; valueBytes: number }[], storage: () => Storage = storages.memory): Promise<Log> {
  const log = await Log.open(storage(), { clock: new FakeClock(), segmentBytes: 1024, maxBatchBytes: 1024, indexIntervalBytes: 64, decompress });
  for (const batch of batches) {
    const records = batch.timestamps.map((timestamp) => ({ key: null, value: new Uint8Array(batch.valueBytes), timestamp: 1_000 + timestamp }));
    log.append(encodeRecordBatch(records, { compression: batch.gzip ? Compression.gzip : Compression.none }));
  }
  log.writeOut();
  return log;
}

describe('Log maxTimestampRecord', () => {
  it.each(Object.keys(storages))('is the first record at or after the log start with the largest timestamp (%s)', async (kind) => {
    await fc.assert(
      fc.asyncProperty(fc.array(batchArbitrary, { minLength: 0, maxLength: 30 }), fc.nat(), async (batches, cut) => {
        const log = await logOf(batches, storages[kind]);
        const records = batches.flatMap((batch) => batch.timestamps.map((timestamp) => 1_000 + timestamp)).map((timestamp, offset) => ({ timestamp, offset }));
        const logStart = records.length === 0 ? 0 : cut % (records.length + 1);
        log.deleteRecordsBefore(logStart);
        let expected: { timestamp: number; offset: number } | null = null;
        for (const record of records.slice(logStart)) if (expected === null || record.timestamp > expected.timestamp) expected = record;
        expect(log.maxTimestampRecord()).toEqual(expected);
        await log.close();
      }),
      { numRuns: kind === 'memory' ? 150 : 40 },
    );
  });

  it('an empty log, and a log whose every record was deleted, have none', async () => {
    expect((await logOf([])).maxTimestampRecord()).toBeNull();
    const log = await logOf([{ timestamps: [5, 9], gzip: false, valueBytes: 1 }]);
    expect(log.maxTimestampRecord()).toEqual({ timestamp: 1_009, offset: 1 });
    log.deleteRecordsBefore(2);
    expect(log.maxTimestampRecord()).toBeNull();
  });
});
