// Layout of a single-producer single-consumer byte ring inside shared memory.
//
//   control block (256 bytes, Int32 words; each counter on its own 64-byte cache line)
//   ┌──────────────┬──────────────┬──────────────────┬─────────────┐
//   │ word 0: head │ word 16: tail│ word 32: writer  │ word 48:    │
//   │ (consumer)   │ (producer)   │ waiting for room │ capacity    │
//   └──────────────┴──────────────┴──────────────────┴─────────────┘
//   data (capacity bytes, a power of two)
//   ┌───────────────────┬─────────┬pad┬ … ┬────────────┐
//   │ u32 length, u32 0 │ payload │ … │ u32 WRAP … │
//   └───────────────────┴─────────┴───┴ … ┴────────────┘
//
// head and tail are free-running u32 byte counters: used = (tail − head) mod 2^32, empty when
// equal, and never more than capacity apart. Records start 8-aligned and never straddle the end:
// a record that would is preceded by a WRAP marker and written at position 0, so a reader always
// gets one contiguous view of a payload. The producer publishes tail once per batch of records
// and the consumer publishes head once per drained batch: per-publish cache-line traffic is the
// cost that matters (measured at ~500 ns per publish on the development machine, so batch ≥ 256
// records per publish; bench/micro/ring.bench.ts).
import { assert } from '../../core/assert.js';

export const ringHeadWord = 0;
export const ringTailWord = 16;
export const ringWriterWaitingWord = 32;
export const ringCapacityWord = 48;
export const ringControlBytes = 256;

// 8 bytes (u32 length, u32 reserved) so payloads start 8-aligned: V8 copies into shared memory
// several times faster when source and target offsets are congruent mod 8 (measured on Node 20).
export const ringRecordHeaderBytes = 8;
export const ringRecordAlign = 8;
/** Length value that tells the reader to skip to the start of the data area. */
export const ringWrapMarker = 0xffff_ffff;

export const ringCapacityMin = 1024;

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Bytes a record with `payloadBytes` of payload occupies in the ring. */
export function ringRecordBytes(payloadBytes: number): number {
  return (ringRecordHeaderBytes + payloadBytes + ringRecordAlign - 1) & ~(ringRecordAlign - 1);
}

/** The largest payload a ring of `capacity` accepts: half, so a wrap can always make room. */
export function ringPayloadBytesMax(capacity: number): number {
  return capacity / 2 - ringRecordHeaderBytes;
}

/** Total shared bytes a ring of `capacity` needs (control block and data). */
export function ringRegionBytes(capacity: number): number {
  return ringControlBytes + capacity;
}

/** Where a ring lives: a region of a SharedArrayBuffer (in practice, the shared wasm memory). */
export interface RingRegion {
  buffer: SharedArrayBuffer;
  /** Byte offset of the control block; 64-aligned. */
  byteOffset: number;
  capacity: number;
}

export function checkRingRegion(region: RingRegion): void {
  assert(isPowerOfTwo(region.capacity), `ring capacity ${region.capacity} must be a power of two`);
  assert(region.capacity >= ringCapacityMin, `ring capacity ${region.capacity} is below ${ringCapacityMin}`);
  assert(region.byteOffset % 64 === 0, `ring region at ${region.byteOffset} must be 64-aligned`);
  assert(region.byteOffset + ringRegionBytes(region.capacity) <= region.buffer.byteLength, 'ring region runs past its buffer');
}

/** Zeroes the control block; call once, before either side attaches. */
export function initRing(region: RingRegion): void {
  checkRingRegion(region);
  const control = new Int32Array(region.buffer, region.byteOffset, ringControlBytes / 4);
  control.fill(0);
  Atomics.store(control, ringCapacityWord, region.capacity);
}
