// CRC-32C (Castagnoli), slicing-by-8: the checksum of RecordBatch v2.
//
// The tables live in host-owned memory (8 KiB = 8 × 256 u32 at `table`, 4-byte aligned), filled once by
// crc32cInit on the main thread and then only read, by every shard's instance. They are not a
// static of this module: each instantiation on the shared memory would re-apply its data segment
// (toolchain.md §2, pitfall 1), and a computed static would need a mutable global per instance.
//
// Layout: table[k * 256 + b] (u32, little-endian) is the CRC of byte b followed by k zero bytes.
// The TS twin in core/records/crc32c.ts builds the same tables; the property tests compare both.

const polynomialReflected: u32 = 0x82f63b78;

/** CRC-32C of the single byte 0x01, i.e. table[1]: a cheap check that the tables were filled. */
const tableEntryOne: u32 = 0xf26b8303;

// @ts-ignore: decorator
@inline
function entry(table: usize, slice: u32, byte: u32): u32 {
  return load<u32>(table + ((<usize>slice << 10) | (<usize>byte << 2)));
}

/** Fills the 8 KiB of slicing tables at `table`. Idempotent: it writes the same words every time. */
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
}

/**
 * Continues a CRC-32C over [src, src + length); start with crc = 0. Any alignment of `src`:
 * wasm loads need none, and unaligned u32 loads cost the same on x86-64 and arm64.
 */
export function crc32cUpdate(table: usize, crc: u32, src: usize, length: usize): u32 {
  assert((table & 3) == 0, 'crc32c: the table must be 4-byte aligned');
  assert(entry(table, 0, 1) == tableEntryOne, 'crc32c: the table was not initialised (crc32cInit)');
  assert(src + length >= src, 'crc32c: range wraps around the address space');
  let c = ~crc;
  let p = src;
  const end = src + length;
  const end8 = end - (length & 7);
  while (p < end8) {
    // Little-endian loads: the low byte of `lo` is the first byte of the 8, as slicing-by-8 needs.
    const lo = c ^ load<u32>(p);
    const hi = load<u32>(p, 4);
    // Constant slice offsets go in the loads' immediate offset field: one add fewer per lookup.
    c =
      load<u32>(table + ((<usize>lo & 0xff) << 2), 7 << 10) ^
      load<u32>(table + ((<usize>(lo >>> 8) & 0xff) << 2), 6 << 10) ^
      load<u32>(table + ((<usize>(lo >>> 16) & 0xff) << 2), 5 << 10) ^
      load<u32>(table + (<usize>(lo >>> 24) << 2), 4 << 10) ^
      load<u32>(table + ((<usize>hi & 0xff) << 2), 3 << 10) ^
      load<u32>(table + ((<usize>(hi >>> 8) & 0xff) << 2), 2 << 10) ^
      load<u32>(table + ((<usize>(hi >>> 16) & 0xff) << 2), 1 << 10) ^
      load<u32>(table + (<usize>(hi >>> 24) << 2));
    p += 8;
  }
  while (p < end) {
    c = entry(table, 0, (c ^ <u32>load<u8>(p)) & 0xff) ^ (c >>> 8);
    p++;
  }
  return ~c;
}

/** CRC-32C of [src, src + length). */
export function crc32c(table: usize, src: usize, length: usize): u32 {
  return crc32cUpdate(table, 0, src, length);
}
