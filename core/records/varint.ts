// Zigzag varints as RecordBatch v2 uses them (protobuf sint32/sint64): small magnitudes of either
// sign take few bytes. varint is at most 5 bytes, varlong at most 10.
//
// Readers return the value and advance a cursor object, so hot loops avoid allocating tuples.

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
 * Reads a zigzag varlong (int64) as a JS number. Values beyond ±2^53 lose precision; record
 * timestamps and lengths are far inside that range, and a value that large is nonsense anyway.
 */
export function readVarlong(bytes: Uint8Array, cursor: Cursor, end: number): number {
  let position = cursor.position;
  let low = 0; // bits 0..27
  let high = 0; // bits 28..63, as a float multiple of 2^28
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
  // Recombine low 28 bits with the rest; zigzag-decode: (n >>> 1) ^ -(n & 1).
  const raw = high * 2 ** 28 + low;
  const negative = (low & 1) === 1;
  const half = Math.floor(raw / 2);
  return negative ? -half - 1 : half;
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
  let raw = ((value << 1) ^ (value >> 31)) >>> 0;
  let position = cursor.position;
  while (raw >= 0x80) {
    bytes[position++] = (raw & 0x7f) | 0x80;
    raw >>>= 7;
  }
  bytes[position++] = raw;
  cursor.position = position;
}

/** Zigzag-encodes a safe integer into its unsigned magnitude (a float when it exceeds 32 bits). */
function zigzagLong(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

export function varlongBytes(value: number): number {
  let raw = zigzagLong(value);
  let count = 1;
  while (raw >= 0x80) {
    raw = Math.floor(raw / 128);
    count++;
  }
  return count;
}

/** Writes a zigzag varlong for a safe integer; the caller guarantees room (≤ 10 bytes). */
export function writeVarlong(bytes: Uint8Array, cursor: Cursor, value: number): void {
  let raw = zigzagLong(value);
  let position = cursor.position;
  while (raw >= 0x80) {
    bytes[position++] = (raw % 128) | 0x80;
    raw = Math.floor(raw / 128);
  }
  bytes[position++] = raw;
  cursor.position = position;
}
