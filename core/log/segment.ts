// One segment of a partition log: a run of batches with contiguous offsets starting at
// `baseOffset`, its stored bytes and offset index (in a SegmentStore), its time index, and the
// running state the indexing rule needs. Only the last segment of a log (the active one) takes
// appends; the others are sealed and read-only until retention deletes them or a truncation
// reaches back into them.

import { assert } from '../assert.js';
import { segmentWalkFirstWindowBytes, segmentWalkWindowBytes } from '../limits.js';
import { BatchField, readInt32, readInt64 } from '../records/record_batch.js';
import { findBatchPosition } from './offset_index.js';
import type { SegmentStore } from './storage.js';
import { TimeIndex, type IndexCursor, type IndexSink } from './time_index.js';

/** Bytes of a batch header that locating and timestamp searches read. */
const headerBytes = BatchField.records;

export class Segment implements IndexCursor, IndexSink {
  readonly store: SegmentStore;
  readonly timeIndex: TimeIndex;
  /** One past the last offset stored (= baseOffset when empty). */
  nextOffset: number;
  bytesSinceIndexEntry: number;
  maxTimestamp: number;
  /**
   * When the first batch was appended, or when the segment was recovered holding batches: the
   * segment.ms roll counts from here, so an idle empty segment never rolls.
   */
  firstAppendMs: number;

  constructor(store: SegmentStore, timeIndex: TimeIndex, nextOffset: number, maxTimestamp: number, bytesSinceIndexEntry: number, firstAppendMs: number) {
    assert(nextOffset >= store.baseOffset, 'a segment ends at or after its base offset');
    this.store = store;
    this.timeIndex = timeIndex;
    this.nextOffset = nextOffset;
    this.maxTimestamp = maxTimestamp;
    this.bytesSinceIndexEntry = bytesSinceIndexEntry;
    this.firstAppendMs = firstAppendMs;
  }

  get baseOffset(): number {
    return this.store.baseOffset;
  }

  get sizeBytes(): number {
    return this.store.sizeBytes;
  }

  get isEmpty(): boolean {
    return this.store.sizeBytes === 0;
  }

  // IndexSink: the indexing rule in time_index.ts writes through these.
  offsetEntry(relativeOffset: number, position: number): void {
    this.store.offsetIndex.append(relativeOffset, position);
  }

  timeEntry(timestamp: number, relativeOffset: number): void {
    this.timeIndex.append(timestamp, relativeOffset);
  }

  get lastTimeEntryTimestamp(): number {
    return this.timeIndex.lastTimestamp;
  }

  /**
   * Byte position of the batch containing `offset`, or −1 when this segment holds no such batch.
   * Memory segments use the same pure search reader threads run; file segments walk headers
   * through windows copied from the file.
   */
  positionOf(offset: number): number {
    if (offset < this.baseOffset || offset >= this.nextOffset) return -1;
    const index = this.store.offsetIndex;
    if (this.store.bytes !== null) {
      return findBatchPosition(this.store.bytes, this.store.sizeBytes, index.entries, index.count, this.baseOffset, offset);
    }
    const entry = index.lookup(offset - this.baseOffset);
    let found = -1;
    this.walkBatches(entry < 0 ? 0 : index.positionAt(entry), (bytes, at, position) => {
      const lastOffset = readInt64(bytes, at + BatchField.baseOffset) + readInt32(bytes, at + BatchField.lastOffsetDelta);
      if (lastOffset < offset) return true;
      found = position;
      return false;
    });
    assert(found >= 0, `segment ${this.baseOffset}: no batch holds offset ${offset} below its next offset ${this.nextOffset}`);
    return found;
  }

  /**
   * Calls `visit(window, at, position)` with each batch header from `position` on, where
   * window[at, at + 61) is the header of the batch at byte `position`; stops when `visit`
   * returns false or the segment ends.
   */
  walkBatches(position: number, visit: (window: Uint8Array, at: number, position: number) => boolean): void {
    const size = this.store.sizeBytes;
    let windowBytes = segmentWalkFirstWindowBytes;
    while (position < size) {
      const window = this.store.read(position, Math.min(size - position, windowBytes));
      windowBytes = Math.min(2 * windowBytes, segmentWalkWindowBytes);
      let at = 0;
      while (at + headerBytes <= window.length) {
        if (!visit(window, at, position + at)) return;
        const total = 12 + readInt32(window, at + BatchField.batchLength);
        assert(total > headerBytes, `segment ${this.baseOffset}: stored batch at ${position + at} has length ${total}`);
        at += total;
      }
      assert(at > 0 || window.length >= headerBytes, `segment ${this.baseOffset}: a stored header at ${position} runs past the segment`);
      position += at;
    }
  }

  /**
   * The earliest batch of this segment, at or after `fromOffset`, whose maxTimestamp ≥ `timestamp`:
   * its base offset (raised to `fromOffset` when that lies inside it), or −1.
   */
  offsetForTimestamp(timestamp: number, fromOffset: number): number {
    if (this.maxTimestamp < timestamp || fromOffset >= this.nextOffset) return -1;
    const entry = this.timeIndex.lookupBefore(timestamp);
    const startOffset = Math.max(fromOffset, entry < 0 ? this.baseOffset : this.baseOffset + this.timeIndex.relativeOffsetAt(entry));
    const start = this.positionOf(Math.max(startOffset, this.baseOffset));
    if (start < 0) return -1;
    let found = -1;
    this.walkBatches(start, (bytes, at) => {
      const baseOffset = readInt64(bytes, at + BatchField.baseOffset);
      const lastOffset = baseOffset + readInt32(bytes, at + BatchField.lastOffsetDelta);
      if (lastOffset < fromOffset || readInt64(bytes, at + BatchField.maxTimestamp) < timestamp) return true;
      found = Math.max(baseOffset, fromOffset);
      return false;
    });
    return found;
  }

  /** Drops every batch from the one containing `offset` on; returns the new next offset. */
  truncateFrom(offset: number): number {
    const position = offset <= this.baseOffset ? 0 : this.positionOf(offset);
    if (position < 0) return this.nextOffset;
    let nextOffset = this.baseOffset;
    if (position > 0) {
      const header = this.store.read(position, headerBytes);
      nextOffset = readInt64(header, BatchField.baseOffset);
    }
    const index = this.store.offsetIndex;
    index.truncateToPosition(position);
    this.timeIndex.truncateToRelativeOffset(nextOffset - this.baseOffset);
    this.store.truncate(position);
    this.nextOffset = nextOffset;
    // Rebuild the running state from the kept entries and the batches after the last of them.
    const entryPosition = index.count === 0 ? 0 : index.positionAt(index.count - 1);
    this.bytesSinceIndexEntry = position - entryPosition;
    let maxTimestamp = this.timeIndex.lastTimestamp;
    const timeEntry = this.timeIndex.count - 1;
    const scanFrom = timeEntry < 0 ? 0 : this.positionOf(this.baseOffset + this.timeIndex.relativeOffsetAt(timeEntry));
    if (scanFrom >= 0) {
      this.walkBatches(scanFrom, (bytes, at) => {
        maxTimestamp = Math.max(maxTimestamp, readInt64(bytes, at + BatchField.maxTimestamp));
        return true;
      });
    }
    this.maxTimestamp = maxTimestamp;
    return nextOffset;
  }
}
