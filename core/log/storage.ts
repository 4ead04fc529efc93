// Where a log's segments keep their bytes. The Log (log.ts) owns every decision — offsets,
// rolling, indexing, retention, truncation, group commit — and asks its Storage only to hold
// bytes, hand them back, and make them durable. Two implementations:
//
//   memory_storage.ts           fixed-capacity buffers from an injected allocator (shared memory
//                               in the broker, so reader threads can serve fetches in place)
//   actors/storage/file_storage.ts
//                               Kafka's on-disk layout, positional writes and reads, fsync,
//                               recovery after a crash
//
// Storage lives on the thread that owns the log; nothing here is thread-safe.

import type { AppendTarget } from '../records/batch_kernels.js';
import type { OffsetIndex } from './offset_index.js';
import type { TimeIndex } from './time_index.js';

/** The bytes and offset index of one segment. */
export interface SegmentStore {
  readonly baseOffset: number;
  /** Bytes of whole, validated batches held (the committed size; reads never go past it). */
  readonly sizeBytes: number;
  /** Most bytes the segment can hold (memory: its buffer; file: effectively unbounded). */
  readonly capacityBytes: number;
  readonly offsetIndex: OffsetIndex;
  /**
   * The whole fixed-capacity buffer when the bytes live in memory, so readers on other threads can
   * view them; null for file storage. Only [0, sizeBytes) holds batches.
   */
  readonly bytes: Uint8Array | null;
  /**
   * Where the next `length` bytes may be written. Nothing becomes part of the segment until
   * `commit(length)`: a batch refused after `reserve` leaves the segment as it was.
   */
  reserve(length: number): AppendTarget;
  commit(length: number): void;
  /**
   * bytes[position, position + length) of the committed bytes. Memory storage returns a view (valid
   * until the segment is deleted; callers must not write to it); file storage returns a copy.
   */
  read(position: number, length: number): Uint8Array;
  /** Drops committed bytes from `position` on (the caller has truncated the indexes). */
  truncate(position: number): void;
  /**
   * The segment takes no more appends (it was rolled, or the log closes): file storage makes its
   * bytes durable and persists its indexes. The indexes are final when this is called.
   */
  seal(timeIndex: TimeIndex): void;
  /** The segment becomes the active one again (after open, or a truncate reaching into it). */
  activate(): void;
}

/** A segment found when the storage was opened, already checked and trimmed to whole batches. */
export interface RecoveredSegment {
  store: SegmentStore;
  timeIndex: TimeIndex;
  /** One past the last offset of the segment's last batch (= baseOffset when empty). */
  nextOffset: number;
  maxTimestamp: number;
  bytesSinceIndexEntry: number;
}

export interface RecoveredLog {
  /** Oldest first, offsets contiguous from each segment to the next. */
  segments: RecoveredSegment[];
  /** The log start offset saved by deleteRecordsBefore, or null when none was saved. */
  logStartOffset: number | null;
}

export interface StorageOpenOptions {
  indexIntervalBytes: number;
  /** Capacity hint for the offset index of recovered segments. */
  segmentBytes: number;
}

export interface Storage {
  readonly kind: 'memory' | 'file';
  /** Loads (and recovers) what the storage already holds. Called once, before anything else. */
  open(options: StorageOpenOptions): Promise<RecoveredLog>;
  /** A new, empty segment whose first batch will have `baseOffset`. */
  createSegment(baseOffset: number, capacityBytes: number, indexEntries: number): SegmentStore;
  /** Removes a segment and its files; its views and index arrays must not be used afterwards. */
  deleteSegment(segment: SegmentStore): void;
  /**
   * Hands every committed byte to the operating system (file storage: one positional write per
   * segment with buffered bytes; memory storage: nothing to do). After it returns, those bytes
   * survive a crash of the process, though not of the machine: that is `sync`'s job. The Log calls
   * it before an append is acknowledged or made readable.
   *
   * When a write fails it throws, and the files hold exactly the bytes written before (a partial
   * write is cut back), so the Log can drop the unwritten batches and take appends again. When
   * even that cut fails, it throws and every later write or truncate of the segment throws too.
   */
  writeOut(): void;
  /**
   * Makes everything written before the call durable. Concurrent calls may overlap; the Log
   * shares one call among many appends (group commit).
   */
  sync(): Promise<void>;
  saveLogStartOffset(offset: number): void;
  /** Releases every resource; waits for in-flight syncs and seals. */
  close(): Promise<void>;
}
