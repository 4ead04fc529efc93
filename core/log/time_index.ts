// The sparse time index of one segment: (timestamp, relativeOffset) pairs that let ListOffsets
// by timestamp skip most of a segment.
//
// An entry (T, r) states: every batch of the segment up to and including the batch at relative
// offset r has maxTimestamp ≤ T. Entries are added at the same batches that receive offset-index
// entries, only when the segment's running max timestamp has grown since the last entry, and once
// more when the segment is sealed (so the last entry holds the segment's max). Hence T strictly
// increases along the entries and r increases too.
//
// To find the earliest batch with maxTimestamp ≥ ts: take the last entry with T < ts; every batch
// through its batch is too old, so a forward walk of batch headers from that batch finds the answer.
// Without such an entry the walk starts at the segment's first batch.
//
// Time-index entries live on the ordinary heap: only the shard that owns the log reads them.

import { assert } from '../assert.js';

export class TimeIndex {
  readonly #timestamps: number[] = [];
  readonly #relativeOffsets: number[] = [];

  get count(): number {
    return this.#timestamps.length;
  }

  /** The last entry's timestamp, or −Infinity when empty. */
  get lastTimestamp(): number {
    return this.#timestamps.length === 0 ? -Infinity : this.#timestamps[this.#timestamps.length - 1];
  }

  get lastRelativeOffset(): number {
    return this.#relativeOffsets.length === 0 ? -1 : this.#relativeOffsets[this.#relativeOffsets.length - 1];
  }

  timestampAt(entry: number): number {
    assert(entry >= 0 && entry < this.count, `time index entry ${entry} out of range`);
    return this.#timestamps[entry];
  }

  relativeOffsetAt(entry: number): number {
    assert(entry >= 0 && entry < this.count, `time index entry ${entry} out of range`);
    return this.#relativeOffsets[entry];
  }

  append(timestamp: number, relativeOffset: number): void {
    assert(Number.isSafeInteger(timestamp), `time index timestamp ${timestamp} is not an integer`);
    assert(timestamp > this.lastTimestamp, 'time index timestamps must increase');
    assert(relativeOffset >= this.lastRelativeOffset, 'time index offsets must not decrease');
    this.#timestamps.push(timestamp);
    this.#relativeOffsets.push(relativeOffset);
  }

  /** The last entry with timestamp < `timestamp`, or −1. */
  lookupBefore(timestamp: number): number {
    let low = 0;
    let high = this.#timestamps.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#timestamps[middle] < timestamp) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  }

  /** Drops the entries of batches at relative offsets ≥ `relativeOffset` (truncation). */
  truncateToRelativeOffset(relativeOffset: number): void {
    while (this.#relativeOffsets.length > 0 && this.#relativeOffsets[this.#relativeOffsets.length - 1] >= relativeOffset) {
      this.#relativeOffsets.pop();
      this.#timestamps.pop();
    }
  }
}

/**
 * The indexing rule, shared by the append path and the recovery scan so that both build the same
 * indexes from the same batches. Called for each batch before it is stored at `position`.
 */
export interface IndexCursor {
  /** Bytes of batches stored since the last offset-index entry (or since the segment start). */
  bytesSinceIndexEntry: number;
  /** Max timestamp over the segment's batches so far; −Infinity while it has none. */
  maxTimestamp: number;
}

export interface IndexSink {
  offsetEntry(relativeOffset: number, position: number): void;
  timeEntry(timestamp: number, relativeOffset: number): void;
  /** The last time entry's timestamp (−Infinity when none). */
  readonly lastTimeEntryTimestamp: number;
}

export function indexBatch(
  cursor: IndexCursor,
  sink: IndexSink,
  relativeOffset: number,
  position: number,
  batchBytes: number,
  batchMaxTimestamp: number,
  indexIntervalBytes: number,
): void {
  const maxTimestamp = batchMaxTimestamp > cursor.maxTimestamp ? batchMaxTimestamp : cursor.maxTimestamp;
  // Position 0 needs no entry: a search that finds none starts there anyway.
  if (position > 0 && cursor.bytesSinceIndexEntry >= indexIntervalBytes) {
    sink.offsetEntry(relativeOffset, position);
    if (maxTimestamp > sink.lastTimeEntryTimestamp) sink.timeEntry(maxTimestamp, relativeOffset);
    cursor.bytesSinceIndexEntry = 0;
  }
  cursor.bytesSinceIndexEntry += batchBytes;
  cursor.maxTimestamp = maxTimestamp;
}
