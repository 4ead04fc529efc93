// Segments as files in one partition directory, in Kafka's layout (segment_files.ts). Appends
// collect in a per-segment buffer; `writeOut` writes each segment's buffered bytes with one
// positional write (pwrite), cutting the file back if the write fails (README.md: the failure
// policy). Reads are positional (pread). `sync` writes out, fdatasyncs every segment written since
// the last sync, and fsyncs the directory after files were created or deleted. Opening recovers after a crash (kill -9 or power loss): each
// segment's tail is scanned and checked batch by batch, a torn or corrupt tail is truncated, and
// the indexes are rebuilt from the scan. Large scans run on a piscina pool (recovery_pool.ts).
//
// Runs on the thread that owns the partition. Only one FileStorage may open a directory at a time.

import { closeSync, existsSync, fdatasync, fdatasyncSync, fstatSync, fsync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assert } from '../../core/assert.js';
import { ErrorCode, LanesError } from '../../core/errors.js';
import { segmentWriteBufferBytesDefault, segmentWriteBufferBytesInitial } from '../../core/limits.js';
import { indexEntriesFor, OffsetIndex } from '../../core/log/offset_index.js';
import type { ScanStart } from '../../core/log/recovery.js';
import { usableIndexEntries } from '../../core/log/recovery.js';
import type { RecoveredLog, RecoveredSegment, SegmentStore, Storage, StorageOpenOptions } from '../../core/log/storage.js';
import { TimeIndex } from '../../core/log/time_index.js';
import type { AppendTarget } from '../../core/records/batch_kernels.js';
import { componentLogger, logger as rootLogger, type Logger } from '../logger.js';
import { RecoveryPool } from './recovery_pool.js';
import {
  decodeOffsetIndex,
  decodeTimeIndex,
  encodeOffsetIndex,
  encodeTimeIndex,
  indexSuffix,
  logStartOffsetFile,
  logSuffix,
  parseSegmentFileName,
  segmentPath,
  timeIndexSuffix,
} from './segment_files.js';
import { readFully, scanSegmentFile, type SegmentScanResult, type SegmentScanTask } from './segment_file_scan.js';

const fdatasyncAsync = promisify(fdatasync);
const fsyncAsync = promisify(fsync);

export interface RecoveryProgress {
  segmentBaseOffset: number;
  scannedBytes: number;
  totalBytes: number;
}

export interface FileStorageOptions {
  logger?: Logger;
  /**
   * The write buffer an active segment keeps at most between turns (default 1 MiB); it starts
   * small and grows as turns need, and for a turn that appends more; everything buffered is
   * written at the next writeOut (the end of the owner's turn).
   */
  writeBufferBytes?: number;
  /** Tails at least this long are scanned on the recovery pool (default 8 MiB). */
  poolScanBytesMin?: number;
  /** Worker threads of the recovery pool (created only when a scan needs it). */
  recoveryThreads?: number;
  onRecoveryProgress?: (progress: RecoveryProgress) => void;
}

export class FileSegmentStore implements SegmentStore {
  readonly baseOffset: number;
  readonly path: string;
  readonly offsetIndex: OffsetIndex;
  readonly bytes = null;
  readonly capacityBytes = Number.MAX_SAFE_INTEGER;
  readonly #storage: FileStorage;
  fd: number;
  /** Bytes written to the file. */
  #fileBytes: number;
  /** Committed bytes not written yet, [0, #buffered); grows past writeBufferBytes within a turn. */
  #buffer: Uint8Array;
  #buffered = 0;
  readonly #target: AppendTarget = { bytes: new Uint8Array(0), position: 0 };
  /** Sealed: the buffer is released once its bytes are written. */
  #sealed = false;
  /**
   * Set when a failed write could not be cut back (the file may end in a torn batch): every later
   * write or truncate throws it, and the log goes offline; recovery on the next open cuts the tail.
   */
  #broken: Error | null = null;
  /** Bumped by seal and activate, so a seal's delayed index write never outlives an activate. */
  sealGeneration = 0;

  constructor(storage: FileStorage, baseOffset: number, fd: number, fileBytes: number, offsetIndex: OffsetIndex) {
    this.#storage = storage;
    this.baseOffset = baseOffset;
    this.path = segmentPath(storage.dir, baseOffset, logSuffix);
    this.fd = fd;
    this.#fileBytes = fileBytes;
    this.offsetIndex = offsetIndex;
    this.#buffer = new Uint8Array(0);
  }

  get sizeBytes(): number {
    return this.#fileBytes + this.#buffered;
  }

  /** Bytes the write buffer holds (used or not): the storage's accounting of its memory. */
  get writeBufferCapacityBytes(): number {
    return this.#buffer.length;
  }

  /** Committed bytes not yet handed to the operating system. */
  get unwrittenBytes(): number {
    return this.#buffered;
  }

  reserve(length: number): AppendTarget {
    // Never writes: every write happens in drain(), once per turn (Storage.writeOut), so a failed
    // write never interrupts the Log in the middle of an append or a roll.
    const needed = this.#buffered + length;
    if (needed > this.#buffer.length) {
      // Sized to the need: a quiet partition keeps a small buffer, a busy one doubles up to the
      // usual size (and past it for one turn).
      const grown = new Uint8Array(Math.max(needed, 2 * this.#buffer.length, Math.min(segmentWriteBufferBytesInitial, this.#storage.writeBufferBytes)));
      grown.set(this.#buffer.subarray(0, this.#buffered));
      this.#buffer = grown;
    }
    this.#target.bytes = this.#buffer;
    this.#target.position = this.#buffered;
    return this.#target;
  }

  commit(length: number): void {
    assert(length > 0, 'commit of an empty batch');
    assert(this.#buffered + length <= this.#buffer.length, 'commit past the reserved buffer');
    this.#buffered += length;
    this.#storage.markDirty(this);
  }

  /**
   * Writes the buffered bytes to the file (page cache; `sync` makes them durable). On a failed
   * write the file is cut back to the bytes written before and the error is thrown; the buffered
   * bytes stay until the Log truncates them away.
   */
  drain(): void {
    if (this.#broken !== null) throw this.#broken;
    if (this.#buffered === 0) return;
    try {
      writeFully(this.fd, this.#buffer, this.#buffered, this.#fileBytes);
    } catch (error) {
      try {
        // A partial write may have landed: no torn batch may stay in the file.
        ftruncateSync(this.fd, this.#fileBytes);
      } catch (truncateError) {
        this.#broken = new Error(`segment ${this.path}: a write failed (${errorText(error)}) and cutting the file back failed too (${errorText(truncateError)})`, { cause: truncateError });
      }
      throw error;
    }
    this.#fileBytes += this.#buffered;
    this.#buffered = 0;
    // A turn that outgrew the usual buffer does not keep the large one; a sealed segment keeps none.
    if (this.#sealed) this.#buffer = new Uint8Array(0);
    else if (this.#buffer.length > this.#storage.writeBufferBytes) this.#buffer = new Uint8Array(this.#storage.writeBufferBytes);
  }

  read(position: number, length: number): Uint8Array {
    assert(position >= 0 && length >= 0 && position + length <= this.sizeBytes, `segment ${this.baseOffset}: read [${position}, +${length}) past ${this.sizeBytes} bytes`);
    const out = new Uint8Array(length);
    const fromFile = Math.max(0, Math.min(length, this.#fileBytes - position));
    if (fromFile > 0) {
      const read = readFully(this.fd, out, fromFile, position);
      assert(read === fromFile, `segment ${this.baseOffset}: short read at ${position} (${read} of ${fromFile})`);
    }
    if (fromFile < length) {
      const bufferStart = position + fromFile - this.#fileBytes;
      out.set(this.#buffer.subarray(bufferStart, bufferStart + length - fromFile), fromFile);
    }
    return out;
  }

  truncate(position: number): void {
    assert(position >= 0 && position <= this.sizeBytes, `segment ${this.baseOffset}: truncate to ${position} past ${this.sizeBytes}`);
    if (this.#broken !== null) throw this.#broken;
    if (position >= this.#fileBytes) {
      this.#buffered = position - this.#fileBytes;
      return;
    }
    this.#buffered = 0;
    ftruncateSync(this.fd, position);
    this.#fileBytes = position;
    this.#storage.markDirty(this);
  }

  seal(timeIndex: TimeIndex): void {
    this.#sealed = true;
    if (this.#buffered === 0) this.#buffer = new Uint8Array(0);
    this.sealGeneration++;
    this.#storage.sealLater(this, timeIndex);
  }

  activate(): void {
    this.#sealed = false;
    this.sealGeneration++;
    // Index files describe sealed segments only; an active segment's indexes live in memory and
    // are rebuilt by the recovery scan.
    this.#storage.removeIndexFiles(this.baseOffset);
  }
}

export class FileStorage implements Storage {
  readonly kind = 'file';
  readonly dir: string;
  readonly writeBufferBytes: number;
  readonly #logger: Logger;
  readonly #options: FileStorageOptions;
  #indexIntervalBytes = 0;
  #segmentBytes = 0;
  readonly #dirty = new Set<FileSegmentStore>();
  /** Every open segment, to close their descriptors on close. */
  readonly #live = new Set<FileSegmentStore>();
  #dirDirty = false;
  /** Sealed segments whose fdatasync and index write start after their bytes are written. */
  #sealQueue: PendingSeal[] = [];
  readonly #pending = new Set<Promise<unknown>>();
  #dirFd = -1;

  constructor(dir: string, options: FileStorageOptions = {}) {
    this.dir = dir;
    this.#options = options;
    this.writeBufferBytes = options.writeBufferBytes ?? segmentWriteBufferBytesDefault;
    this.#logger = componentLogger(options.logger ?? rootLogger, 'file-storage', { dir });
  }

  /** Write-buffer bytes held over every open segment of this log. */
  get writeBufferBytesHeld(): number {
    let total = 0;
    for (const segment of this.#live) total += segment.writeBufferCapacityBytes;
    return total;
  }

  async open(options: StorageOpenOptions): Promise<RecoveredLog> {
    try {
      return await this.#open(options);
    } catch (error) {
      // Out of descriptors or a damaged file: give back what this open got before failing.
      this.#closeDescriptors();
      throw error;
    }
  }

  async #open(options: StorageOpenOptions): Promise<RecoveredLog> {
    this.#indexIntervalBytes = options.indexIntervalBytes;
    this.#segmentBytes = options.segmentBytes;
    mkdirSync(this.dir, { recursive: true });
    this.#dirFd = openSync(this.dir, 'r');
    const logs = new Set<number>();
    const others: Array<{ name: string; baseOffset: number }> = [];
    for (const name of readdirSync(this.dir)) {
      const parsed = parseSegmentFileName(name);
      if (parsed === null) continue;
      if (parsed.kind === 'log') logs.add(parsed.baseOffset);
      else others.push({ name, baseOffset: parsed.baseOffset });
    }
    for (const other of others) {
      if (!logs.has(other.baseOffset)) this.#unlink(join(this.dir, other.name));
    }
    const bases = [...logs].sort((a, b) => a - b);
    const plans = bases.map((base) => this.#planScan(base));
    const results = await this.#runScans(plans);

    const segments: RecoveredSegment[] = [];
    let expected = -1;
    for (let i = 0; i < plans.length; i++) {
      const plan = plans[i];
      const result = results[i];
      if (expected >= 0 && plan.baseOffset !== expected) {
        this.#logger.warn({ segment: plan.baseOffset, expectedOffset: expected }, 'log recovery: segment does not continue the log; deleting it and every later segment');
        for (const later of plans.slice(i)) this.#deleteFiles(later.baseOffset);
        break;
      }
      segments.push(this.#recoverSegment(plan, result, i === plans.length - 1));
      expected = result.nextOffset;
    }
    if (this.#dirDirty) await this.sync();
    return { segments, logStartOffset: this.#readLogStartOffset() };
  }

  #planScan(baseOffset: number): ScanPlan {
    const path = segmentPath(this.dir, baseOffset, logSuffix);
    const fd = openSync(path, 'r+');
    const fileBytes = fstatSync(fd).size;
    closeSync(fd);
    const plan: ScanPlan = { baseOffset, path, fileBytes, offsetEntries: new Uint32Array(0), offsetCount: 0, timestamps: [], relativeOffsets: [], start: undefined, indexProblem: null };
    const indexPath = segmentPath(this.dir, baseOffset, indexSuffix);
    const timeIndexPath = segmentPath(this.dir, baseOffset, timeIndexSuffix);
    if (!existsSync(indexPath) || !existsSync(timeIndexPath)) {
      plan.indexProblem = 'no index files';
      return plan;
    }
    const entries = decodeOffsetIndex(readFileSync(indexPath));
    const times = decodeTimeIndex(readFileSync(timeIndexPath));
    const usable = entries === null ? -1 : usableIndexEntries(entries, entries.length / 2, fileBytes);
    if (entries === null || times === null || usable < 0) {
      plan.indexProblem = 'malformed index files';
      return plan;
    }
    plan.offsetEntries = entries;
    plan.offsetCount = usable;
    if (usable === 0) return plan;
    // Scan from the last usable entry; keep the time entries up to that batch. The scan checks the
    // entry itself: the batch there must have exactly the base offset the entry names.
    const lastRelative = entries[(usable - 1) * 2];
    for (let i = 0; i < times.timestamps.length && times.relativeOffsets[i] <= lastRelative; i++) {
      plan.timestamps.push(times.timestamps[i]);
      plan.relativeOffsets.push(times.relativeOffsets[i]);
    }
    const lastTimestamp = plan.timestamps.length === 0 ? -Infinity : plan.timestamps[plan.timestamps.length - 1];
    plan.start = { position: entries[(usable - 1) * 2 + 1], nextOffset: baseOffset + lastRelative, maxTimestamp: lastTimestamp, lastTimeEntryTimestamp: lastTimestamp } satisfies ScanStart;
    return plan;
  }

  async #runScans(plans: ScanPlan[]): Promise<SegmentScanResult[]> {
    const poolMin = this.#options.poolScanBytesMin ?? 8 * 1024 * 1024;
    const needsPool = plans.some((plan) => plan.fileBytes - (plan.start?.position ?? 0) >= poolMin);
    const pool = needsPool ? await RecoveryPool.start(this.#options.recoveryThreads) : null;
    try {
      return await Promise.all(
        plans.map((plan) => {
          const task: SegmentScanTask = { path: plan.path, segmentBaseOffset: plan.baseOffset, indexIntervalBytes: this.#indexIntervalBytes, start: plan.start };
          const tail = plan.fileBytes - (plan.start?.position ?? 0);
          if (pool === null || tail < poolMin) return scanSegmentFile(task);
          this.#logger.info({ segment: plan.baseOffset, bytes: tail, reason: plan.indexProblem ?? 'long unindexed tail' }, 'log recovery: scanning segment on the recovery pool');
          return pool.scan(task, (scannedBytes, totalBytes) => {
            this.#logger.info({ segment: plan.baseOffset, scannedBytes, totalBytes }, 'log recovery: progress');
            this.#options.onRecoveryProgress?.({ segmentBaseOffset: plan.baseOffset, scannedBytes, totalBytes });
          });
        }),
      );
    } finally {
      await pool?.destroy();
    }
  }

  #recoverSegment(plan: ScanPlan, result: SegmentScanResult, isLast: boolean): RecoveredSegment {
    if (result.validBytes < result.fileBytes) {
      this.#logger.warn({ segment: plan.baseOffset, truncatedBytes: result.fileBytes - result.validBytes, validBytes: result.validBytes, problem: result.problem }, 'log recovery: truncating a torn or corrupt segment tail');
    }
    const fd = openSync(plan.path, 'r+');
    if (result.validBytes < result.fileBytes) {
      ftruncateSync(fd, result.validBytes);
      // The truncation must be durable before new appends land after it.
      fdatasyncSync(fd);
    }
    const entries = plan.offsetCount + result.offsetEntries.length / 2;
    const index = new OffsetIndex(new Uint32Array(Math.max(entries + 1, indexEntriesFor(this.#segmentBytes, this.#indexIntervalBytes)) * 2));
    for (let i = 0; i < plan.offsetCount; i++) index.append(plan.offsetEntries[i * 2], plan.offsetEntries[i * 2 + 1]);
    for (let i = 0; i < result.offsetEntries.length; i += 2) index.append(result.offsetEntries[i], result.offsetEntries[i + 1]);
    const timeIndex = new TimeIndex();
    plan.timestamps.forEach((timestamp, i) => timeIndex.append(timestamp, plan.relativeOffsets[i]));
    for (let i = 0; i < result.timeEntries.length; i += 2) timeIndex.append(result.timeEntries[i], result.timeEntries[i + 1]);
    const store = new FileSegmentStore(this, plan.baseOffset, fd, result.validBytes, index);
    this.#live.add(store);
    const rebuilt = plan.indexProblem !== null || result.offsetEntries.length > 0 || result.validBytes < result.fileBytes || plan.offsetCount * 2 < plan.offsetEntries.length;
    // A sealed segment whose indexes were rebuilt gets them written back, so the next open is cheap.
    if (!isLast && rebuilt) {
      if (result.validBytes > 0 && result.maxTimestamp > timeIndex.lastTimestamp) timeIndex.append(result.maxTimestamp, result.nextOffset - 1 - plan.baseOffset);
      this.writeIndexFiles(store, timeIndex);
    }
    return { store, timeIndex, nextOffset: result.nextOffset, maxTimestamp: result.maxTimestamp, bytesSinceIndexEntry: result.bytesSinceIndexEntry };
  }

  createSegment(baseOffset: number, _capacityBytes: number, indexEntries: number): FileSegmentStore {
    const path = segmentPath(this.dir, baseOffset, logSuffix);
    let fd: number;
    try {
      // 'w+' truncates: a leftover file at this name holds offsets the log no longer has.
      fd = openSync(path, 'w+');
    } catch (error) {
      // Nothing changed yet (the Log creates a segment before it moves any state): the append
      // that needed it is refused and the next one tries again.
      throw new LanesError(ErrorCode.KAFKA_STORAGE_ERROR, `cannot create segment ${path}: ${errorText(error)}`, { cause: error });
    }
    this.removeIndexFiles(baseOffset);
    this.#dirDirty = true;
    const store = new FileSegmentStore(this, baseOffset, fd, 0, new OffsetIndex(new Uint32Array(indexEntries * 2)));
    this.#live.add(store);
    return store;
  }

  deleteSegment(segment: SegmentStore): void {
    assert(segment instanceof FileSegmentStore, 'file storage deletes only its own segments');
    this.#dirty.delete(segment);
    this.#live.delete(segment);
    this.#deleteFiles(segment.baseOffset);
    const fd = segment.fd;
    segment.fd = -1;
    // An in-flight fdatasync may still use the descriptor: close it after those finish.
    if (this.#pending.size === 0) closeSync(fd);
    else void Promise.allSettled([...this.#pending]).then(() => closeSync(fd));
  }

  markDirty(segment: FileSegmentStore): void {
    this.#dirty.add(segment);
  }

  writeOut(): void {
    // One positional write per segment with buffered bytes; a failed one stops the round (the
    // segments after it keep their bytes buffered, and the Log truncates them all away).
    for (const segment of this.#dirty) {
      if (segment.unwrittenBytes > 0) segment.drain();
    }
    // Seals wait for their bytes to be written: their fdatasync must cover the last batch.
    if (this.#sealQueue.length > 0) {
      const seals = this.#sealQueue;
      this.#sealQueue = [];
      for (const seal of seals) this.#startSeal(seal);
    }
  }

  async sync(): Promise<void> {
    // Everything written before this call is covered: buffers are written now, synchronously.
    this.writeOut();
    const fds: number[] = [];
    for (const segment of this.#dirty) fds.push(segment.fd);
    this.#dirty.clear();
    const syncDir = this.#dirDirty;
    this.#dirDirty = false;
    const work = Promise.all([...fds.map((fd) => fdatasyncAsync(fd)), syncDir ? fsyncAsync(this.#dirFd) : undefined]);
    this.#track(work);
    await work;
  }

  /** Called by a segment when it seals: once its bytes are written and durable, persist its indexes. */
  sealLater(segment: FileSegmentStore, timeIndex: TimeIndex): void {
    this.#sealQueue.push({ segment, timeIndex, generation: segment.sealGeneration });
  }

  #startSeal({ segment, timeIndex, generation }: PendingSeal): void {
    // The segment stays in #dirty: a flush after the roll must still cover its last bytes.
    const fd = segment.fd;
    if (fd < 0 || segment.sealGeneration !== generation) return;
    const work = fdatasyncAsync(fd).then(() => {
      if (segment.fd === fd && segment.sealGeneration === generation) this.writeIndexFiles(segment, timeIndex);
    });
    this.#track(work);
  }

  writeIndexFiles(segment: FileSegmentStore, timeIndex: TimeIndex): void {
    const index = segment.offsetIndex;
    const timestamps: number[] = [];
    const relativeOffsets: number[] = [];
    for (let i = 0; i < timeIndex.count; i++) {
      timestamps.push(timeIndex.timestampAt(i));
      relativeOffsets.push(timeIndex.relativeOffsetAt(i));
    }
    // Write to temporary names and rename, so a crash leaves either no index or a whole one.
    const indexPath = segmentPath(this.dir, segment.baseOffset, indexSuffix);
    const timeIndexPath = segmentPath(this.dir, segment.baseOffset, timeIndexSuffix);
    writeFileSync(indexPath + '.tmp', encodeOffsetIndex(index.entries, index.count));
    writeFileSync(timeIndexPath + '.tmp', encodeTimeIndex(timestamps, relativeOffsets));
    renameSync(indexPath + '.tmp', indexPath);
    renameSync(timeIndexPath + '.tmp', timeIndexPath);
    this.#dirDirty = true;
  }

  removeIndexFiles(baseOffset: number): void {
    this.#unlink(segmentPath(this.dir, baseOffset, indexSuffix));
    this.#unlink(segmentPath(this.dir, baseOffset, timeIndexSuffix));
  }

  saveLogStartOffset(offset: number): void {
    const path = join(this.dir, logStartOffsetFile);
    writeFileSync(path + '.tmp', `${offset}\n`);
    renameSync(path + '.tmp', path);
    this.#dirDirty = true;
  }

  #readLogStartOffset(): number | null {
    const path = join(this.dir, logStartOffsetFile);
    if (!existsSync(path)) return null;
    const value = Number(readFileSync(path, 'utf8').trim());
    if (!Number.isSafeInteger(value) || value < 0) {
      this.#logger.warn({ path }, 'log recovery: ignoring an unreadable log-start-offset file');
      return null;
    }
    return value;
  }

  async close(): Promise<void> {
    try {
      await this.#settlePending();
      await this.sync();
      // Seals the last sync started write index files: the directory fsync below covers them.
      await this.#settlePending();
      if (this.#dirDirty && this.#dirFd >= 0) await fsyncAsync(this.#dirFd);
    } finally {
      // Descriptors are released even when the last write or sync failed (the log was offline).
      await this.#settlePending();
      this.#closeDescriptors();
    }
  }

  /** Waits for every tracked fdatasync and seal, including ones started while waiting. */
  async #settlePending(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #closeDescriptors(): void {
    for (const segment of this.#live) {
      if (segment.fd >= 0) closeSync(segment.fd);
      segment.fd = -1;
    }
    this.#live.clear();
    this.#dirty.clear();
    if (this.#dirFd >= 0) closeSync(this.#dirFd);
    this.#dirFd = -1;
  }

  #deleteFiles(baseOffset: number): void {
    this.#unlink(segmentPath(this.dir, baseOffset, logSuffix));
    this.removeIndexFiles(baseOffset);
  }

  #unlink(path: string): void {
    try {
      unlinkSync(path);
      this.#dirDirty = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  #track(work: Promise<unknown>): void {
    this.#pending.add(work);
    const done = () => this.#pending.delete(work);
    work.then(done, done);
  }
}

interface PendingSeal {
  segment: FileSegmentStore;
  timeIndex: TimeIndex;
  generation: number;
}

interface ScanPlan {
  baseOffset: number;
  path: string;
  fileBytes: number;
  offsetEntries: Uint32Array;
  offsetCount: number;
  timestamps: number[];
  relativeOffsets: number[];
  start: ScanStart | undefined;
  indexProblem: string | null;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function writeFully(fd: number, bytes: Uint8Array, length: number, position: number): void {
  let done = 0;
  while (done < length) done += writeSync(fd, bytes, done, length - done, position + done);
}
