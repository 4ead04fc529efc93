// File storage: Kafka's layout on disk, reopen equality, and recovery of torn, corrupt and odd
// directories. Each recovery test damages the files the way a crash or a bad disk would, then
// checks the reopened log holds exactly the whole valid batches before the damage.
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Log, type LogConfig } from '../../../core/log/log.js';
import { FileStorage, type FileStorageOptions } from '../../../actors/storage/file_storage.js';
import { pino } from 'pino';
import { asStored, FakeClock, seededBatch } from './log_support.js';
import { segmentWriteBufferBytesInitial } from '../../../core/limits.js';

const quiet = pino({ level: 'silent' });
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-log-'));
  dirs.push(dir);
  return join(dir, 'topic-0');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const config = { segmentBytes: 4096, maxBatchBytes: 4096, indexIntervalBytes: 256 } satisfies Partial<LogConfig>;

async function openLog(dir: string, options: FileStorageOptions = {}, extra: Partial<LogConfig> = {}): Promise<Log> {
  return Log.open(new FileStorage(dir, { writeBufferBytes: 1024, logger: quiet, ...options }), { clock: new FakeClock(), ...config, ...extra });
}

async function fill(log: Log, count: number, seed = 1): Promise<Uint8Array[]> {
  const stored: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const batch = seededBatch(seed + i, 1 + (i % 4), 30 + (i % 7) * 10, 1000 + i);
    stored.push(asStored(batch, log.append(batch).baseOffset));
  }
  return stored;
}

function readAll(log: Log): Uint8Array[] {
  return log.highWatermark === log.logStartOffset ? [] : log.read(log.logStartOffset, 1 << 30).batches.map((b) => b.slice());
}

function baseOf(batch: Uint8Array): number {
  return Number(new DataView(batch.buffer, batch.byteOffset).getBigInt64(0));
}

function lastOf(batch: Uint8Array): number {
  return baseOf(batch) + new DataView(batch.buffer, batch.byteOffset).getInt32(23);
}

function segmentFiles(dir: string, suffix: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith(suffix)).sort();
}

describe('FileStorage', () => {
  it("writes Kafka's layout and reopens to the same log", async () => {
    const dir = tempDir();
    const log = await openLog(dir);
    const stored = await fill(log, 80);
    expect(log.segmentCount).toBeGreaterThan(3);
    const expectedAt40 = log.offsetForTimestamp(1000 + 40);
    expect(expectedAt40).toBe(baseOf(stored.find((b) => Number(new DataView(b.buffer, b.byteOffset).getBigInt64(35)) >= 1040)!));
    await log.close();
    const names = segmentFiles(dir, '.log');
    expect(names[0]).toBe('00000000000000000000.log');
    expect(names.length).toBeGreaterThan(3);
    expect(segmentFiles(dir, '.index').length).toBe(names.length);
    expect(segmentFiles(dir, '.timeindex').length).toBe(names.length);

    const reopened = await openLog(dir);
    expect(reopened.highWatermark).toBe(log.highWatermark);
    expect(readAll(reopened)).toEqual(stored);
    for (let offset = 0; offset < reopened.highWatermark; offset += 7) {
      expect(reopened.read(offset, 1).batches[0]).toEqual(stored.find((b) => baseOf(b) <= offset && offset <= lastOf(b)));
    }
    expect(reopened.offsetForTimestamp(1000 + 40)).toBe(expectedAt40);
    // The reopened log keeps appending after the recovered end.
    const more = await fill(reopened, 5, 500);
    await reopened.close();
    const third = await openLog(dir);
    expect(readAll(third)).toEqual([...stored, ...more]);
    await third.close();
  });

  it('a segment that took a few small batches holds a small write buffer, a busy one grows it up to the usual size', async () => {
    // Write buffers once took the full size on the first append: a fuzzer creating partitions
    // and writing a batch to each held 1 MiB per partition.
    const storage = new FileStorage(tempDir(), { writeBufferBytes: 1024 * 1024, logger: quiet });
    const log = await Log.open(storage, { clock: new FakeClock(), segmentBytes: 64 * 1024 * 1024, maxBatchBytes: 1024 * 1024, indexIntervalBytes: 4096 });
    await fill(log, 5);
    log.writeOut();
    expect(storage.writeBufferBytesHeld).toBeLessThanOrEqual(segmentWriteBufferBytesInitial);
    let appended = 5;
    for (let turn = 0; turn < 4; turn++) {
      for (let i = 0; i < 40; i++) log.append(seededBatch(100 + turn * 40 + i, 10, 3000, 2000));
      appended += 40;
      log.writeOut();
    }
    expect(storage.writeBufferBytesHeld).toBeGreaterThan(segmentWriteBufferBytesInitial);
    expect(storage.writeBufferBytesHeld).toBeLessThanOrEqual(1024 * 1024);
    expect(readAll(log)).toHaveLength(appended);
    await log.close();
  });

  it('finds every batch by offset and by timestamp when a walk spans many windows of the file', async () => {
    // One index entry per MiB: every lookup walks batch headers from the segment's start, through
    // reads that grow from segmentWalkFirstWindowBytes to segmentWalkWindowBytes.
    const dir = tempDir();
    const extra = { segmentBytes: 4 * 1024 * 1024, maxBatchBytes: 64 * 1024, indexIntervalBytes: 1024 * 1024 };
    const log = await openLog(dir, {}, extra);
    const stored = await fill(log, 1500);
    await log.close();
    const reopened = await openLog(dir, {}, extra);
    const maxTimestampOf = (batch: Uint8Array) => Number(new DataView(batch.buffer, batch.byteOffset).getBigInt64(35));
    expect(stored.reduce((bytes, batch) => bytes + batch.length, 0)).toBeGreaterThan(4 * 64 * 1024);
    for (const batch of stored) {
      for (const offset of [baseOf(batch), lastOf(batch)]) expect(reopened.read(offset, 1).batches[0].slice()).toEqual(batch);
      // Kafka's rule: the first batch whose max timestamp reaches the one asked for.
      const first = stored.find((earlier) => maxTimestampOf(earlier) >= maxTimestampOf(batch))!;
      expect(reopened.offsetForTimestamp(maxTimestampOf(batch))).toBe(baseOf(first));
    }
    await reopened.close();
  });

  it('opens an empty directory, and a lone empty segment', async () => {
    const dir = tempDir();
    const log = await openLog(dir);
    expect(log.highWatermark).toBe(0);
    await log.close();
    expect(segmentFiles(dir, '.log')).toEqual(['00000000000000000000.log']);
    const again = await openLog(dir);
    expect(again.highWatermark).toBe(0);
    expect(again.append(seededBatch(1, 2, 10)).baseOffset).toBe(0);
    await again.close();
  });

  it('truncates a torn tail and a segment whose first batch is torn', async () => {
    const dir = tempDir();
    const log = await openLog(dir);
    const stored = await fill(log, 10);
    await log.flush();
    // Simulate kill -9: no close. Tear the last batch in half.
    const path = join(dir, segmentFiles(dir, '.log').at(-1)!);
    const size = statSync(path).size;
    truncateSync(path, size - Math.floor(stored.at(-1)!.length / 2));
    const reopened = await openLog(dir);
    expect(readAll(reopened)).toEqual(stored.slice(0, -1));
    expect(statSync(path).size).toBe(size - stored.at(-1)!.length);
    await reopened.close();

    const lone = tempDir();
    const first = await openLog(lone);
    await fill(first, 1);
    await first.flush();
    truncateSync(join(lone, '00000000000000000000.log'), 30);
    const empty = await openLog(lone);
    expect(empty.highWatermark).toBe(0);
    expect(readAll(empty)).toEqual([]);
    await empty.close();
  });

  it('stops at a corrupt batch in a sealed segment and drops the segments after it', async () => {
    const dir = tempDir();
    const log = await openLog(dir);
    const stored = await fill(log, 80);
    await log.close();
    const names = segmentFiles(dir, '.log');
    // Flip a byte inside the third batch of the second segment (past its last index entry or not:
    // the scan from the index covers the tail; remove the index to force a full scan).
    const second = join(dir, names[1]);
    const bytes = readFileSync(second);
    const base = Number(names[1].slice(0, 20));
    let position = 0;
    let batchIndex = stored.findIndex((b) => baseOf(b) === base);
    for (let i = 0; i < 2; i++) position += stored[batchIndex++].length;
    bytes[position + 70] ^= 0xff;
    writeFileSync(second, bytes);
    rmSync(second.replace('.log', '.index'));
    const reopened = await openLog(dir);
    expect(readAll(reopened)).toEqual(stored.slice(0, batchIndex));
    expect(segmentFiles(dir, '.log')).toEqual(names.slice(0, 2));
    await reopened.close();
  });

  it('ignores garbage appended after the last batch and index entries past the file', async () => {
    const dir = tempDir();
    const log = await openLog(dir);
    const stored = await fill(log, 30);
    await log.close();
    const names = segmentFiles(dir, '.log');
    const first = join(dir, names[0]);
    const originalSize = statSync(first).size;
    // An index entry beyond the file (the log lost bytes the index still names).
    appendFileSync(join(dir, names[0].replace('.log', '.index')), Buffer.from([0, 0, 1, 0, 0, 1, 0, 0]));
    appendFileSync(join(dir, names.at(-1)!), Buffer.alloc(100, 0));
    const reopened = await openLog(dir);
    expect(readAll(reopened)).toEqual(stored);
    expect(statSync(first).size).toBe(originalSize);
    await reopened.close();
  });

  it('scans segments without an index on the recovery pool and reports progress', async () => {
    const dir = tempDir();
    const log = await openLog(dir, {}, { segmentBytes: 64 * 1024, maxBatchBytes: 4096 });
    const stored = await fill(log, 600);
    const expectedAt300 = log.offsetForTimestamp(1000 + 300);
    await log.close();
    for (const name of segmentFiles(dir, '.index')) rmSync(join(dir, name));
    const progress: number[] = [];
    const reopened = await openLog(dir, { poolScanBytesMin: 1024, recoveryThreads: 1, onRecoveryProgress: (p) => progress.push(p.scannedBytes) }, { segmentBytes: 64 * 1024, maxBatchBytes: 4096 });
    expect(readAll(reopened)).toEqual(stored);
    expect(reopened.offsetForTimestamp(1000 + 300)).toBe(expectedAt300);
    expect(progress.length).toBeGreaterThan(0);
    await reopened.close();
    // Rebuilt indexes were written back for the sealed segments.
    expect(segmentFiles(dir, '.index').length).toBe(segmentFiles(dir, '.log').length);
    expect(existsSync(dir)).toBe(true);
  });

  it('keeps deleteRecordsBefore when the process dies without closing the log (kill -9)', async () => {
    const dir = tempDir();
    const log = await openLog(dir);
    const stored = await fill(log, 60);
    log.writeOut();
    log.deleteRecordsBefore(41);
    // No close, no flush: only what the log handed the operating system survives.
    const reopened = await openLog(dir);
    expect(reopened.logStartOffset).toBe(41);
    expect(readAll(reopened)).toEqual(stored.filter((b) => lastOf(b) >= 41));
    await reopened.close();
    await log.close().catch(() => {});
  });

  it('keeps deleteRecordsBefore across reopen, and truncation', async () => {
    const dir = tempDir();
    const log = await openLog(dir);
    const stored = await fill(log, 60);
    log.deleteRecordsBefore(37);
    const kept = log.read(37, 1 << 30).batches.map((b) => b.slice());
    await log.close();
    const reopened = await openLog(dir);
    expect(reopened.logStartOffset).toBe(37);
    expect(reopened.read(37, 1 << 30).batches).toEqual(kept);
    const hw = reopened.truncateTo(100);
    await reopened.close();
    const third = await openLog(dir);
    expect(third.highWatermark).toBe(hw);
    expect(readAll(third)).toEqual(stored.filter((b) => lastOf(b) >= 37 && baseOf(b) < hw));
    await third.close();
  });
});
