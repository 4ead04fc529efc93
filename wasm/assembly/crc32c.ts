// CRC-32C, byte-at-a-time placeholder (the slicing-by-8 kernel replaces it).
const polynomialReflected: u32 = 0x82f63b78;

/** Builds the 256-entry table at `table` (1 KiB, host-owned). */
export function crc32cInit(table: usize): void {
  for (let b: u32 = 0; b < 256; b++) {
    let crc = b;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ polynomialReflected : crc >>> 1;
    store<u32>(table + (<usize>b << 2), crc);
  }
}

export function crc32c(table: usize, src: usize, length: usize): u32 {
  let c: u32 = 0xffffffff;
  for (let i: usize = 0; i < length; i++) {
    c = load<u32>(table + ((<usize>((c ^ load<u8>(src + i)) & 0xff)) << 2)) ^ (c >>> 8);
  }
  return ~c;
}
