// Offset-index lookup: a binary search over the sparse index of a segment.
//
// Entries are pairs of u32 [relativeOffset, position] in native (little-endian) order, exactly
// as the host sees them through a Uint32Array, sorted by relativeOffset. Twin of
// lookupIndexEntry in core/log/offset_index.ts. Measured, it shows no reliable gain
// over JS for this search (it is memory-latency bound); it is here so the log can search an
// index that lives in the shared memory without a view, and as a measured comparison.

const entryBytes: usize = 8;

/**
 * The index of the last entry whose relativeOffset ≤ `relativeOffset` (compared unsigned), or −1
 * when the first entry is already past it or `count` is 0.
 */
export function indexLookup(entries: usize, count: u32, relativeOffset: u32): i32 {
  assert((entries & 3) == 0, 'indexLookup: entries must be 4-byte aligned');
  assert(count <= <u32>i32.MAX_VALUE, 'indexLookup: count does not fit the i32 answer');
  // Invariant: every entry below `low` is ≤ the target, every entry at or above `high` is >.
  let low: u32 = 0;
  let high: u32 = count;
  while (low < high) {
    const middle = low + ((high - low) >>> 1);
    if (load<u32>(entries + <usize>middle * entryBytes) <= relativeOffset) low = middle + 1;
    else high = middle;
  }
  assert(low <= count, 'indexLookup: the search left the array');
  return <i32>low - 1;
}
