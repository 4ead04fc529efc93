// The partition log: an ordered list of segments, the last of which (the active segment) takes
// appends. It assigns offsets, validates and copies each batch through the BatchKernels, keeps the
// sparse indexes, rolls segments by size and age, enforces retention, truncates, and batches
// durability requests into shared syncs (group commit). Bytes live behind a Storage.
//
// Offsets:  logStartOffset ≤ every readable offset < highWatermark (= log end offset; one node, no
// replication, so everything appended is committed). Segment i holds [base_i, base_{i+1}).
//
// Runs on the thread that owns the partition (a shard); not thread-safe. Pure: time comes from the
// injected Clock or from the caller's `nowMs`.

import { assert } from '../assert.js';
import type { Clock } from '../clock.js';
import { ErrorCode, isLanesError, LanesError } from '../errors.js';
import { indexIntervalBytesDefault, recordBatchBytesMaxDefault, recordBatchHeaderBytes, segmentBytesDefault } from '../limits.js';
import { tsBatchKernels, type AppendTarget, type BatchKernels } from '../records/batch_kernels.js';
import { BatchField, batchTotalBytes, readInt16, readInt32, readInt64, type ValidateOptions } from '../records/record_batch.js';
import { indexEntriesFor } from './offset_index.js';
import { isValidProducerHeader, ProducerStateTable, type ProducerBatchHeader } from './producer_state.js';
import { isControlBatch, isTransactionalBatch, readMarker } from '../records/control_batch.js';
import { TransactionIndex, type AbortedTxn } from './transactions.js';
import { maxTimestampRecord, type TimestampAndOffset } from './max_timestamp.js';
import { Segment } from './segment.js';
import type { Storage } from './storage.js';
import { indexBatch, TimeIndex } from './time_index.js';

export type FlushPolicy = { kind: 'always' } | { kind: 'interval'; intervalMs: number } | { kind: 'never' };

export interface LogConfig {
  /** Roll when the active segment would exceed this many bytes (Kafka's segment.bytes). */
  segmentBytes: number;
  /** Roll a non-empty active segment this long after it was created (segment.ms); Infinity: never. */
  segmentMs: number;
  /** An offset-index entry every this many bytes (index.interval.bytes). */
  indexIntervalBytes: number;
  /** Delete old segments while the log exceeds this many bytes (retention.bytes); −1: unbounded. */
  retentionBytes: number;
  /** Delete segments whose newest record is older than this (retention.ms); −1: forever. */
  retentionMs: number;
  flush: FlushPolicy;
  /** Largest batch accepted (max.message.bytes); must not exceed segmentBytes. */
  maxBatchBytes: number;
  /** Decompresses a compressed batch's records so they can be checked (see ValidateOptions). */
  decompress?: ValidateOptions['decompress'];
  kernels: BatchKernels;
  clock: Clock;
}

export const logConfigDefaults: Omit<LogConfig, 'clock'> = {
  segmentBytes: segmentBytesDefault,
  segmentMs: 7 * 24 * 3600 * 1000,
  indexIntervalBytes: indexIntervalBytesDefault,
  retentionBytes: -1,
  retentionMs: 7 * 24 * 3600 * 1000,
  flush: { kind: 'never' },
  maxBatchBytes: recordBatchBytesMaxDefault,
  kernels: tsBatchKernels,
};

/**
 * Who appends: a producer ('client': data batches only, as Kafka refuses control batches from
 * clients) or the broker writing a transaction coordinator's marker ('coordinator': exactly one
 * transaction marker, core/records/control_batch.ts).
 */
export type AppendOrigin = 'client' | 'coordinator';

export interface AppendInfo {
  baseOffset: number;
  lastOffset: number;
  recordCount: number;
  /**
   * True when the batch was an idempotent producer's retry of a batch already stored: nothing was
   * appended, and the offsets are the stored batch's. Absent for a batch that was appended.
   */
  duplicate?: true;
}

export interface ReadResult {
  /** Whole stored batches, oldest first; views of memory segments or copies from files. */
  batches: Uint8Array[];
  highWatermark: number;
  logStartOffset: number;
}

/** One idempotent producer as DescribeProducers reports it. */
export interface ActiveProducer {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  /** The max timestamp of the producer's newest stored batch. */
  lastTimestamp: number;
}

/** What a reader thread needs to serve fetches from one in-memory segment. */
export interface SegmentView {
  baseOffset: number;
  /** The whole fixed-capacity buffer; [0, committedBytes) holds batches. */
  bytes: Uint8Array;
  committedBytes: number;
  /** The whole index array; the first indexCount entries are valid. */
  indexEntries: Uint32Array;
  indexCount: number;
}

/** The leader epoch stamped into every stored batch: one node, no elections. */
export const partitionLeaderEpoch = 0;

/**
 * Segments (newest first) whose batch headers rebuild the producer state on open and after a
 * truncation. Kafka, without a snapshot, also rebuilds from the last two segments only; a
 * producer whose batches all lie further back is unknown, and its next sequence is accepted.
 */
const producerStateSegments = 2;

/** The idempotence fields of the batch at bytes[at, …), or null when it has no producer id. */
function producerHeader(bytes: Uint8Array, at: number): ProducerBatchHeader | null {
  const producerId = readInt64(bytes, at + BatchField.producerId);
  if (producerId < 0) return null;
  return {
    producerId,
    producerEpoch: readInt16(bytes, at + BatchField.producerEpoch),
    baseSequence: readInt32(bytes, at + BatchField.baseSequence),
    lastOffsetDelta: readInt32(bytes, at + BatchField.lastOffsetDelta),
  };
}

/** The settings a topic's configs change on an open log (AlterConfigs): Log.reconfigure. */
export type LiveLogSettings = Pick<LogConfig, 'segmentBytes' | 'segmentMs' | 'retentionBytes' | 'retentionMs' | 'maxBatchBytes'>;

export class Log {
  #config: LogConfig;
  readonly #storage: Storage;
  #validateOptions: ValidateOptions;
  readonly #segments: Segment[] = [];
  #logStartOffset = 0;
  #nextOffset = 0;
  #sizeBytes = 0;
  #closed = false;
  readonly #producers = new ProducerStateTable();
  readonly #transactions = new TransactionIndex();

  // Group commit. Every change that must reach the disk bumps #writeSeq; a sync started at
  // #writeSeq = n makes every change up to n durable.
  #writeSeq = 0;
  #syncedSeq = 0;
  #inflight: { covers: number; promise: Promise<void> } | null = null;
  #next: Promise<void> | null = null;
  #lastFlushMs: number;
  /** Set when the log can no longer be trusted (a failed fsync); every later write throws it. */
  #failure: LanesError | null = null;
  /** The log end offset when the storage last took every appended byte (writeOut). */
  #writtenOffset = 0;

  private constructor(storage: Storage, config: LogConfig) {
    checkConfig(config);
    this.#config = config;
    this.#storage = storage;
    this.#validateOptions = { maxBatchBytes: config.maxBatchBytes, crc32c: config.kernels.crc32c, decompress: config.decompress };
    this.#lastFlushMs = config.clock.nowMs();
  }

  get config(): LogConfig {
    return this.#config;
  }

  /**
   * Changes settings of the open log (a topic's configs altered). Each takes effect from the
   * next decision that reads it: the size and age of the active segment at the next append (a
   * larger segment.bytes never overfills the active segment: appends also roll at its capacity),
   * retention at the next tick, max.message.bytes at the next append. Segments already written
   * keep their size. Throws RangeError, changing nothing, for settings the log cannot run with.
   */
  reconfigure(settings: LiveLogSettings): void {
    const next: LogConfig = { ...this.#config, ...settings };
    checkConfig(next);
    this.#config = next;
    this.#validateOptions = { ...this.#validateOptions, maxBatchBytes: next.maxBatchBytes };
  }

  /** Opens a log over `storage`, recovering what it holds. */
  static async open(storage: Storage, config: Partial<LogConfig> & { clock: Clock }): Promise<Log> {
    const log = new Log(storage, { ...logConfigDefaults, ...config });
    await log.#load();
    return log;
  }

  async #load(): Promise<void> {
    const recovered = await this.#storage.open({ indexIntervalBytes: this.config.indexIntervalBytes, segmentBytes: this.config.segmentBytes });
    const nowMs = this.config.clock.nowMs();
    for (const found of recovered.segments) {
      const previous = this.#segments.at(-1);
      if (previous !== undefined) assert(previous.nextOffset === found.store.baseOffset, `recovered segment ${found.store.baseOffset} does not continue ${previous.nextOffset}`);
      this.#segments.push(new Segment(found.store, found.timeIndex, found.nextOffset, found.maxTimestamp, found.bytesSinceIndexEntry, nowMs));
      this.#sizeBytes += found.store.sizeBytes;
    }
    if (this.#segments.length === 0) {
      this.#segments.push(this.#createSegment(recovered.logStartOffset ?? 0, this.config.segmentBytes));
    } else {
      this.#active.store.activate();
    }
    this.#nextOffset = this.#active.nextOffset;
    this.#writtenOffset = this.#nextOffset;
    const firstBase = this.#segments[0].baseOffset;
    this.#logStartOffset = Math.min(Math.max(recovered.logStartOffset ?? firstBase, firstBase), this.#nextOffset);
    this.#rebuildProducerState();
  }

  /**
   * Replays stored batch headers into a fresh producer state (the idempotent batches and markers
   * of the newest segments) and transaction index (every segment: an open transaction or an
   * aborted one may start in any of them). The log is the only record of both, so nothing can
   * disagree with it after a crash; the price is one pass over the log's headers on open, and
   * markers are read whole (one record each).
   */
  #rebuildProducerState(): void {
    this.#producers.clear();
    this.#transactions.clear();
    const producerSegmentsFrom = this.#segments.length - producerStateSegments;
    this.#segments.forEach((segment, index) => {
      const producers = index >= producerSegmentsFrom;
      segment.walkBatches(0, (window, at, position) => {
        const baseOffset = readInt64(window, at + BatchField.baseOffset);
        if (isControlBatch(window, at)) {
          const marker = storedMarker(segment, position, batchTotalBytes(window, at));
          if (marker !== null) {
            if (producers) this.#producers.onMarker(marker, baseOffset);
            this.#transactions.onMarker(marker.producerId, marker.committed, baseOffset);
          }
          return true;
        }
        const header = producerHeader(window, at);
        if (header === null || !isValidProducerHeader(header)) return true;
        if (producers) this.#producers.onAppend(header, baseOffset);
        if (isTransactionalBatch(window, at)) this.#transactions.onData(header.producerId, baseOffset);
        return true;
      });
    });
    this.#producers.removeBefore(this.#logStartOffset);
    this.#transactions.removeBefore(this.#logStartOffset);
  }

  /** The transactions open and aborted in this log (tests and diagnostics). */
  get transactions(): TransactionIndex {
    return this.#transactions;
  }

  /**
   * The last stable offset: below it every transaction is decided (committed or aborted), so a
   * read_committed reader may read up to it. The high watermark when no transaction is open.
   */
  get lastStableOffset(): number {
    return this.#transactions.lastStableOffset(this.#logStartOffset, this.#nextOffset);
  }

  /** The marker offset of the newest aborted transaction, or −1 (readers skip asking below it). */
  get lastAbortedOffset(): number {
    return this.#transactions.lastAbortedOffset;
  }

  /** The aborted transactions with data in [fromOffset, toOffset] (Fetch read_committed). */
  abortedTransactions(fromOffset: number, toOffset: number): AbortedTxn[] {
    this.#checkOpen();
    return this.#transactions.abortedBetween(fromOffset, toOffset);
  }

  /** The idempotent producers this log remembers (tests and diagnostics). */
  get producerState(): ProducerStateTable {
    return this.#producers;
  }

  /**
   * The idempotent producers this log remembers, with their newest batch's sequence and max
   * timestamp (read from its stored header: the producer state keeps offsets, not timestamps).
   */
  activeProducers(): ActiveProducer[] {
    this.#checkOpen();
    const producers: ActiveProducer[] = [];
    for (const { producerId, epoch, batch } of this.#producers.latestBatches()) {
      const segment = this.#segments[this.#segmentIndexOf(batch.baseOffset)];
      const position = segment.positionOf(batch.baseOffset);
      // The producer state holds stored batches only, none wholly below the log start.
      assert(position >= 0, `producer ${producerId}'s batch at ${batch.baseOffset} is not in the log`);
      const header = segment.store.read(position, recordBatchHeaderBytes);
      producers.push({ producerId, producerEpoch: epoch, lastSequence: batch.lastSequence, lastTimestamp: readInt64(header, BatchField.maxTimestamp) });
    }
    return producers;
  }

  get logStartOffset(): number {
    return this.#logStartOffset;
  }

  /** The log end offset: the offset the next appended record gets. */
  get highWatermark(): number {
    return this.#nextOffset;
  }

  get sizeBytes(): number {
    return this.#sizeBytes;
  }

  get segmentCount(): number {
    return this.#segments.length;
  }

  /**
   * Why the log is offline (a failed fsync, or a failed write it could not undo), or null. An
   * offline log refuses appends and flushes until it is reopened.
   */
  get failure(): LanesError | null {
    return this.#failure;
  }

  /** Offsets appended but not yet handed to the storage (writeOut). */
  get unwrittenOffsets(): number {
    return this.#nextOffset - this.#writtenOffset;
  }

  get flushBeforeAck(): boolean {
    return this.config.flush.kind === 'always';
  }

  get #active(): Segment {
    return this.#segments[this.#segments.length - 1];
  }

  /**
   * Validates the batch in batch[start, end), stores it with baseOffset = the log end offset and
   * partitionLeaderEpoch 0, and returns its offsets. Throws a LanesError with Kafka's code when the
   * batch is refused, leaving the log exactly as it was. The batch is not in the storage's files
   * yet: the caller acknowledges it, and lets anyone read it, only after `writeOut()` (at any acks
   * level), and with flush 'always' after `await flush()`.
   *
   * Checks run in Kafka's order, each on values the previous one vouched for: the frame, CRC and
   * header fields (record count, lastOffsetDelta; the kernels), then an idempotent producer's
   * batch (producerId ≥ 0) against the producer state (producer_state.ts). A retry of one of its
   * last five batches is not appended and answers the stored offsets (`duplicate`); a sequence
   * gap or a stale epoch throws. The batch is validated into space reserved past the committed
   * bytes (or a scratch buffer when it must roll), so a refused or duplicate batch leaves nothing.
   *
   * Transactions (transactions.ts): a client's control batch is INVALID_RECORD, a transactional
   * batch needs a producer id (INVALID_RECORD), and a producer with a transaction open here may
   * not append outside it (INVALID_TXN_STATE, as Kafka). Origin 'coordinator' appends exactly one
   * transaction marker, checked against the producer's epochs (producer_state.ts: 47, 52); it
   * closes the producer's open transaction, recording it as aborted for an ABORT marker.
   */
  append(batch: Uint8Array, start = 0, end = batch.length, origin: AppendOrigin = 'client'): AppendInfo {
    this.#checkUsable();
    assert(start >= 0 && start <= end && end <= batch.length, `append range [${start}, ${end}) outside ${batch.length} bytes`);
    const length = end - start;
    const baseOffset = this.#nextOffset;
    const active = this.#active;
    const rolls = this.#mustRoll(active, length);
    // Validate before rolling, so a refused batch never leaves a new empty segment behind. A batch
    // shorter than a header (refused by validation) goes to scratch too: the active segment may
    // lack room for even those few bytes.
    const scratch = rolls || length < recordBatchHeaderBytes;
    const target: AppendTarget = scratch ? { bytes: new Uint8Array(Math.max(length, 0)), position: 0 } : active.store.reserve(length);
    const recordCount = this.config.kernels.validateAndCopy(batch, start, end, target, baseOffset, partitionLeaderEpoch, this.#validateOptions);
    // Validated: magic 2, a whole header, lastOffsetDelta = recordCount − 1 ≥ 0.
    assert(length >= recordBatchHeaderBytes, 'validation refuses a batch shorter than its header');
    // The header's timestamps index the batch (time_index.ts) and are read back as numbers: a
    // value past ±(2^53 − 1) would reach that index's assert and take the partition offline. No
    // clock gets there (2^53 ms is 285,000 years), so such a batch is refused, as Kafka refuses
    // timestamps it cannot accept.
    const unsafeTimestamp = timestampProblem(batch, start);
    if (unsafeTimestamp !== null) throw new LanesError(ErrorCode.INVALID_TIMESTAMP, unsafeTimestamp);
    const control = isControlBatch(batch, start);
    if (control !== (origin === 'coordinator')) {
      throw new LanesError(ErrorCode.INVALID_RECORD, control ? 'clients may not write control batches' : 'a transaction marker must be one control batch');
    }
    if (control) {
      const marker = readMarker(batch, start, length);
      this.#producers.checkMarker(marker);
      const info = this.#store(rolls, active, target, length, recordCount);
      this.#producers.onMarker(marker, info.baseOffset);
      this.#transactions.onMarker(marker.producerId, marker.committed, info.baseOffset);
      return info;
    }
    const producer = producerHeader(batch, start);
    const transactional = isTransactionalBatch(batch, start);
    if (transactional && producer === null) throw new LanesError(ErrorCode.INVALID_RECORD, 'a transactional batch needs a producer id');
    if (producer !== null) {
      const stored = this.#producers.check(producer);
      if (stored !== null) {
        return { baseOffset: stored.baseOffset, lastOffset: stored.lastOffset, recordCount: stored.lastOffset - stored.baseOffset + 1, duplicate: true };
      }
      if (!transactional && this.#transactions.openFirstOffset(producer.producerId) >= 0) {
        throw new LanesError(ErrorCode.INVALID_TXN_STATE, `producer ${producer.producerId} has a transaction open in this partition; it cannot append outside it`);
      }
    }
    const info = this.#store(rolls, active, target, length, recordCount);
    if (producer !== null) this.#producers.onAppend(producer, info.baseOffset);
    if (transactional) this.#transactions.onData(producer!.producerId, info.baseOffset);
    return info;
  }

  /** Commits a validated batch from `target` (rolling first when it must). */
  #store(rolls: boolean, active: Segment, target: AppendTarget, length: number, recordCount: number): AppendInfo {
    let info: AppendInfo;
    if (rolls) {
      const rolled = this.#roll(length);
      const reserved = rolled.store.reserve(length);
      reserved.bytes.set(target.bytes, reserved.position);
      info = this.#commit(rolled, reserved, length, recordCount);
    } else {
      info = this.#commit(active, target, length, recordCount);
    }
    return info;
  }

  #mustRoll(active: Segment, length: number): boolean {
    if (length < recordBatchHeaderBytes) return false; // refused by validation; never rolls
    if (active.isEmpty) return length > active.store.capacityBytes;
    if (active.sizeBytes + length > this.config.segmentBytes) return true;
    if (active.sizeBytes + length > active.store.capacityBytes) return true;
    return this.config.clock.nowMs() - active.firstAppendMs >= this.config.segmentMs;
  }

  #commit(segment: Segment, target: AppendTarget, length: number, recordCount: number): AppendInfo {
    const bytes = target.bytes;
    const at = target.position;
    // The kernels checked the batch; these asserts pair with that check on what was copied.
    assert(batchTotalBytes(bytes, at) === length, 'stored batch length differs from the validated one');
    const baseOffset = readInt64(bytes, at + BatchField.baseOffset);
    assert(baseOffset === this.#nextOffset, `stored batch has base offset ${baseOffset}, expected ${this.#nextOffset}`);
    const lastOffsetDelta = readInt32(bytes, at + BatchField.lastOffsetDelta);
    assert(lastOffsetDelta === recordCount - 1, 'validated batch has lastOffsetDelta ≠ recordCount − 1');
    const maxTimestamp = readInt64(bytes, at + BatchField.maxTimestamp);
    if (segment.isEmpty) segment.firstAppendMs = this.config.clock.nowMs();
    indexBatch(segment, segment, baseOffset - segment.baseOffset, segment.sizeBytes, length, maxTimestamp, this.config.indexIntervalBytes);
    segment.store.commit(length);
    const lastOffset = baseOffset + lastOffsetDelta;
    segment.nextOffset = lastOffset + 1;
    this.#nextOffset = lastOffset + 1;
    this.#sizeBytes += length;
    this.#writeSeq++;
    return { baseOffset, lastOffset, recordCount };
  }

  #createSegment(baseOffset: number, capacityBytes: number): Segment {
    const store = this.#storage.createSegment(baseOffset, capacityBytes, indexEntriesFor(capacityBytes, this.config.indexIntervalBytes));
    return new Segment(store, new TimeIndex(), baseOffset, -Infinity, 0, this.config.clock.nowMs());
  }

  /** Seals the active segment and starts a new one at the log end offset (replacing an empty one). */
  #roll(length: number): Segment {
    const old = this.#active;
    const created = this.#createSegment(this.#nextOffset, Math.max(this.config.segmentBytes, length));
    if (old.isEmpty) {
      this.#segments.pop();
      this.#storage.deleteSegment(old.store);
    } else {
      sealSegment(old);
    }
    this.#segments.push(created);
    this.#writeSeq++;
    return created;
  }

  /**
   * Seals the active segment and starts a new one at the log end offset; nothing happens when the
   * active segment is empty. The offsets-log compaction (actors/shard/group_actor.ts) rolls so
   * that its snapshot starts a segment and everything before it can be deleted whole.
   */
  roll(): void {
    this.#checkUsable();
    if (!this.#active.isEmpty) this.#roll(0);
  }

  /**
   * Whole batches from the one containing `fetchOffset`: at least one batch even when it alone
   * exceeds `maxBytes` (KIP-74), then as many as fit within `maxBytes`.
   */
  read(fetchOffset: number, maxBytes: number): ReadResult {
    this.#checkOpen();
    const result: ReadResult = { batches: [], highWatermark: this.#nextOffset, logStartOffset: this.#logStartOffset };
    if (fetchOffset < this.#logStartOffset || fetchOffset > this.#nextOffset) {
      throw new LanesError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${fetchOffset} is outside [${this.#logStartOffset}, ${this.#nextOffset}]`);
    }
    if (fetchOffset === this.#nextOffset) return result;
    let segmentIndex = this.#segmentIndexOf(fetchOffset);
    let position = this.#segments[segmentIndex].positionOf(fetchOffset);
    assert(position >= 0, `offset ${fetchOffset} is below the log end offset but in no batch`);
    let total = 0;
    for (; segmentIndex < this.#segments.length; segmentIndex++, position = 0) {
      const store = this.#segments[segmentIndex].store;
      while (position < store.sizeBytes) {
        const room = maxBytes - total;
        if (result.batches.length > 0 && room < recordBatchHeaderBytes) return result;
        // One read per window: a view for memory segments, one positional read for files. Batches
        // never straddle a segment's end, so a partial batch at the window's end exceeds maxBytes.
        const window = store.read(position, Math.min(store.sizeBytes - position, Math.max(room, recordBatchHeaderBytes)));
        let at = 0;
        while (at + recordBatchHeaderBytes <= window.length) {
          const size = batchTotalBytes(window, at);
          assert(size > recordBatchHeaderBytes, `stored batch at ${position + at} has length ${size}`);
          if (at + size > window.length) break;
          result.batches.push(window.subarray(at, at + size));
          total += size;
          at += size;
        }
        if (at === 0) {
          // Only the first batch of a read may exceed maxBytes (KIP-74).
          if (result.batches.length > 0) return result;
          const size = batchTotalBytes(window, 0);
          result.batches.push(store.read(position, size));
          total += size;
          at = size;
        } else if (at < window.length) {
          return result;
        }
        position += at;
      }
    }
    return result;
  }

  /** Index of the segment whose offsets include `offset` (offset in [its base, HW)). */
  #segmentIndexOf(offset: number): number {
    let low = 0;
    let high = this.#segments.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.#segments[middle].baseOffset <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /**
   * ListOffsets by timestamp: the earliest offset ≥ logStartOffset whose batch has maxTimestamp ≥
   * `timestampMs`, or null when no batch is that recent.
   */
  offsetForTimestamp(timestampMs: number): number | null {
    this.#checkOpen();
    for (const segment of this.#segments) {
      if (segment.nextOffset <= this.#logStartOffset) continue;
      const offset = segment.offsetForTimestamp(timestampMs, this.#logStartOffset);
      if (offset >= 0) return offset;
    }
    return null;
  }

  /**
   * ListOffsets −3 (MAX_TIMESTAMP): the first record at or after the log start offset with the
   * largest timestamp, or null when the log holds no record (max_timestamp.ts).
   */
  maxTimestampRecord(): TimestampAndOffset | null {
    this.#checkOpen();
    return maxTimestampRecord(this.#segments, this.#logStartOffset, this.config.decompress);
  }

  /**
   * Deletes whole non-active segments past retention: by time (the segment's newest batch older
   * than retentionMs) and by size (while the log without its oldest segment is still at least
   * retentionBytes). Returns how many segments were deleted.
   */
  enforceRetention(nowMs: number): number {
    this.#checkUsable();
    let deleted = 0;
    const { retentionMs, retentionBytes } = this.config;
    while (this.#segments.length > 1) {
      const oldest = this.#segments[0];
      const expired = retentionMs >= 0 && nowMs - oldest.maxTimestamp > retentionMs;
      const oversize = retentionBytes >= 0 && this.#sizeBytes - oldest.sizeBytes >= retentionBytes;
      if (!expired && !oversize) break;
      this.#deleteOldest();
      deleted++;
    }
    if (deleted > 0) {
      this.#producers.removeBefore(this.#logStartOffset);
      this.#transactions.removeBefore(this.#logStartOffset);
    }
    return deleted;
  }

  #deleteOldest(): void {
    assert(this.#segments.length > 1, 'the active segment is never deleted from the front');
    const oldest = this.#segments.shift()!;
    this.#sizeBytes -= oldest.sizeBytes;
    this.#storage.deleteSegment(oldest.store);
    this.#logStartOffset = Math.max(this.#logStartOffset, this.#segments[0].baseOffset);
    this.#writeSeq++;
  }

  /**
   * DeleteRecords: makes `offset` the log start offset (never moving it back), and deletes the
   * segments that then hold no readable offset. OFFSET_OUT_OF_RANGE past the high watermark.
   */
  deleteRecordsBefore(offset: number): void {
    this.#checkUsable();
    if (offset > this.#nextOffset || offset < 0) {
      throw new LanesError(ErrorCode.OFFSET_OUT_OF_RANGE, `cannot delete records before ${offset}: the log ends at ${this.#nextOffset}`);
    }
    if (offset <= this.#logStartOffset) return;
    this.#logStartOffset = offset;
    if (this.#active.nextOffset <= offset && !this.#active.isEmpty) this.#roll(0);
    while (this.#segments.length > 1 && this.#segments[0].nextOffset <= offset) this.#deleteOldest();
    assert(this.#logStartOffset === offset, 'deleting segments below the log start offset moved it');
    this.#producers.removeBefore(offset);
    this.#transactions.removeBefore(offset);
    this.#storage.saveLogStartOffset(offset);
    this.#writeSeq++;
  }

  /**
   * Removes every batch that holds an offset ≥ `offset` — the batch containing `offset` goes
   * whole — so the high watermark becomes `offset` or the base of that batch. Returns the new high
   * watermark. OFFSET_OUT_OF_RANGE outside [logStartOffset, highWatermark].
   */
  truncateTo(offset: number): number {
    this.#checkUsable();
    if (offset < this.#logStartOffset || offset > this.#nextOffset) {
      throw new LanesError(ErrorCode.OFFSET_OUT_OF_RANGE, `cannot truncate to ${offset}: outside [${this.#logStartOffset}, ${this.#nextOffset}]`);
    }
    if (offset === this.#nextOffset) return offset;
    while (this.#segments.length > 1 && this.#active.baseOffset >= offset) {
      const removed = this.#segments.pop()!;
      this.#sizeBytes -= removed.sizeBytes;
      this.#storage.deleteSegment(removed.store);
    }
    const active = this.#active;
    const sizeBefore = active.sizeBytes;
    this.#nextOffset = active.truncateFrom(offset);
    this.#sizeBytes -= sizeBefore - active.sizeBytes;
    active.store.activate();
    if (this.#nextOffset < this.#logStartOffset) {
      // The batch holding the log start went whole: the start moves back with the end, and the
      // saved start must follow, or a reopen would put it past the records appended next.
      this.#logStartOffset = this.#nextOffset;
      this.#storage.saveLogStartOffset(this.#logStartOffset);
    }
    this.#writeSeq++;
    this.#writtenOffset = Math.min(this.#writtenOffset, this.#nextOffset);
    // The removed batches may have been some producers' latest: forget and replay what remains.
    this.#rebuildProducerState();
    return this.#nextOffset;
  }

  /**
   * Makes every append before the call durable. Concurrent callers share one storage sync; a
   * caller whose appends came after the in-flight sync started waits for the next one, which all
   * such callers share.
   */
  flush(): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    try {
      this.writeOut();
    } catch (error) {
      return Promise.reject(error);
    }
    const target = this.#writeSeq;
    if (this.#syncedSeq >= target) return Promise.resolve();
    const inflight = this.#inflight;
    if (inflight === null) return this.#startSync();
    if (inflight.covers >= target) return inflight.promise;
    if (this.#next === null) {
      const next = inflight.promise.then(
        () => {
          this.#next = null;
          return this.#startSync();
        },
        (error: unknown) => {
          this.#next = null;
          throw error;
        },
      );
      this.#next = next;
    }
    return this.#next;
  }

  #startSync(): Promise<void> {
    assert(this.#inflight === null, 'one storage sync at a time');
    const covers = this.#writeSeq;
    const promise = this.#storage.sync().then(
      () => {
        this.#inflight = null;
        this.#syncedSeq = Math.max(this.#syncedSeq, covers);
      },
      (error: unknown) => {
        // A failed fsync leaves the page cache in an unknown state (fsyncgate): the kernel may
        // have dropped the dirty pages and a retried fsync would then succeed without them. Stop
        // taking writes rather than acknowledge bytes that may never reach the disk; reopening
        // the log (a restart) recovers from what the files really hold.
        this.#inflight = null;
        this.#failure ??= new LanesError(ErrorCode.KAFKA_STORAGE_ERROR, `fsync failed (${errorText(error)}); the log is offline until it is reopened`, { cause: error });
        throw this.#failure;
      },
    );
    this.#inflight = { covers, promise };
    return promise;
  }

  /**
   * Hands the batches appended since the last call to the storage, so they survive a crash of the
   * process (Storage.writeOut): one write per segment that took appends, however many batches.
   * The owner calls it before it acknowledges an append, at any acks level, and before it lets
   * anyone read one (the high watermark it publishes); flush() calls it first.
   *
   * A failed write drops the unwritten batches — the log ends where its files do again, and the
   * producer state rewinds with it — and throws KAFKA_STORAGE_ERROR; the log stays usable and the
   * next append tries again (a full disk heals when space is freed). When the log cannot be cut
   * back to its files, it goes offline (`failure`) and throws that.
   */
  writeOut(): void {
    this.#checkUsable();
    try {
      this.#storage.writeOut();
    } catch (error) {
      const unwritten = this.#nextOffset - this.#writtenOffset;
      try {
        this.truncateTo(this.#writtenOffset);
      } catch (rollbackError) {
        this.#failure = new LanesError(
          ErrorCode.KAFKA_STORAGE_ERROR,
          `a write failed (${errorText(error)}) and the log could not be cut back to its files (${errorText(rollbackError)}); the log is offline until it is reopened`,
          { cause: error },
        );
        throw this.#failure;
      }
      throw new LanesError(ErrorCode.KAFKA_STORAGE_ERROR, `write failed, ${unwritten} record${unwritten === 1 ? '' : 's'} not stored: ${errorText(error)}`, { cause: error });
    }
    this.#writtenOffset = this.#nextOffset;
  }

  /** For the interval policy: starts a flush when one is due at `nowMs`; null when none is. */
  flushDue(nowMs: number): Promise<void> | null {
    const policy = this.config.flush;
    if (policy.kind !== 'interval' || this.#syncedSeq >= this.#writeSeq) return null;
    if (nowMs - this.#lastFlushMs < policy.intervalMs) return null;
    this.#lastFlushMs = nowMs;
    return this.flush();
  }

  /**
   * Whether tick() has anything to look at: a segment besides the active one (retention never
   * deletes the active segment, so a one-segment log has nothing to delete however old), an
   * interval flush still owed, or a failure the next tick reports. A log that says false stays
   * false until its next write or reconfigure, so its owner may stop ticking it until then: a
   * shard with thousands of quiet partitions then visits none of them.
   */
  get needsTick(): boolean {
    if (this.#failure !== null) return true;
    if (this.#closed) return false;
    return this.#segments.length > 1 || (this.config.flush.kind === 'interval' && this.#syncedSeq < this.#writeSeq);
  }

  /** Periodic work of the owner's timer: retention and interval flushes. */
  tick(nowMs: number): Promise<void> | null {
    this.enforceRetention(nowMs);
    return this.flushDue(nowMs);
  }

  /** The in-memory segments' views for reader threads, oldest first; empty for file storage. */
  segmentViews(): SegmentView[] {
    const views: SegmentView[] = [];
    for (const segment of this.#segments) {
      const store = segment.store;
      if (store.bytes === null) continue;
      views.push({ baseOffset: store.baseOffset, bytes: store.bytes, committedBytes: store.sizeBytes, indexEntries: store.offsetIndex.entries, indexCount: store.offsetIndex.count });
    }
    return views;
  }

  /** Flushes, persists the active segment's indexes, and releases the storage. */
  async close(): Promise<void> {
    if (this.#closed) return;
    let flushError: unknown = null;
    if (this.#failure === null) await this.flush().catch((error: unknown) => (flushError = error));
    this.#closed = true;
    try {
      if (this.#failure === null && flushError === null) sealSegment(this.#active);
    } finally {
      // The storage releases its files even when the last flush failed.
      await this.#storage.close();
    }
    if (flushError !== null) throw flushError;
  }

  #checkOpen(): void {
    assert(!this.#closed, 'the log is closed');
  }

  #checkUsable(): void {
    this.#checkOpen();
    if (this.#failure !== null) throw this.#failure;
  }
}

/** The marker of the stored control batch at `position`, or null when it is not a well-formed one (skipped on replay). */
function storedMarker(segment: Segment, position: number, length: number): ReturnType<typeof readMarker> | null {
  try {
    return readMarker(segment.store.read(position, length), 0, length);
  } catch (error) {
    if (isLanesError(error)) return null;
    throw error;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Records the segment's max timestamp as a last time entry, then lets the storage persist. */
function sealSegment(segment: Segment): void {
  if (!segment.isEmpty && segment.maxTimestamp > segment.timeIndex.lastTimestamp) {
    // The last batch: every batch of the segment has maxTimestamp ≤ the segment's max.
    const header = segment.store.read(lastBatchPosition(segment), recordBatchHeaderBytes);
    segment.timeIndex.append(segment.maxTimestamp, readInt64(header, BatchField.baseOffset) - segment.baseOffset);
  }
  segment.store.seal(segment.timeIndex);
}

function lastBatchPosition(segment: Segment): number {
  const index = segment.store.offsetIndex;
  let last = -1;
  segment.walkBatches(index.count === 0 ? 0 : index.positionAt(index.count - 1), (_window, _at, position) => {
    last = position;
    return true;
  });
  assert(last >= 0, `segment ${segment.baseOffset} is not empty but has no batch`);
  return last;
}

function checkConfig(config: LogConfig): void {
  const positive = (name: keyof LogConfig, value: number) => {
    if (!(value > 0)) throw new RangeError(`log config ${name} must be positive, got ${value}`);
  };
  positive('segmentBytes', config.segmentBytes);
  positive('segmentMs', config.segmentMs);
  positive('indexIntervalBytes', config.indexIntervalBytes);
  positive('maxBatchBytes', config.maxBatchBytes);
  if (config.segmentBytes > 0x7fff_ffff) throw new RangeError(`log config segmentBytes must be below 2 GiB (u32 index positions), got ${config.segmentBytes}`);
  if (config.maxBatchBytes > config.segmentBytes) throw new RangeError(`log config maxBatchBytes ${config.maxBatchBytes} exceeds segmentBytes ${config.segmentBytes}`);
  if (config.flush.kind === 'interval') positive('flush' as keyof LogConfig, config.flush.intervalMs);
}

/** Why a validated batch's baseTimestamp or maxTimestamp cannot be stored, or null. */
function timestampProblem(batch: Uint8Array, start: number): string | null {
  for (const [field, at] of [['baseTimestamp', BatchField.baseTimestamp], ['maxTimestamp', BatchField.maxTimestamp]] as const) {
    const value = readInt64(batch, start + at);
    if (!Number.isSafeInteger(value)) return `the batch's ${field} ${value} is beyond ±(2^53 − 1) ms`;
  }
  return null;
}
