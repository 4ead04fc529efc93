// The offset index search and the reader's batch locator, against a linear-scan oracle.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { patchBatch } from '../../../core/records/record_batch.js';
import { findBatchPosition, lookupIndexEntry, OffsetIndex } from '../../../core/log/offset_index.js';

function linearLookup(entries: Uint32Array, count: number, target: number): number {
  let found = -1;
  for (let i = 0; i < count; i++) if (entries[i * 2] <= target) found = i;
  return found;
}

describe('lookupIndexEntry', () => {
  it('finds the last entry at or before the target', () => {
    const entries = new Uint32Array([0, 0, 10, 100, 20, 250, 0, 0]);
    expect(lookupIndexEntry(entries, 3, 0)).toBe(0);
    expect(lookupIndexEntry(entries, 3, 9)).toBe(0);
    expect(lookupIndexEntry(entries, 3, 10)).toBe(1);
    expect(lookupIndexEntry(entries, 3, 19)).toBe(1);
    expect(lookupIndexEntry(entries, 3, 1000)).toBe(2);
    expect(lookupIndexEntry(entries, 0, 1000)).toBe(-1);
    expect(lookupIndexEntry(new Uint32Array([5, 8]), 1, 4)).toBe(-1);
  });

  it('agrees with a linear scan', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 0xffff_ffff }), { maxLength: 40 }), fc.integer({ min: 0, max: 0xffff_ffff }), (offsets, target) => {
        offsets.sort((a, b) => a - b);
        const entries = new Uint32Array(offsets.length * 2 + 4);
        offsets.forEach((offset, i) => {
          entries[i * 2] = offset;
          entries[i * 2 + 1] = i * 16;
        });
        expect(lookupIndexEntry(entries, offsets.length, target)).toBe(linearLookup(entries, offsets.length, target));
        if (offsets.length > 0) expect(lookupIndexEntry(entries, offsets.length, offsets[0])).toBe(0);
      }),
    );
  });
});

describe('OffsetIndex', () => {
  it('refuses entries that do not increase and truncates by position', () => {
    const index = new OffsetIndex(new Uint32Array(8));
    index.append(3, 100);
    index.append(7, 200);
    expect(() => index.append(7, 300)).toThrow(/increase by offset/);
    expect(() => index.append(8, 200)).toThrow(/increase by position/);
    index.append(9, 300);
    index.truncateToPosition(200);
    expect(index.count).toBe(1);
    expect(index.positionAt(0)).toBe(100);
  });
});

describe('findBatchPosition', () => {
  // Segment at base 100: batches of 1, 3, 2 records → offsets 100, 101..103, 104..105.
  const counts = [1, 3, 2];
  const batches: Uint8Array[] = [];
  let offset = 100;
  for (const count of counts) {
    const batch = encodeRecordBatch(Array.from({ length: count }, (_, i) => ({ key: null, value: new Uint8Array([i]) })));
    patchBatch(batch, 0, offset, 0);
    offset += count;
    batches.push(batch);
  }
  const bytes = new Uint8Array(batches.reduce((sum, b) => sum + b.length, 0) + 50);
  const positions: number[] = [];
  let at = 0;
  for (const batch of batches) {
    positions.push(at);
    bytes.set(batch, at);
    at += batch.length;
  }
  const committed = at;

  it('finds the batch containing each offset, with and without index entries', () => {
    const withEntry = new Uint32Array([1, positions[1]]);
    for (const [entries, count] of [[new Uint32Array(0), 0], [withEntry, 1]] as const) {
      expect(findBatchPosition(bytes, committed, entries, count, 100, 100)).toBe(positions[0]);
      expect(findBatchPosition(bytes, committed, entries, count, 100, 101)).toBe(positions[1]);
      expect(findBatchPosition(bytes, committed, entries, count, 100, 103)).toBe(positions[1]);
      expect(findBatchPosition(bytes, committed, entries, count, 100, 104)).toBe(positions[2]);
      expect(findBatchPosition(bytes, committed, entries, count, 100, 105)).toBe(positions[2]);
      expect(findBatchPosition(bytes, committed, entries, count, 100, 106)).toBe(-1);
      expect(findBatchPosition(bytes, committed, entries, count, 100, 99)).toBe(-1);
    }
  });

  it('ignores bytes past the committed size', () => {
    expect(findBatchPosition(bytes, positions[2], new Uint32Array(0), 0, 100, 104)).toBe(-1);
  });
});
