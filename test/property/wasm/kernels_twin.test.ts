// The WASM kernels must equal their TS twins on every input: the same CRC, the same Kafka error
// code for the same bytes (valid batches and random corruptions of them), the same bytes after
// validateAndCopy, the same index entry. On a refused batch the WASM validateAndCopy may leave
// scratch in its target range (it copies while it checks; see scratchOnly below), never outside it. Each property runs against the debug build (AS asserts
// on: an assert failure throws InvariantError and fails the run) and the release build.
//
// Method: fast-check generates batches with encodeRecordBatch, then corrupts them: bit flips,
// truncations, stray bytes, patched header fields, random bytes in place of the records, records
// crafted field by field, and mutations of one length inside a real record (key, value, header
// count, header key or value length; stray bytes after the last header), usually re-framing the
// record so the walk reaches that field. Usually the CRC is then recomputed so the corruption
// reaches the record walk rather than stopping at the CRC check. The property also requires that
// every inner-record check was reached, so the twins are compared on each of them. The failing
// seed is printed by fast-check on failure.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LanesError, isLanesError } from '../../../core/errors.js';
import { tsBatchKernels } from '../../../core/records/batch_kernels.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { crc32c } from '../../../core/records/crc32c.js';
import { BatchField, readInt32, validateRecordBatch, writeInt32 } from '../../../core/records/record_batch.js';
import { readVarint, readVarlong, varintBytes, writeVarint } from '../../../core/records/varint.js';
import { concatBytes } from '../../support/arbitraries.js';
import { innerRecordCases } from '../../unit/records/inner_record_cases.js';
import type { RecordInput } from '../../../core/records/record.js';
import { builds, createHarness, placeSource, twinCode, type Harness } from './wasm_harness.js';

const recordArbitrary: fc.Arbitrary<RecordInput> = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 24 }), { nil: null }),
  value: fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null }),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 8 }), value: fc.option(fc.uint8Array({ maxLength: 8 }), { nil: null }) }), { maxLength: 3 }),
  timestamp: fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }),
});

const batchArbitrary = fc
  .tuple(fc.array(recordArbitrary, { minLength: 1, maxLength: 12 }), fc.boolean(), fc.integer({ min: 0, max: 1 << 20 }))
  .map(([records, transactional, baseSequence]) => encodeRecordBatch(records, { transactional, baseSequence, producerId: 7, producerEpoch: 1 }));

/** Interesting int32 values for patched header fields. */
const int32Arbitrary = fc.oneof(fc.integer({ min: -2, max: 16 }), fc.constantFrom(0x7fff_ffff, -0x8000_0000, 0x4000_0000), fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }));

type Corruption =
  | { kind: 'flip'; positions: number[]; bits: number[] }
  | { kind: 'truncate'; keep: number; fixLength: boolean }
  | { kind: 'append'; extra: Uint8Array; fixLength: boolean }
  | { kind: 'field'; field: 'recordCount' | 'lastOffsetDelta' | 'batchLength'; value: number }
  | { kind: 'codec'; codec: number }
  | { kind: 'magic'; value: number }
  | { kind: 'records'; random: Uint8Array; recordCount: number }
  | { kind: 'crafted'; records: CraftedRecord[]; recordCount: number }
  | { kind: 'inner'; record: number; field: number; adjust: number; absolute: number | null; stray: number; fixRecordLength: boolean };

/**
 * A record built field by field with varints of a chosen byte count (overlong encodings, the 5-
 * and 10-byte limits and one past them), so the readers' edge cases are reached, which random
 * bytes almost never do. Key, value and headers carry their real bytes, but each declared length
 * (and the header count) may be mutated: null, negative, one off, past the record, huge. So the
 * twins are compared on every inner-field failure, not only on the record framing.
 */
interface CraftedRecord {
  timestampBytes: number;
  offsetDeltaBytes: number;
  offsetDelta: number | null; // null: the record's index
  noise: number; // random bits for the high bits of varint bytes past the value
  key: CraftedField;
  value: CraftedField;
  headerCount: number | null; // null: headers.length
  headers: { key: CraftedField; value: CraftedField }[];
  padding: number;
  lengthAdjust: number;
}

/** A length-prefixed field: `bytes` bytes present, `declared` in its length varint (null: honest). */
interface CraftedField {
  bytes: number;
  declared: number | null;
  /** Bytes of the length varint; 0: the shortest encoding. */
  lengthBytes: number;
}

const craftedFieldArbitrary: fc.Arbitrary<CraftedField> = fc.record({
  bytes: fc.integer({ min: 0, max: 6 }),
  declared: fc.option(
    fc.oneof(
      fc.integer({ min: -3, max: 9 }), // null (−1), negative non-null, near the true length
      fc.constantFrom(0x7fff_ffff, -0x8000_0000, 0x4000_0000, 127, 128),
    ),
    { nil: null, freq: 5 },
  ),
  lengthBytes: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }) }),
});

const craftedRecordArbitrary: fc.Arbitrary<CraftedRecord> = fc.record({
  timestampBytes: fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 11 }) }),
  offsetDeltaBytes: fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }) }),
  offsetDelta: fc.option(fc.integer({ min: -3, max: 0x7fff_ffff }), { nil: null, freq: 8 }),
  noise: fc.nat(),
  key: craftedFieldArbitrary,
  value: craftedFieldArbitrary,
  headerCount: fc.option(fc.oneof(fc.integer({ min: -2, max: 8 }), fc.constantFrom(0x7fff_ffff, -0x8000_0000, 200)), { nil: null, freq: 6 }),
  headers: fc.array(fc.record({ key: craftedFieldArbitrary, value: craftedFieldArbitrary }), { maxLength: 3 }),
  padding: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }),
  lengthAdjust: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) }),
});

/** The zigzag varint of `value` in exactly `count` bytes; bytes past 32 bits carry `noise`. */
function varintOfBytes(value: number, count: number, noise: number): number[] {
  const raw = ((value << 1) ^ (value >> 31)) >>> 0;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    let bits = i < 5 ? (raw >>> (7 * i)) & 0x7f : 0;
    if (i === 4) bits |= noise & 0x70; // bits a 32-bit reader drops
    if (i >= 5) bits = (noise >>> i) & 0x7f;
    out.push(bits | (i < count - 1 ? 0x80 : 0));
  }
  return out;
}

function pushField(body: number[], field: CraftedField, noise: number): void {
  const declared = field.declared ?? field.bytes;
  body.push(...varintOfBytes(declared, field.lengthBytes === 0 ? varintBytes(declared) : field.lengthBytes, noise));
  for (let i = 0; i < field.bytes; i++) body.push(0x61 + i);
}

function craftRecords(records: CraftedRecord[]): Uint8Array {
  const out: number[] = [];
  records.forEach((record, index) => {
    const body = [0, ...varintOfBytes(0, record.timestampBytes, record.noise)];
    body.push(...varintOfBytes(record.offsetDelta ?? index, record.offsetDeltaBytes, record.noise));
    pushField(body, record.key, record.noise);
    pushField(body, record.value, record.noise);
    const headerCount = record.headerCount ?? record.headers.length;
    body.push(...varintOfBytes(headerCount, varintBytes(headerCount), record.noise));
    for (const header of record.headers) {
      pushField(body, header.key, record.noise);
      pushField(body, header.value, record.noise);
    }
    for (let i = 0; i < record.padding; i++) body.push(0x42);
    const length = body.length + record.lengthAdjust;
    out.push(...varintOfBytes(length, Math.max(varintBytes(length), 1 + (record.noise & 1)), record.noise), ...body);
  });
  return Uint8Array.from(out);
}

/**
 * The length varints inside each record of an uncompressed batch, as [start, end) byte ranges:
 * key length, value length, header count, then each header's key and value lengths. With each
 * record's length varint range and its end, so a mutation can rewrite one and re-frame the record.
 */
interface RecordLayout {
  lengthStart: number;
  bodyStart: number;
  end: number;
  fields: [number, number][];
}

function recordLayouts(batch: Uint8Array): RecordLayout[] {
  const layouts: RecordLayout[] = [];
  const cursor = { position: BatchField.records };
  const varintRange = (): [number, number] => {
    const start = cursor.position;
    readVarint(batch, cursor, batch.length);
    return [start, cursor.position];
  };
  while (cursor.position < batch.length) {
    const lengthStart = cursor.position;
    const length = readVarint(batch, cursor, batch.length);
    const bodyStart = cursor.position;
    cursor.position += 1; // attributes
    readVarlong(batch, cursor, batch.length);
    readVarint(batch, cursor, batch.length);
    const fields: [number, number][] = [];
    for (let i = 0; i < 2; i++) {
      const range = varintRange();
      fields.push(range);
      cursor.position += Math.max(0, zigzagAt(batch, range));
    }
    const countRange = varintRange();
    fields.push(countRange);
    const count = zigzagAt(batch, countRange);
    for (let h = 0; h < count; h++) {
      for (let i = 0; i < 2; i++) {
        const range = varintRange();
        fields.push(range);
        cursor.position += Math.max(0, zigzagAt(batch, range));
      }
    }
    expect(cursor.position).toBe(bodyStart + length); // the builder's records parse exactly
    layouts.push({ lengthStart, bodyStart, end: cursor.position, fields });
  }
  return layouts;
}

function zigzagAt(bytes: Uint8Array, [start]: [number, number]): number {
  return readVarint(bytes, { position: start }, bytes.length);
}

/** Encodes a zigzag varint in the shortest form. */
function encodeVarint(value: number): Uint8Array {
  const out = new Uint8Array(5);
  const cursor = { position: 0 };
  writeVarint(out, cursor, value);
  return out.subarray(0, cursor.position);
}

/**
 * Rewrites one length varint inside one record of a valid, uncompressed batch (to the original
 * plus `adjust`, or to `absolute`), optionally appends stray bytes after the record's last header,
 * and, when asked, re-frames the record (its length varint) so the walk reaches the inner field.
 */
function mutateInner(batch: Uint8Array, corruption: Extract<Corruption, { kind: 'inner' }>): Uint8Array {
  const layouts = recordLayouts(batch);
  const layout = layouts[corruption.record % layouts.length];
  const [fieldStart, fieldEnd] = layout.fields[corruption.field % layout.fields.length];
  const original = zigzagAt(batch, [fieldStart, fieldEnd]);
  const value = corruption.absolute ?? (original + corruption.adjust) | 0;
  const body = concatBytes([
    batch.subarray(layout.bodyStart, fieldStart),
    encodeVarint(value),
    batch.subarray(fieldEnd, layout.end),
    new Uint8Array(corruption.stray).fill(0x5a),
  ]);
  const length = corruption.fixRecordLength ? encodeVarint(body.length) : batch.subarray(layout.lengthStart, layout.bodyStart);
  const bytes = concatBytes([batch.subarray(0, layout.lengthStart), length, body, batch.subarray(layout.end)]);
  writeInt32(bytes, BatchField.batchLength, bytes.length - 12);
  return bytes;
}

const corruptionArbitrary: fc.Arbitrary<Corruption> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), positions: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), bits: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 3, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat(), fixLength: fc.boolean() }),
  fc.record({ kind: fc.constant('append' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 12 }), fixLength: fc.boolean() }),
  fc.record({ kind: fc.constant('field' as const), field: fc.constantFrom('recordCount' as const, 'lastOffsetDelta' as const, 'batchLength' as const), value: int32Arbitrary }),
  fc.record({ kind: fc.constant('codec' as const), codec: fc.integer({ min: 1, max: 7 }) }),
  fc.record({ kind: fc.constant('magic' as const), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('records' as const), random: fc.uint8Array({ maxLength: 64 }), recordCount: fc.integer({ min: -1, max: 4 }) }),
  fc.record({ kind: fc.constant('crafted' as const), records: fc.array(craftedRecordArbitrary, { minLength: 1, maxLength: 4 }), recordCount: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 5 }) }) }),
  fc.record({
    kind: fc.constant('inner' as const),
    record: fc.nat(),
    field: fc.nat(),
    adjust: fc.integer({ min: -3, max: 3 }),
    absolute: fc.option(fc.oneof(fc.constant(-1), fc.integer({ min: -3, max: 2 }), fc.constantFrom(0x7fff_ffff, -0x8000_0000, 0x4000_0000, 300)), { nil: null, freq: 2 }),
    stray: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 })),
    fixRecordLength: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  }),
);

function corrupt(batch: Uint8Array, corruption: Corruption, fixCrc: boolean): Uint8Array {
  let bytes: Uint8Array = batch.slice();
  switch (corruption.kind) {
    case 'flip':
      corruption.positions.forEach((position, i) => {
        bytes[position % bytes.length] ^= 1 << corruption.bits[i];
      });
      break;
    case 'truncate':
      bytes = bytes.slice(0, corruption.keep % bytes.length);
      if (corruption.fixLength && bytes.length >= BatchField.records) writeInt32(bytes, BatchField.batchLength, bytes.length - 12);
      break;
    case 'append': {
      const longer = new Uint8Array(bytes.length + corruption.extra.length);
      longer.set(bytes);
      longer.set(corruption.extra, bytes.length);
      bytes = longer;
      if (corruption.fixLength) writeInt32(bytes, BatchField.batchLength, bytes.length - 12);
      break;
    }
    case 'field':
      writeInt32(bytes, BatchField[corruption.field], corruption.value);
      break;
    case 'codec':
      bytes[BatchField.attributes + 1] = (bytes[BatchField.attributes + 1] & ~0x07) | corruption.codec;
      break;
    case 'magic':
      bytes[BatchField.magic] = corruption.value;
      break;
    case 'inner':
      bytes = mutateInner(bytes, corruption);
      break;
    case 'records':
    case 'crafted': {
      // A valid header over random or crafted record bytes: fuzzes the walk and the varint readers.
      const records = corruption.kind === 'records' ? corruption.random : craftRecords(corruption.records);
      const recordCount = corruption.kind === 'records' ? corruption.recordCount : corruption.recordCount || corruption.records.length;
      const header = bytes.slice(0, BatchField.records);
      bytes = new Uint8Array(BatchField.records + records.length);
      bytes.set(header);
      bytes.set(records, BatchField.records);
      writeInt32(bytes, BatchField.batchLength, bytes.length - 12);
      writeInt32(bytes, BatchField.recordCount, recordCount);
      writeInt32(bytes, BatchField.lastOffsetDelta, recordCount - 1);
      break;
    }
  }
  if (fixCrc && bytes.length >= BatchField.records) writeInt32(bytes, BatchField.crc, crc32c(bytes, BatchField.attributes));
  return bytes;
}

/** The inner-record checks of the walk, as the TS twin's messages name them. */
const innerFailureKinds = ['key length', 'value length', 'header count', 'header key length', 'header value length', 'fields end'] as const;

/** Which inner-record check the TS twin failed on, or null when it failed elsewhere or accepted. */
function innerFailure(data: Uint8Array, maxBatchBytes: number): string | null {
  try {
    validateRecordBatch(data, 0, data.length, { maxBatchBytes, crc32c });
    return null;
  } catch (error) {
    const message = (error as Error).message;
    if (/: header key length/.test(message)) return 'header key length';
    if (/: header value length/.test(message)) return 'header value length';
    if (/: key length/.test(message)) return 'key length';
    if (/: value length/.test(message)) return 'value length';
    if (/: header count/.test(message)) return 'header count';
    if (/: its fields end/.test(message)) return 'fields end';
    return null;
  }
}

/** Runs the TS twin's validateAndCopy into a plain buffer; returns its count, or its error. */
function twinCopy(data: Uint8Array, targetPosition: number, targetBytes: number, baseOffset: number, epoch: number, maxBatchBytes: number) {
  const target = new Uint8Array(targetBytes).fill(0xa5);
  try {
    const count = tsBatchKernels.validateAndCopy(data, 0, data.length, { bytes: target, position: targetPosition }, baseOffset, epoch, { maxBatchBytes });
    return { count, target, error: null };
  } catch (error) {
    return { count: -1, target, error: error as LanesError };
  }
}

/**
 * What a refused validateAndCopy may leave in its target: bytes outside [position, position +
 * length) untouched (still `fill`), and inside it each byte either untouched or the batch's own
 * byte at that place (the unpatched copy, possibly partial). The log never commits that range
 * (see the comment on validateAndCopy in wasm/assembly/record_batch.ts), so this is the contract.
 */
function scratchOnly(target: Uint8Array, position: number, batch: Uint8Array, fill: number): boolean {
  for (let i = 0; i < target.length; i++) {
    const inside = i >= position && i < position + batch.length;
    if (target[i] !== fill && !(inside && target[i] === batch[i - position])) return false;
  }
  return true;
}

const baseOffsetArbitrary = fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 0x1234_5678_9abc), fc.maxSafeNat());

describe.each(builds)('WASM kernels equal their TS twins (%s build)', (build) => {
  const harness: Harness = createHarness(build);

  it('crc32c: random bytes at random alignments and lengths, and continued across a split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.integer({ min: 0, max: 15 }), fc.nat(), (data, misalign, splitSeed) => {
        const view = placeSource(harness, data, misalign);
        const expected = crc32c(data);
        expect(harness.kernels.crc32c(view, 0, view.length)).toBe(expected);
        // Sub-ranges through the BatchKernels interface, and chaining through crc32cUpdate.
        const split = data.length === 0 ? 0 : splitSeed % (data.length + 1);
        expect(harness.kernels.crc32c(view, split, view.length)).toBe(crc32c(data, split));
        const ptr = view.byteOffset;
        const head = harness.kernels.exports.crc32cUpdate(harness.tablePtr, 0, ptr, split) >>> 0;
        expect(harness.kernels.exports.crc32cUpdate(harness.tablePtr, head, ptr + split, data.length - split) >>> 0).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('crc32cCopy: the CRC of crc32c and an exact copy, at any alignment of either side, nothing written around it', () => {
    // Lengths cluster around the three-stream block (3 × 256 B) so both the blocked loop and the
    // tails are reached, with continuation from a non-zero CRC.
    const lengthArbitrary = fc.oneof(fc.nat({ max: 5000 }), fc.integer({ min: -9, max: 9 }).chain((d) => fc.constantFrom(768 + d, 1536 + d, 2304 + d).map((n) => Math.max(0, n))));
    fc.assert(
      fc.property(lengthArbitrary, fc.nat(), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }), fc.nat(), (length, seed, srcMisalign, dstMisalign, splitSeed) => {
        const data = Uint8Array.from({ length }, (_, i) => (Math.imul(i + 1, 2654435761 + seed) >>> 13) & 0xff);
        const view = placeSource(harness, data, srcMisalign);
        const guard = 16;
        const target = new Uint8Array(harness.memory.buffer, harness.target.ptr, length + 2 * guard + dstMisalign).fill(0x5a);
        const dst = harness.target.ptr + guard + dstMisalign;
        const split = length === 0 ? 0 : splitSeed % (length + 1);
        const { exports } = harness.kernels;
        const head = exports.crc32cCopy(harness.tablePtr, 0, view.byteOffset, dst, split) >>> 0;
        const crc = exports.crc32cCopy(harness.tablePtr, head, view.byteOffset + split, dst + split, length - split) >>> 0;
        expect(crc).toBe(crc32c(data));
        const copied = target.subarray(guard + dstMisalign, guard + dstMisalign + length);
        expect(Buffer.from(copied).equals(Buffer.from(data))).toBe(true);
        expect(target.subarray(0, guard + dstMisalign).every((byte) => byte === 0x5a)).toBe(true);
        expect(target.subarray(guard + dstMisalign + length).every((byte) => byte === 0x5a)).toBe(true);
        expect(Buffer.from(view).equals(Buffer.from(data))).toBe(true); // the source is untouched
      }),
      { numRuns: 300 },
    );
  });

  it('crc32c and crc32cCopy over 1 MiB of random bytes (many blocks) equal the TS twin', () => {
    const data = Uint8Array.from({ length: (1 << 20) - 3 }, (_, i) => (Math.imul(i, 0x9e3779b1) >>> 24) & 0xff);
    const view = placeSource(harness, data, 3);
    expect(harness.kernels.crc32c(view, 0, view.length)).toBe(crc32c(data));
    const target = new Uint8Array(harness.memory.buffer, harness.target.ptr, data.length);
    expect(harness.kernels.exports.crc32cCopy(harness.tablePtr, 0, view.byteOffset, target.byteOffset, data.length) >>> 0).toBe(crc32c(data));
    expect(Buffer.from(target).equals(Buffer.from(data))).toBe(true);
  });

  it('validation: every valid batch gives code 0 in both', () => {
    fc.assert(
      fc.property(batchArbitrary, fc.integer({ min: 0, max: 7 }), (batch, misalign) => {
        const view = placeSource(harness, batch, misalign);
        expect(twinCode(batch, 1 << 20)).toBe(0);
        expect(harness.kernels.exports.validateRecordBatch(harness.tablePtr, view.byteOffset, view.length, 1 << 20)).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('validation: random corruptions give the same Kafka code in both (the first failing check)', () => {
    const seen = new Map<number, number>();
    const seenInner = new Map<string, number>();
    fc.assert(
      fc.property(
        batchArbitrary,
        corruptionArbitrary,
        fc.boolean(),
        fc.integer({ min: 0, max: 7 }),
        fc.oneof(fc.constant(1 << 20), fc.integer({ min: 0, max: 3000 })),
        (batch, corruption, skipCrcFix, misalign, maxBatchBytes) => {
          // Mostly recompute the CRC, so corruptions reach the checks after it.
          const bytes = corrupt(batch, corruption, !skipCrcFix);
          const view = placeSource(harness, bytes, misalign);
          const expected = twinCode(bytes, maxBatchBytes);
          const actual = harness.kernels.exports.validateRecordBatch(harness.tablePtr, view.byteOffset, view.length, maxBatchBytes);
          seen.set(expected, (seen.get(expected) ?? 0) + 1);
          const inner = innerFailure(bytes, maxBatchBytes);
          if (inner !== null) seenInner.set(inner, (seenInner.get(inner) ?? 0) + 1);
          expect(actual).toBe(expected);
        },
      ),
      { numRuns: 1500 },
    );
    // The generator must reach every outcome, or the property proves less than it claims.
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual([0, 2, 10, 76, 87]);
    // And every check inside a record, where the twins were compared too.
    if (process.env.TWIN_STATS) console.log(JSON.stringify([...seen]), JSON.stringify([...seenInner]));
    expect([...seenInner.keys()].sort()).toEqual([...innerFailureKinds].sort());
  });

  it.each(innerRecordCases.map((c) => [c.name, c] as const))('inner-record case: %s', (_name, { bytes, code }) => {
    const view = placeSource(harness, bytes, 3);
    expect(twinCode(bytes, 1 << 20)).toBe(code);
    expect(harness.kernels.exports.validateRecordBatch(harness.tablePtr, view.byteOffset, view.length, 1 << 20)).toBe(code);
    const target = new Uint8Array(harness.memory.buffer, harness.target.ptr, bytes.length + 8).fill(0xa5);
    if (code === 0) {
      expect(harness.kernels.validateAndCopy(view, 0, view.length, { bytes: target, position: 4 }, 9, 0, { maxBatchBytes: 1 << 20 })).toBe(readInt32(bytes, BatchField.recordCount));
    } else {
      let thrown: unknown = null;
      try {
        harness.kernels.validateAndCopy(view, 0, view.length, { bytes: target, position: 4 }, 9, 0, { maxBatchBytes: 1 << 20 });
      } catch (error) {
        thrown = error;
      }
      expect(isLanesError(thrown) && thrown.errorCode).toBe(code);
      expect(scratchOnly(target, 4, bytes, 0xa5)).toBe(true);
    }
    expect(Buffer.from(view).equals(Buffer.from(bytes))).toBe(true); // the source is untouched
  });

  it('validateAndCopy: the same count, copy and patch as the TS twin; on failure the same error and only scratch in the target range', () => {
    fc.assert(
      fc.property(
        batchArbitrary,
        fc.option(corruptionArbitrary, { nil: null }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 64 }),
        baseOffsetArbitrary,
        int32Arbitrary,
        (batch, corruption, misalign, targetPosition, baseOffset, epoch) => {
          const bytes = corruption === null ? batch : corrupt(batch, corruption, true);
          const maxBatchBytes = 1 << 20;
          const view = placeSource(harness, bytes, misalign);
          const targetBytes = bytes.length + 128;
          const target = new Uint8Array(harness.memory.buffer, harness.target.ptr, targetBytes);
          target.fill(0xa5);
          const twin = twinCopy(bytes, targetPosition, targetBytes, baseOffset, epoch, maxBatchBytes);
          let count = -1;
          let error: unknown = null;
          try {
            count = harness.kernels.validateAndCopy(view, 0, view.length, { bytes: target, position: targetPosition }, baseOffset, epoch, { maxBatchBytes });
          } catch (thrown) {
            error = thrown;
          }
          if (twin.error === null) {
            expect(error).toBeNull();
            expect(count).toBe(twin.count);
            expect(Buffer.from(target).equals(Buffer.from(twin.target))).toBe(true);
          } else {
            expect(isLanesError(error)).toBe(true);
            expect((error as LanesError).errorCode).toBe(twin.error.errorCode);
            expect((error as LanesError).message).toBe(twin.error.message);
            expect(scratchOnly(target, targetPosition, bytes, 0xa5)).toBe(true);
          }
          expect(Buffer.from(view).equals(Buffer.from(bytes))).toBe(true); // the source is untouched
        },
      ),
      { numRuns: 300 },
    );
  });

  it('indexLookup: the last entry ≤ the target on random sorted arrays, or −1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff_ffff }), { maxLength: 300 }),
        fc.oneof(fc.integer({ min: 0, max: 0xffff_ffff }), fc.constantFrom(0, 0xffff_ffff)),
        fc.nat(),
        (offsets, target, pick) => {
          offsets.sort((a, b) => a - b);
          const entries = new Uint32Array(harness.memory.buffer, harness.source.ptr, Math.max(2, offsets.length * 2));
          offsets.forEach((offset, i) => {
            entries[2 * i] = offset;
            entries[2 * i + 1] = i * 4096;
          });
          const reference = (relative: number): number => {
            for (let i = offsets.length - 1; i >= 0; i--) if (offsets[i] <= relative) return i;
            return -1;
          };
          expect(harness.kernels.indexLookup(entries, offsets.length, target)).toBe(reference(target));
          if (offsets.length > 0) {
            // Exact hits and their neighbours, where off-by-one errors live.
            const exact = offsets[pick % offsets.length];
            for (const probe of [exact - 1, exact, exact + 1]) {
              if (probe < 0 || probe > 0xffff_ffff) continue;
              expect(harness.kernels.indexLookup(entries, offsets.length, probe)).toBe(reference(probe));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
