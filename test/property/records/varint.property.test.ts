// Zigzag varints against an independent BigInt oracle: the wire bytes must be exactly protobuf's
// sint32/sint64 encoding, and decoding must give back every int32 (varint) and every safe
// integer (varlong). int64 values beyond ±(2^53 − 1) can't be a JS number exactly; the reader
// rounds them (checked below to within one unit in the last place) and the writer refuses them.
// No record field needs more: a varlong in a record is a timestamp delta in milliseconds.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLanesError } from '../../../core/errors.js';
import { readVarint, readVarlong, varintBytes, varlongBytes, writeVarint, writeVarlong } from '../../../core/records/varint.js';

/** protobuf zigzag + base-128, computed with BigInt, for `bits`-wide two's complement values. */
function oracle(value: bigint, bits: 32n | 64n): Uint8Array {
  const mask = (1n << bits) - 1n;
  let raw = ((value << 1n) ^ (value >> (bits - 1n))) & mask;
  const out: number[] = [];
  while (raw >= 0x80n) {
    out.push(Number(raw & 0x7fn) | 0x80);
    raw >>= 7n;
  }
  out.push(Number(raw));
  return Uint8Array.from(out);
}

const int32Arb = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.constantFrom(0, -1, 1, 63, -64, 64, -65, 2 ** 31 - 1, -(2 ** 31)),
);

const safeIntegerArb = fc.oneof(
  fc.maxSafeInteger(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 52, -(2 ** 52), 2 ** 52 + 1, -(2 ** 52) - 1, 2 ** 31, -(2 ** 31) - 1),
);

describe('varint (int32)', () => {
  it('writes protobuf sint32 bytes and reads back every int32', () => {
    fc.assert(
      fc.property(int32Arb, (value) => {
        const bytes = new Uint8Array(5);
        const cursor = { position: 0 };
        writeVarint(bytes, cursor, value);
        expect(bytes.subarray(0, cursor.position)).toEqual(oracle(BigInt(value), 32n));
        expect(cursor.position).toBe(varintBytes(value));
        const reader = { position: 0 };
        expect(readVarint(bytes, reader, cursor.position)).toBe(value);
        expect(reader.position).toBe(cursor.position);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('varlong (int64 as a JS number)', () => {
  it('writes protobuf sint64 bytes and reads back every safe integer exactly', () => {
    fc.assert(
      fc.property(safeIntegerArb, (value) => {
        const bytes = new Uint8Array(10);
        const cursor = { position: 0 };
        writeVarlong(bytes, cursor, value);
        expect(bytes.subarray(0, cursor.position)).toEqual(oracle(BigInt(value), 64n));
        expect(cursor.position).toBe(varlongBytes(value));
        const reader = { position: 0 };
        expect(readVarlong(bytes, reader, cursor.position)).toBe(value);
        expect(reader.position).toBe(cursor.position);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads int64 values beyond the safe range to within one unit in the last place', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (value) => {
        const bytes = oracle(value, 64n);
        const decoded = readVarlong(bytes, { position: 0 }, bytes.length);
        const expected = Number(value);
        expect(Math.abs(decoded - expected)).toBeLessThanOrEqual(Math.abs(expected) * 2 ** -52);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('varint readers on garbage', () => {
  it('either read a value inside the bounds or throw a LanesError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), fc.boolean(), (bytes, long) => {
        const cursor = { position: 0 };
        try {
          const value = long ? readVarlong(bytes, cursor, bytes.length) : readVarint(bytes, cursor, bytes.length);
          expect(Number.isFinite(value)).toBe(true);
          expect(cursor.position).toBeGreaterThan(0);
          expect(cursor.position).toBeLessThanOrEqual(Math.min(bytes.length, long ? 10 : 5));
        } catch (error) {
          expect(isLanesError(error)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
