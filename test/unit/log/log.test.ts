// The Log over memory storage: offsets, reads, refusals, rolls, retention, truncation, timestamps,
// and group commit. Each test states the rule it checks; a fake clock drives time.
import { describe, expect, it } from 'vitest';
import { Log, type LogConfig } from '../../../core/log/log.js';
import { MemoryStorage } from '../../../core/log/memory_storage.js';
import { findBatchPosition } from '../../../core/log/offset_index.js';
import type { RecoveredLog, Storage } from '../../../core/log/storage.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { BatchField, readBatchHeader } from '../../../core/records/record_batch.js';
import { crc32c } from '../../../core/records/crc32c.js';
import { asStored, badBatch, badBatchCodes, concat, FakeClock, seededBatch, type BadBatchKind } from './log_support.js';
import { codeOf } from '../../support/error_code.js';

async function memoryLog(config: Partial<LogConfig> = {}, clock = new FakeClock()): Promise<Log> {
  return Log.open(new MemoryStorage(), { clock, segmentBytes: 4096, maxBatchBytes: 2048, indexIntervalBytes: 256, ...config });
}

describe('Log append and read', () => {
  it('assigns contiguous offsets and stores the bytes with the patched fields only', async () => {
    const log = await memoryLog();
    const a = seededBatch(1, 3, 20);
    const b = seededBatch(2, 5, 20);
    expect(log.append(a)).toEqual({ baseOffset: 0, lastOffset: 2, recordCount: 3 });
    expect(log.append(b)).toEqual({ baseOffset: 3, lastOffset: 7, recordCount: 5 });
    expect(log.highWatermark).toBe(8);
    const { batches } = log.read(0, 1 << 20);
    expect(batches.map((x) => x.slice())).toEqual([asStored(a, 0), asStored(b, 3)]);
    expect(a).toEqual(seededBatch(1, 3, 20)); // the source is not modified
  });

  it('refuses a batch whose timestamps are beyond ±(2^53 − 1) ms (INVALID_TIMESTAMP), leaving the log as it was', async () => {
    const log = await memoryLog();
    // A well-formed batch (CRC right) with one header timestamp set past the safe range.
    const withTimestamp = (field: number, value: bigint) => {
      const batch = encodeRecordBatch([{ key: null, value: new Uint8Array(8) }], { baseTimestamp: 1_700_000_000_000 });
      const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
      view.setBigInt64(field, value);
      view.setUint32(BatchField.crc, crc32c(batch, BatchField.attributes));
      return batch;
    };
    for (const field of [BatchField.baseTimestamp, BatchField.maxTimestamp]) {
      for (const value of [2n ** 53n, -(2n ** 53n) - 2n, 2n ** 62n]) {
        expect(codeOf(() => log.append(withTimestamp(field, value))), `field at ${field} = ${value}`).toBe(32);
      }
    }
    expect(log.highWatermark).toBe(0);
    expect(log.append(seededBatch(1, 2, 10))).toEqual({ baseOffset: 0, lastOffset: 1, recordCount: 2 });
  });

  it('appends from a sub-range of a larger buffer', async () => {
    const log = await memoryLog();
    const a = seededBatch(1, 3, 20);
    const framed = concat([new Uint8Array(7), a, new Uint8Array(3)]);
    log.append(framed, 7, 7 + a.length);
    expect(log.read(0, 1000).batches[0]).toEqual(asStored(a, 0));
  });

  it('starts at the batch containing the fetch offset, returns at least one batch, then stops at maxBytes', async () => {
    const log = await memoryLog();
    const sizes = [seededBatch(1, 4, 50), seededBatch(2, 4, 50), seededBatch(3, 4, 50)].map((batch) => {
      log.append(batch);
      return batch.length;
    });
    expect(log.read(5, 1).batches.map((b) => readBatchHeader(b).baseOffset)).toEqual([4]);
    expect(log.read(5, sizes[1] + sizes[2] - 1).batches.map((b) => readBatchHeader(b).baseOffset)).toEqual([4]);
    expect(log.read(5, sizes[1] + sizes[2]).batches.map((b) => readBatchHeader(b).baseOffset)).toEqual([4, 8]);
    expect(log.read(12, 100).batches).toEqual([]);
    expect(codeOf(() => log.read(13, 100))).toBe(1);
    expect(codeOf(() => log.read(-1, 100))).toBe(1);
  });

  it.each(Object.keys(badBatchCodes) as BadBatchKind[])('refuses a batch with %s and stays unchanged', async (kind) => {
    const log = await memoryLog();
    log.append(seededBatch(1, 2, 10));
    const before = log.read(0, 1 << 20).batches.map((b) => b.slice());
    expect(codeOf(() => log.append(badBatch(kind, 2048)))).toBe(badBatchCodes[kind]);
    expect(log.highWatermark).toBe(2);
    expect(log.read(0, 1 << 20).batches).toEqual(before);
    expect(log.append(seededBatch(3, 1, 10)).baseOffset).toBe(2);
  });

  it('refuses a bad batch that would have rolled without leaving a new segment', async () => {
    const log = await memoryLog({ segmentBytes: 512, maxBatchBytes: 512 });
    while (log.sizeBytes < 400) log.append(seededBatch(1, 1, 20));
    const segments = log.segmentCount;
    const bad = seededBatch(9, 1, 200);
    bad[bad.length - 1] ^= 1;
    expect(codeOf(() => log.append(bad))).toBe(2);
    expect(log.segmentCount).toBe(segments);
  });
});

describe('Log segments', () => {
  it('rolls by size and reads across segments', async () => {
    const log = await memoryLog({ segmentBytes: 1024, maxBatchBytes: 1024 });
    const stored: Uint8Array[] = [];
    for (let i = 0; i < 20; i++) {
      const batch = seededBatch(i + 1, 2, 60);
      stored.push(asStored(batch, log.append(batch).baseOffset));
    }
    expect(log.segmentCount).toBeGreaterThan(2);
    expect(log.read(0, 1 << 20).batches).toEqual(stored);
    for (let offset = 0; offset < 40; offset++) expect(log.read(offset, 1).batches[0]).toEqual(stored[offset >> 1]);
  });

  it('rolls by age only when the active segment has data', async () => {
    const clock = new FakeClock();
    const log = await memoryLog({ segmentMs: 1000 }, clock);
    clock.advance(5000);
    log.append(seededBatch(1, 1, 10));
    expect(log.segmentCount).toBe(1);
    clock.advance(999);
    log.append(seededBatch(1, 1, 10));
    expect(log.segmentCount).toBe(1);
    clock.advance(1);
    log.append(seededBatch(1, 1, 10));
    expect(log.segmentCount).toBe(2);
  });

  it('serves reader threads through findBatchPosition over the segment views', async () => {
    const log = await memoryLog({ segmentBytes: 2048, maxBatchBytes: 2048, indexIntervalBytes: 100 });
    for (let i = 0; i < 60; i++) log.append(seededBatch(i + 1, 1 + (i % 3), 30));
    const views = log.segmentViews();
    expect(views.length).toBe(log.segmentCount);
    expect(views.some((view) => view.indexCount > 0)).toBe(true);
    for (let offset = 0; offset < log.highWatermark; offset++) {
      const view = [...views].reverse().find((v) => v.baseOffset <= offset)!;
      const position = findBatchPosition(view.bytes, view.committedBytes, view.indexEntries, view.indexCount, view.baseOffset, offset);
      expect(view.bytes.subarray(position, position + log.read(offset, 1).batches[0].length)).toEqual(log.read(offset, 1).batches[0]);
    }
  });
});

describe('Log retention, deletion and truncation', () => {
  it('deletes whole old segments by size and by time, never the active one', async () => {
    const clock = new FakeClock();
    const log = await memoryLog({ segmentBytes: 1024, maxBatchBytes: 1024, retentionBytes: 2048 }, clock);
    for (let i = 0; i < 40; i++) log.append(seededBatch(i + 1, 1, 80, 10_000 + i));
    const before = log.segmentCount;
    expect(log.enforceRetention(clock.now)).toBeGreaterThan(0);
    expect(log.segmentCount).toBeLessThan(before);
    expect(log.sizeBytes).toBeLessThan(2048 + 1024);
    expect(log.logStartOffset).toBeGreaterThan(0);
    expect(codeOf(() => log.read(log.logStartOffset - 1, 100))).toBe(1);
    expect(readBatchHeader(log.read(log.logStartOffset, 1).batches[0]).baseOffset).toBe(log.logStartOffset);

    const timed = await memoryLog({ segmentBytes: 1024, maxBatchBytes: 1024, retentionMs: 1000 }, clock);
    for (let i = 0; i < 40; i++) timed.append(seededBatch(i + 1, 1, 80, clock.now - 5000));
    expect(timed.segmentCount).toBeGreaterThan(1);
    expect(timed.enforceRetention(clock.now - 4001)).toBe(0);
    expect(timed.enforceRetention(clock.now)).toBeGreaterThan(0);
    expect(timed.segmentCount).toBe(1);
    expect(timed.highWatermark).toBe(40);
  });

  it('reconfigure applies altered topic configs to the open log: retention, segment size, the largest batch', async () => {
    const clock = new FakeClock();
    const log = await memoryLog({ segmentBytes: 1024, maxBatchBytes: 1024 }, clock); // Kafka's 7-day retention
    for (let i = 0; i < 40; i++) log.append(seededBatch(i + 1, 1, 80, clock.now - 5000));
    const segments = log.segmentCount;
    expect(segments).toBeGreaterThan(2);
    expect(log.enforceRetention(clock.now)).toBe(0);
    log.reconfigure({ ...log.config, retentionMs: 1000 });
    expect(log.enforceRetention(clock.now)).toBe(segments - 1);

    // A larger segment.bytes: the active segment (1024 bytes of room) still rolls at its capacity,
    // the next ones hold four times as much.
    log.reconfigure({ ...log.config, segmentBytes: 4096 });
    const before = log.segmentCount;
    for (let i = 0; i < 40; i++) log.append(seededBatch(i + 100, 1, 80, clock.now));
    expect(log.segmentCount - before).toBeLessThanOrEqual(3);
    expect(log.highWatermark).toBe(80);

    const batch = seededBatch(500, 1, 200, clock.now);
    log.reconfigure({ ...log.config, maxBatchBytes: batch.length - 1 });
    expect(codeOf(() => log.append(batch))).toBe(10); // MESSAGE_TOO_LARGE
    log.reconfigure({ ...log.config, maxBatchBytes: batch.length });
    expect(log.append(batch).baseOffset).toBe(80);

    // Settings a log cannot run with are refused and change nothing.
    expect(() => log.reconfigure({ ...log.config, maxBatchBytes: 8192 })).toThrow(RangeError);
    expect(log.config.maxBatchBytes).toBe(batch.length);
  });

  it('deleteRecordsBefore moves the log start offset and keeps the batch containing it', async () => {
    const log = await memoryLog({ segmentBytes: 1024, maxBatchBytes: 1024 });
    for (let i = 0; i < 30; i++) log.append(seededBatch(i + 1, 3, 40));
    log.deleteRecordsBefore(31);
    expect(log.logStartOffset).toBe(31);
    expect(readBatchHeader(log.read(31, 1).batches[0]).baseOffset).toBe(30);
    log.deleteRecordsBefore(5); // never backwards
    expect(log.logStartOffset).toBe(31);
    expect(codeOf(() => log.deleteRecordsBefore(91))).toBe(1);
    log.deleteRecordsBefore(90);
    expect(log.read(90, 100).batches).toEqual([]);
    expect(log.append(seededBatch(1, 1, 10)).baseOffset).toBe(90);
    expect(log.read(90, 1000).batches.length).toBe(1);
  });

  it('activeProducers: each idempotent producer\'s epoch, last sequence and newest batch\'s max timestamp, until the log start passes it', async () => {
    const log = await memoryLog({ segmentBytes: 1024, maxBatchBytes: 1024 });
    const idempotent = (producerId: number, producerEpoch: number, baseSequence: number, timestamp: number) =>
      encodeRecordBatch([{ key: null, value: new Uint8Array(30) }, { key: null, value: new Uint8Array(30) }], { producerId, producerEpoch, baseSequence, baseTimestamp: timestamp });
    log.append(idempotent(7, 0, 0, 1000));
    log.append(seededBatch(1, 3, 40));
    log.append(idempotent(9, 2, 0, 2000));
    for (let i = 0; i < 20; i++) log.append(idempotent(7, 0, 2 + 2 * i, 3000 + i));
    expect(log.segmentCount).toBeGreaterThan(2);
    const byId = (producers: ReturnType<Log['activeProducers']>) => [...producers].sort((a, b) => a.producerId - b.producerId);
    expect(byId(log.activeProducers())).toEqual([
      { producerId: 7, producerEpoch: 0, lastSequence: 41, lastTimestamp: 3019 },
      { producerId: 9, producerEpoch: 2, lastSequence: 1, lastTimestamp: 2000 },
    ]);
    log.deleteRecordsBefore(7); // past producer 9's only batch (offsets 5–6)
    expect(log.activeProducers()).toEqual([{ producerId: 7, producerEpoch: 0, lastSequence: 41, lastTimestamp: 3019 }]);
  });

  it('truncateTo removes the batch containing the offset and everything after', async () => {
    const log = await memoryLog({ segmentBytes: 1024, maxBatchBytes: 1024 });
    const stored: Uint8Array[] = [];
    for (let i = 0; i < 30; i++) {
      const batch = seededBatch(i + 1, 2, 40, 100 + i);
      stored.push(asStored(batch, log.append(batch).baseOffset));
    }
    expect(log.truncateTo(25)).toBe(24);
    expect(log.read(0, 1 << 20).batches).toEqual(stored.slice(0, 12));
    expect(log.truncateTo(10)).toBe(10);
    expect(log.read(0, 1 << 20).batches).toEqual(stored.slice(0, 5));
    const again = seededBatch(99, 2, 40, 50);
    expect(log.append(again).baseOffset).toBe(10);
    expect(log.read(10, 1000).batches).toEqual([asStored(again, 10)]);
    expect(log.truncateTo(0)).toBe(0);
    expect(log.read(0, 1000).batches).toEqual([]);
  });
});

describe('Log offsetForTimestamp', () => {
  it('finds the earliest batch whose max timestamp reaches the target', async () => {
    const log = await memoryLog({ segmentBytes: 1024, maxBatchBytes: 1024, indexIntervalBytes: 64 });
    // Timestamps rise by 10 per batch, with one late batch going back in time.
    const times = Array.from({ length: 40 }, (_, i) => (i === 20 ? 5 : 1000 + i * 10));
    times.forEach((t, i) => log.append(seededBatch(i + 1, 2, 30, t)));
    expect(log.offsetForTimestamp(0)).toBe(0);
    expect(log.offsetForTimestamp(1000 + 1)).toBe(0); // batch 0 holds timestamps 1000 and 1001
    expect(log.offsetForTimestamp(1000 + 2)).toBe(2);
    expect(log.offsetForTimestamp(1000 + 25 * 10)).toBe(50);
    expect(log.offsetForTimestamp(1000 + 39 * 10 + 1)).toBe(78);
    expect(log.offsetForTimestamp(1000 + 39 * 10 + 2)).toBeNull();
    log.deleteRecordsBefore(61);
    expect(log.offsetForTimestamp(0)).toBe(61);
  });
});

/** Memory storage whose syncs complete when the test says so. */
class ManualSyncStorage extends MemoryStorage {
  syncs: Array<() => void> = [];
  override sync(): Promise<void> {
    return new Promise((resolve) => this.syncs.push(resolve));
  }
  override async open(): Promise<RecoveredLog> {
    return { segments: [], logStartOffset: null };
  }
}

describe('Log group commit', () => {
  it('shares one sync among concurrent callers and starts one more for later writes', async () => {
    const storage = new ManualSyncStorage();
    const log = await Log.open(storage as Storage, { clock: new FakeClock(), flush: { kind: 'always' } });
    log.append(seededBatch(1, 1, 10));
    const done: string[] = [];
    const a = log.flush().then(() => done.push('a'));
    const b = log.flush().then(() => done.push('b'));
    expect(storage.syncs.length).toBe(1);
    log.append(seededBatch(2, 1, 10));
    const c = log.flush().then(() => done.push('c'));
    const d = log.flush().then(() => done.push('d'));
    expect(storage.syncs.length).toBe(1); // c and d wait for the next sync, not the in-flight one
    storage.syncs[0]();
    await Promise.all([a, b]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toEqual(['a', 'b']);
    expect(storage.syncs.length).toBe(2);
    storage.syncs[1]();
    await Promise.all([c, d]);
    expect(done).toEqual(['a', 'b', 'c', 'd']);
    await log.flush(); // nothing new: no sync
    expect(storage.syncs.length).toBe(2);
  });

  it('flushDue starts a flush only when the interval has passed and bytes are pending', async () => {
    const storage = new ManualSyncStorage();
    const clock = new FakeClock();
    const log = await Log.open(storage as Storage, { clock, flush: { kind: 'interval', intervalMs: 100 } });
    expect(log.flushDue(clock.now + 1000)).toBeNull();
    log.append(seededBatch(1, 1, 10));
    expect(log.flushDue(clock.now + 50)).toBeNull();
    const flushing = log.flushDue(clock.now + 100);
    expect(flushing).not.toBeNull();
    storage.syncs[0]();
    await flushing;
    expect(log.flushDue(clock.now + 1000)).toBeNull();
  });

  it('needsTick: true while an interval flush is owed or a retention may delete a segment, false once neither holds', async () => {
    const storage = new ManualSyncStorage();
    const clock = new FakeClock();
    const log = await Log.open(storage as Storage, { clock, flush: { kind: 'interval', intervalMs: 100 }, segmentBytes: 1024, maxBatchBytes: 1024, retentionMs: 1000 });
    expect(log.needsTick).toBe(false);
    log.append(seededBatch(1, 1, 10, clock.now));
    expect(log.needsTick).toBe(true); // dirty under the interval policy
    clock.advance(100);
    const flushing = log.tick(clock.now);
    expect(flushing).not.toBeNull();
    expect(log.needsTick).toBe(true); // the sync has not finished
    storage.syncs[0]();
    await flushing;
    expect(log.needsTick).toBe(false);
    // Retention: a second segment makes the log need ticks until retention deletes the first.
    while (log.segmentCount < 2) log.append(seededBatch(2, 1, 80, clock.now));
    const synced = log.flush();
    storage.syncs.at(-1)!();
    await synced;
    expect(log.needsTick).toBe(true);
    clock.advance(1001);
    const deleted = log.tick(clock.now); // the deletion is a change the interval flush then owes
    expect(log.segmentCount).toBe(1);
    storage.syncs.at(-1)!();
    await deleted;
    expect(log.needsTick).toBe(false);
  });

  it('needsTick stays false without an interval flush however much is written to one segment', async () => {
    const log = await memoryLog({ flush: { kind: 'never' } });
    log.append(seededBatch(1, 1, 10));
    expect(log.segmentCount).toBe(1);
    expect(log.needsTick).toBe(false);
  });

  it('a failed sync fails the log: no more appends are accepted', async () => {
    const storage = new MemoryStorage();
    storage.sync = () => Promise.reject(new Error('EIO'));
    const log = await Log.open(storage, { clock: new FakeClock() });
    log.append(seededBatch(1, 1, 10));
    await expect(log.flush()).rejects.toThrow('EIO');
    expect(() => log.append(seededBatch(1, 1, 10))).toThrow('EIO');
  });
});

