// CRC-32C (Castagnoli), the checksum of RecordBatch v2, in plain TypeScript: slicing-by-8.
//
// This is the test oracle and fallback for the WASM kernel in wasm/assembly. Both must agree on
// every input; test/property checks that on random bytes.

const polynomialReflected = 0x82f63b78;

/** table[k * 256 + b]: the CRC of byte b followed by k zero bytes, for slicing-by-8. */
const table = buildTable();

function buildTable(): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let crc = b;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ polynomialReflected : crc >>> 1;
    t[b] = crc >>> 0;
  }
  for (let b = 0; b < 256; b++) {
    for (let k = 1; k < 8; k++) {
      const previous = t[(k - 1) * 256 + b];
      t[k * 256 + b] = ((previous >>> 8) ^ t[previous & 0xff]) >>> 0;
    }
  }
  return t;
}

/** Continues a CRC-32C over bytes[start, end). Start with crc = 0. Returns an unsigned 32-bit value. */
export function crc32cUpdate(crc: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = ~crc >>> 0;
  let i = start;
  const end8 = end - ((end - start) & 7);
  while (i < end8) {
    const lo = (c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24))) >>> 0;
    c =
      table[7 * 256 + (lo & 0xff)] ^
      table[6 * 256 + ((lo >>> 8) & 0xff)] ^
      table[5 * 256 + ((lo >>> 16) & 0xff)] ^
      table[4 * 256 + (lo >>> 24)] ^
      table[3 * 256 + bytes[i + 4]] ^
      table[2 * 256 + bytes[i + 5]] ^
      table[1 * 256 + bytes[i + 6]] ^
      table[bytes[i + 7]];
    i += 8;
  }
  while (i < end) c = table[(c ^ bytes[i++]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32C of bytes[start, end). */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32cUpdate(0, bytes, start, end);
}
