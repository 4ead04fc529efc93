// Deterministic ring test payloads: record i has a length and bytes derived from (seed, i), so
// a reader can check every record it gets without being told what was sent.

export function payloadLength(seed: number, index: number, maxBytes: number): number {
  let x = (Math.imul(index ^ seed, 0x9e3779b1) ^ (index >>> 3)) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x85ebca6b) >>> 0;
  // Mostly small records, a few large ones so wrap-around and full edges are hit often.
  return x % 16 === 0 ? 8 + (x % (maxBytes - 8)) : 8 + (x % 120);
}

export function fillPayload(view: Uint8Array, seed: number, index: number): void {
  view[0] = index & 0xff;
  view[1] = (index >>> 8) & 0xff;
  view[2] = (index >>> 16) & 0xff;
  view[3] = (index >>> 24) & 0xff;
  for (let i = 4; i < view.length; i++) view[i] = (index * 31 + i + seed) & 0xff;
}

/** Returns a description of the first mismatch, or null when the record is the one expected. */
export function checkPayload(view: Uint8Array, seed: number, index: number, maxBytes: number): string | null {
  const expectedLength = payloadLength(seed, index, maxBytes);
  if (view.length !== expectedLength) return `record ${index}: length ${view.length}, expected ${expectedLength}`;
  const got = view[0] | (view[1] << 8) | (view[2] << 16) | (view[3] << 24);
  if (got !== index) return `record ${index}: carries index ${got}`;
  for (let i = 4; i < view.length; i++) {
    if (view[i] !== ((index * 31 + i + seed) & 0xff)) return `record ${index}: byte ${i} differs`;
  }
  return null;
}
