// The sparse offset index of one segment, and the pure searches a reader needs to find where a
// fetch starts inside a segment's bytes.
//
// An entry is a pair of u32 words [relativeOffset, position]: relativeOffset = a batch's
// baseOffset − the segment's baseOffset, position = the byte position where that batch starts in
// the segment. The log adds one entry every `indexIntervalBytes` of batches (Kafka's
// index.interval.bytes), so entries are sorted by both words, strictly increasing, and the first
// batch of a segment (position 0) needs no entry.
//
//   entries: | rel₀ | pos₀ | rel₁ | pos₁ | … | rel₍count−1₎ | pos₍count−1₎ | (unused capacity) |
//
// The words are native-endian: the array may live in the shared WebAssembly.Memory, where reader
// threads and the WASM twin of `lookupIndexEntry` (wasm/assembly/offset_index.ts) read it in place.
// File storage writes it big-endian into `.index` files; that is a concern of the file format only.
//
// This module holds no state beyond the arrays it is handed: a reader thread can call
// `findBatchPosition` with views of shared memory and serve a fetch without the Log object.

import { assert } from '../assert.js';
import { BatchField, readInt32, readInt64 } from '../records/record_batch.js';

/** u32 words per entry. */
export const indexEntryWords = 2;
export const indexEntryBytes = indexEntryWords * 4;

/**
 * The index of the last entry whose relativeOffset ≤ `relativeOffset`, or −1 when there is none
 * (count is 0, or the first entry is already past the target). Binary search; entries are sorted.
 */
export function lookupIndexEntry(entries: Uint32Array, count: number, relativeOffset: number): number {
  assert(count * indexEntryWords <= entries.length, 'lookupIndexEntry: count exceeds the entries array');
  // Invariant: every entry below `low` is ≤ the target, every entry at or above `high` is >.
  let low = 0;
  let high = count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (entries[middle * indexEntryWords] <= relativeOffset) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/**
 * The byte position of the batch that contains `fetchOffset` in a segment's committed bytes, or
 * −1 when no committed batch of this segment contains it (the offset is below the segment's base
 * or at/after its last committed batch). Starts at the nearest index entry at or before the
 * target and walks batch headers forward: at most about one index interval of headers.
 *
 * Only the committed bytes are trusted: they hold whole, validated batches laid end to end.
 */
export function findBatchPosition(
  segmentBytes: Uint8Array,
  committedBytes: number,
  indexEntries: Uint32Array,
  indexCount: number,
  segmentBaseOffset: number,
  fetchOffset: number,
): number {
  assert(committedBytes <= segmentBytes.length, 'findBatchPosition: committed bytes past the segment view');
  if (fetchOffset < segmentBaseOffset) return -1;
  const relative = fetchOffset - segmentBaseOffset;
  // Relative offsets are u32; past that range the last entry is the nearest one at or before.
  const entry = lookupIndexEntry(indexEntries, indexCount, relative > 0xffff_ffff ? 0xffff_ffff : relative);
  let position = entry < 0 ? 0 : indexEntries[entry * indexEntryWords + 1];
  while (position < committedBytes) {
    assert(position + BatchField.records <= committedBytes, `findBatchPosition: a batch header at ${position} runs past the committed bytes`);
    const baseOffset = readInt64(segmentBytes, position + BatchField.baseOffset);
    const lastOffset = baseOffset + readInt32(segmentBytes, position + BatchField.lastOffsetDelta);
    assert(baseOffset <= fetchOffset, `findBatchPosition: batch at ${position} starts at ${baseOffset}, past the target ${fetchOffset}`);
    if (lastOffset >= fetchOffset) return position;
    const totalBytes = 12 + readInt32(segmentBytes, position + BatchField.batchLength);
    assert(totalBytes > BatchField.records, `findBatchPosition: batch at ${position} has length ${totalBytes}`);
    position += totalBytes;
  }
  return -1;
}

/**
 * The offset index of one segment over a fixed-capacity `Uint32Array` (from the storage's
 * allocator, possibly shared memory). Capacity is decided when the segment is created: a segment
 * of `capacityBytes` with an entry at most every `indexIntervalBytes` needs
 * `indexEntriesFor(capacityBytes, indexIntervalBytes)` entries.
 */
export class OffsetIndex {
  /** Exactly `capacity * indexEntryWords` words; entries [0, count) are valid. */
  readonly entries: Uint32Array;
  readonly capacity: number;
  #count = 0;

  constructor(entries: Uint32Array) {
    assert(entries.length % indexEntryWords === 0, 'an offset index holds whole entries');
    this.entries = entries;
    this.capacity = entries.length / indexEntryWords;
  }

  get count(): number {
    return this.#count;
  }

  append(relativeOffset: number, position: number): void {
    assert(this.#count < this.capacity, `offset index full at ${this.capacity} entries`);
    assert(relativeOffset >= 0 && relativeOffset <= 0xffff_ffff, `relative offset ${relativeOffset} does not fit u32`);
    assert(position >= 0 && position <= 0xffff_ffff, `position ${position} does not fit u32`);
    if (this.#count > 0) {
      const at = (this.#count - 1) * indexEntryWords;
      assert(relativeOffset > this.entries[at], 'offset index entries must increase by offset');
      assert(position > this.entries[at + 1], 'offset index entries must increase by position');
    }
    const at = this.#count * indexEntryWords;
    this.entries[at] = relativeOffset;
    this.entries[at + 1] = position;
    this.#count++;
  }

  relativeOffsetAt(entry: number): number {
    assert(entry >= 0 && entry < this.#count, `offset index entry ${entry} out of range`);
    return this.entries[entry * indexEntryWords];
  }

  positionAt(entry: number): number {
    assert(entry >= 0 && entry < this.#count, `offset index entry ${entry} out of range`);
    return this.entries[entry * indexEntryWords + 1];
  }

  /** Index of the last entry with relativeOffset ≤ the target, or −1. */
  lookup(relativeOffset: number): number {
    return lookupIndexEntry(this.entries, this.#count, relativeOffset);
  }

  /** Drops every entry whose position is ≥ `position` (the segment was truncated there). */
  truncateToPosition(position: number): void {
    while (this.#count > 0 && this.entries[(this.#count - 1) * indexEntryWords + 1] >= position) this.#count--;
  }

  clear(): void {
    this.#count = 0;
  }
}

/** Entries a segment of `capacityBytes` can need: one per full index interval. */
export function indexEntriesFor(capacityBytes: number, indexIntervalBytes: number): number {
  assert(indexIntervalBytes > 0, 'indexIntervalBytes must be positive');
  return Math.floor(capacityBytes / indexIntervalBytes) + 1;
}
