// CRC-32C (Castagnoli), slicing-by-8 over three interleaved streams: the checksum of RecordBatch v2.
//
// The tables live in host-owned memory (crc32cTableBytes = 12 KiB at `table`, 4-byte aligned),
// filled once by crc32cInit on the main thread and then only read, by every shard's instance. They
// are not a static of this module: each instantiation on the shared memory would re-apply its data
// segment (AssemblyScript does this on every instantiation), and a computed static would need a mutable global per
// instance.
//
// Layout, u32 little-endian:
//   [0, 8 KiB)      slicing tables: table[k * 256 + b] is the CRC of byte b followed by k zero bytes.
//                   The TS twin in core/records/crc32c.ts builds the same 8 tables; the property
//                   tests compare both.
//   [8, 12 KiB)     the stream-shift tables: shift[k * 256 + b] = (b << 8k) · x^(8·streamBytes) mod P
//                   (reflected), i.e. the register after feeding streamBytes zero bytes to a
//                   register holding b << 8k. Linear in the register, so 4 lookups shift any value.
//
// Why three streams. One slicing-by-8 step is a chain: register → 4 table loads → XORs → register,
// ~12 cycles per 8 bytes on this machine's cores, while the loads themselves need only ~4–5 cycles
// of load ports. So the loop was latency-bound at ~1.8 GB/s. The blocked loop below runs three
// independent registers over three adjacent streams of streamBytes each, so the chains overlap,
// then joins them (crc(A‖B‖C) from the three registers) with two shifts: 8 lookups per block of
// 3 × streamBytes. The result is exactly the CRC of the bytes in order.
//
// crc32cCopy is the same loop storing each 8-byte word it loads to a target: the append's copy
// and its CRC in one read of the (cache-cold, freshly written by another core) source.

const polynomialReflected: u32 = 0x82f63b78;

/** CRC-32C of the single byte 0x01, i.e. table[1]: a cheap check that the tables were filled. */
const tableEntryOne: u32 = 0xf26b8303;

/** Bytes per stream in one block of the three-stream loop (a multiple of 8). */
const streamBytes: usize = 256;
const blockBytes: usize = 3 * streamBytes;
/** Byte offset of the stream-shift tables from `table`. */
const shiftTablesOffset: usize = 8 << 10;
/** Bytes the host reserves at `table`; wasm/kernels.ts's crc32cTableBytes must equal it. */
export const crc32cTableBytes: usize = shiftTablesOffset + (4 << 10);

// @ts-ignore: decorator
@inline
function entry(table: usize, slice: u32, byte: u32): u32 {
  return load<u32>(table + ((<usize>slice << 10) | (<usize>byte << 2)));
}

/**
 * One slicing-by-8 step on the raw (not inverted) register: 8 bytes, read as one little-endian u64
 * (its low byte is the first of the 8, as slicing-by-8 needs).
 */
// @ts-ignore: decorator
@inline
function step8(table: usize, c: u32, word: u64): u32 {
  const lo = c ^ <u32>word;
  const hi = <u32>(word >>> 32);
  // Constant slice offsets go in the loads' immediate offset field: one add fewer per lookup.
  return (
    load<u32>(table + ((<usize>lo & 0xff) << 2), 7 << 10) ^
    load<u32>(table + ((<usize>(lo >>> 8) & 0xff) << 2), 6 << 10) ^
    load<u32>(table + ((<usize>(lo >>> 16) & 0xff) << 2), 5 << 10) ^
    load<u32>(table + (<usize>(lo >>> 24) << 2), 4 << 10) ^
    load<u32>(table + ((<usize>hi & 0xff) << 2), 3 << 10) ^
    load<u32>(table + ((<usize>(hi >>> 8) & 0xff) << 2), 2 << 10) ^
    load<u32>(table + ((<usize>(hi >>> 16) & 0xff) << 2), 1 << 10) ^
    load<u32>(table + (<usize>(hi >>> 24) << 2))
  );
}

/** The raw register after streamBytes zero bytes: c · x^(8·streamBytes) mod P, by 4 lookups. */
// @ts-ignore: decorator
@inline
function shiftStream(table: usize, c: u32): u32 {
  return (
    load<u32>(table + ((<usize>c & 0xff) << 2), shiftTablesOffset) ^
    load<u32>(table + ((<usize>(c >>> 8) & 0xff) << 2), shiftTablesOffset + (1 << 10)) ^
    load<u32>(table + ((<usize>(c >>> 16) & 0xff) << 2), shiftTablesOffset + (2 << 10)) ^
    load<u32>(table + (<usize>(c >>> 24) << 2), shiftTablesOffset + (3 << 10))
  );
}

/** Fills the 12 KiB of tables at `table`. Idempotent: it writes the same words every time. */
export function crc32cInit(table: usize): void {
  assert((table & 3) == 0, 'crc32cInit: the table must be 4-byte aligned');
  for (let b: u32 = 0; b < 256; b++) {
    let crc = b;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ polynomialReflected : crc >>> 1;
    store<u32>(table + (<usize>b << 2), crc);
  }
  for (let b: u32 = 0; b < 256; b++) {
    let previous = entry(table, 0, b);
    for (let k: u32 = 1; k < 8; k++) {
      previous = (previous >>> 8) ^ entry(table, 0, previous & 0xff);
      store<u32>(table + ((<usize>k << 10) | (<usize>b << 2)), previous);
    }
  }
  assert(entry(table, 0, 1) == tableEntryOne, 'crc32cInit: table[1] is not the CRC of 0x01');
  // The shift tables, by definition: feed streamBytes zero bytes to each b << 8k (1,024 × 32 steps).
  for (let k: u32 = 0; k < 4; k++) {
    for (let b: u32 = 0; b < 256; b++) {
      let c = b << (k << 3);
      for (let i: usize = 0; i < streamBytes; i += 8) c = step8(table, c, 0);
      store<u32>(table + shiftTablesOffset + ((<usize>k << 10) | (<usize>b << 2)), c);
    }
  }
}

/**
 * The raw register after [src, src + length), from the raw register `c`; when `copy`, also stores
 * every byte read to [dst, dst + length) (the same offsets), so each source byte is read once.
 * `copy` is a constant at every call site: the optimizer drops the stores where it is false.
 * Any alignment of `src` and `dst`: wasm loads and stores need none, and unaligned ones cost the
 * same on x86-64 and arm64.
 */
// @ts-ignore: decorator
@inline
function crc32cBlocks(table: usize, c: u32, src: usize, dst: usize, length: usize, copy: bool): u32 {
  let p = src;
  let q = dst;
  const end = src + length;
  // Three streams over each block [p, p + 3n): a = [p, p + n) carries the register, b and c
  // start from 0; crc(A‖B‖C) = shift(shift(a) ^ b) ^ c, since the register is linear.
  const blocksEnd = end - (length % blockBytes);
  while (p < blocksEnd) {
    let a = c;
    let b: u32 = 0;
    let d: u32 = 0;
    const streamEnd = p + streamBytes;
    while (p < streamEnd) {
      const wa = load<u64>(p);
      const wb = load<u64>(p, streamBytes);
      const wd = load<u64>(p, 2 * streamBytes);
      if (copy) {
        store<u64>(q, wa);
        store<u64>(q, wb, streamBytes);
        store<u64>(q, wd, 2 * streamBytes);
      }
      a = step8(table, a, wa);
      b = step8(table, b, wb);
      d = step8(table, d, wd);
      p += 8;
      q += 8;
    }
    c = shiftStream(table, shiftStream(table, a) ^ b) ^ d;
    p += 2 * streamBytes;
    q += 2 * streamBytes;
  }
  // The tail (< one block): one stream, 8 bytes at a time, then byte by byte.
  const end8 = end - ((end - p) & 7);
  while (p < end8) {
    const w = load<u64>(p);
    if (copy) store<u64>(q, w);
    c = step8(table, c, w);
    p += 8;
    q += 8;
  }
  while (p < end) {
    const byte = <u32>load<u8>(p);
    if (copy) store<u8>(q, <u8>byte);
    c = entry(table, 0, (c ^ byte) & 0xff) ^ (c >>> 8);
    p++;
    q++;
  }
  return c;
}

// @ts-ignore: decorator
@inline
function checkTables(table: usize): void {
  assert((table & 3) == 0, 'crc32c: the table must be 4-byte aligned');
  assert(entry(table, 0, 1) == tableEntryOne, 'crc32c: the table was not initialised (crc32cInit)');
}

/** Continues a CRC-32C over [src, src + length); start with crc = 0. Any alignment of `src`. */
export function crc32cUpdate(table: usize, crc: u32, src: usize, length: usize): u32 {
  checkTables(table);
  assert(src + length >= src, 'crc32c: range wraps around the address space');
  return ~crc32cBlocks(table, ~crc, src, 0, length, false);
}

/** CRC-32C of [src, src + length). */
export function crc32c(table: usize, src: usize, length: usize): u32 {
  return crc32cUpdate(table, 0, src, length);
}

/**
 * Continues a CRC-32C over [src, src + length) as crc32cUpdate does, and copies those bytes to
 * [dst, dst + length) in the same pass. The ranges must not overlap.
 */
export function crc32cCopy(table: usize, crc: u32, src: usize, dst: usize, length: usize): u32 {
  checkTables(table);
  assert(src + length >= src && dst + length >= dst, 'crc32cCopy: range wraps around the address space');
  assert(dst + length <= src || src + length <= dst, 'crc32cCopy: source and target overlap');
  return ~crc32cBlocks(table, ~crc, src, dst, length, true);
}
