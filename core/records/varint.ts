// Zigzag varints as RecordBatch v2 uses them (protobuf sint32/sint64): small magnitudes of either
// sign take few bytes. varint is at most 5 bytes, varlong at most 10.
//
// Readers return the value and advance a cursor object, so hot loops avoid allocating tuples.

import { assert } from '../assert.js';
import { LanesError, ErrorCode } from '../errors.js';

export interface Cursor {
  /** Next byte position to read or write. */
  position: number;
}

function truncated(what: string): LanesError {
  return new LanesError(ErrorCode.CORRUPT_MESSAGE, `${what} runs past the end of the record bytes`);
}

/** Reads a zigzag varint (int32) at cursor.position from bytes[..end). */
export function readVarint(bytes: Uint8Array, cursor: Cursor, end: number): number {
  let position = cursor.position;
  let raw = 0;
  let shift = 0;
  for (;;) {
    if (position >= end) throw truncated('a varint');
    const byte = bytes[position++];
    raw |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) throw new LanesError(ErrorCode.CORRUPT_MESSAGE, 'a varint is longer than 5 bytes');
  }
  cursor.position = position;
  return (raw >>> 1) ^ -(raw & 1);
}

/**
 * Reads a zigzag varlong (int64) as a JS number. Exact for every safe integer (|n| ≤ 2^53 − 1);
 * beyond that the int64 is rounded to the nearest double. That is fine: varlongs in a record are
 * timestamp deltas, and a delta beyond ±2^53 ms (285,000 years) is nonsense that no client sends.
 */
export function readVarlong(bytes: Uint8Array, cursor: Cursor, end: number): number {
  let position = cursor.position;
  let low = 0; // raw bits 0..27, exact in an int32
  let high = 0; // raw bits 28..63, as an integer count of 2^28 units
  let shift = 0;
  for (;;) {
    if (position >= end) throw truncated('a varlong');
    const byte = bytes[position++];
    if (shift < 28) low |= (byte & 0x7f) << shift;
    else high += (byte & 0x7f) * 2 ** (shift - 28);
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 63) throw new LanesError(ErrorCode.CORRUPT_MESSAGE, 'a varlong is longer than 10 bytes');
  }
  cursor.position = position;
  // Zigzag decode is (raw >>> 1) ^ -(raw & 1). raw itself may need 54 bits, so it is never
  // formed as one double: raw >>> 1 = high · 2^27 + (low >>> 1) is exact whenever the result
  // is a safe integer, and the sign comes from the low bit.
  const half = high * 2 ** 27 + (low >>> 1);
  return (low & 1) === 1 ? -half - 1 : half;
}

/** Bytes a zigzag varint of `value` (int32) takes. */
export function varintBytes(value: number): number {
  let raw = ((value << 1) ^ (value >> 31)) >>> 0;
  let count = 1;
  while (raw >= 0x80) {
    raw >>>= 7;
    count++;
  }
  return count;
}

/** Writes a zigzag varint (int32) at cursor.position; the caller guarantees room (≤ 5 bytes). */
export function writeVarint(bytes: Uint8Array, cursor: Cursor, value: number): void {
  assert(value === (value | 0), `varint value ${value} is not an int32`);
  let raw = ((value << 1) ^ (value >> 31)) >>> 0;
  let position = cursor.position;
  while (raw >= 0x80) {
    bytes[position++] = (raw & 0x7f) | 0x80;
    raw >>>= 7;
  }
  bytes[position++] = raw;
  cursor.position = position;
}

// A varlong's zigzag value raw = 2·half + sign needs 54 bits for the largest safe integers, one
// more than a double holds exactly. So it is handled as its two parts: the sign bit and
// half = value ≥ 0 ? value : −value − 1 (both exact). The first 7-bit group is
// ((half mod 64) << 1) | sign, and the remaining groups are those of floor(half / 64).

function zigzagHalf(value: number): number {
  return value >= 0 ? value : -value - 1;
}

export function varlongBytes(value: number): number {
  let rest = Math.floor(zigzagHalf(value) / 64);
  let count = 1;
  while (rest > 0) {
    rest = Math.floor(rest / 128);
    count++;
  }
  return count;
}

/** Writes a zigzag varlong for a safe integer; the caller guarantees room (≤ 10 bytes). */
export function writeVarlong(bytes: Uint8Array, cursor: Cursor, value: number): void {
  assert(Number.isSafeInteger(value), `varlong value ${value} is not a safe integer`);
  const half = zigzagHalf(value);
  let rest = Math.floor(half / 64);
  let group = ((half % 64) << 1) | (value < 0 ? 1 : 0);
  let position = cursor.position;
  while (rest > 0) {
    bytes[position++] = group | 0x80;
    group = rest % 128;
    rest = Math.floor(rest / 128);
  }
  bytes[position++] = group;
  cursor.position = position;
}
