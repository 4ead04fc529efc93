// fast-check arbitraries for records and RecordBatch v2 bytes, shared by every property test
// that needs produce-shaped input (records, log, protocol, kernels). Sizes are kept small so a
// property with 100 runs stays in the milliseconds; raise them through the parameters.
//
// `expectedOutputs` states what the record reader must give back for what was encoded, so a
// test compares against the encoder's input, not against the reader's own view of the bytes.

import fc from 'fast-check';
import { encodeRecordBatch, type BatchOptions } from '../../core/records/batch_builder.js';
import { assert } from '../../core/assert.js';
import { writeVarint } from '../../core/records/varint.js';
import { crc32c } from '../../core/records/crc32c.js';
import { BatchField, batchCrcStart, Compression, writeInt32 } from '../../core/records/record_batch.js';
import type { RecordHeader, RecordInput, RecordOutput } from '../../core/records/record.js';

/** Bytes, or null (Kafka's length −1) about one time in six. */
export function nullableBytesArb(maxLength = 32): fc.Arbitrary<Uint8Array | null> {
  return fc.option(fc.uint8Array({ maxLength }), { nil: null, freq: 5 });
}

/** A header: a well-formed Unicode key (it travels as UTF-8) and a nullable value. */
export const recordHeaderArb: fc.Arbitrary<RecordHeader> = fc.record({
  key: fc.string({ unit: 'grapheme', maxLength: 6 }),
  value: nullableBytesArb(16),
});

/** Milliseconds since the epoch, up to 2^41 (year 2039) so deltas of either sign appear. */
export const timestampArb: fc.Arbitrary<number> = fc
  .tuple(fc.integer({ min: 0, max: 0x3ff }), fc.integer({ min: 0, max: 0x7fff_ffff }))
  .map(([high, low]) => high * 2 ** 31 + low);

/** One record as a producer supplies it; headers and timestamp are sometimes absent. */
export function recordInputArb(maxBytes = 32): fc.Arbitrary<RecordInput> {
  return fc.record(
    {
      key: nullableBytesArb(maxBytes),
      value: nullableBytesArb(maxBytes),
      headers: fc.array(recordHeaderArb, { maxLength: 3 }),
      timestamp: timestampArb,
    },
    { requiredKeys: ['key', 'value'] },
  );
}

export interface BatchArbConstraints {
  /** Codecs to draw from; default none and gzip (the ones every Lanes build can read). */
  compressions?: readonly number[];
  maxRecords?: number;
  maxBytes?: number;
}

/** Producer-side batch options: codec, idempotence fields, transactional flag, base values. */
export function batchOptionsArb(compressions: readonly number[] = [Compression.none, Compression.gzip]): fc.Arbitrary<BatchOptions> {
  return fc.record(
    {
      compression: fc.constantFrom(...compressions),
      baseOffset: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0x7fff_ffff }).map((n) => n * 2 ** 20)),
      baseTimestamp: timestampArb,
      producerId: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 0x7fff_ffff }).map((n) => n * 2 ** 10)),
      producerEpoch: fc.integer({ min: -1, max: 0x7fff }),
      baseSequence: fc.integer({ min: -1, max: 0x7fff_ffff }),
      transactional: fc.boolean(),
    },
    { requiredKeys: ['compression'] },
  );
}

export interface ArbitraryBatch {
  records: RecordInput[];
  options: BatchOptions;
  /** The encoded batch: a valid RecordBatch v2 with a correct CRC. */
  bytes: Uint8Array;
}

/** A RecordBatch v2 with 1..maxRecords records, with the inputs it was encoded from. */
export function batchArb(constraints: BatchArbConstraints = {}): fc.Arbitrary<ArbitraryBatch> {
  return fc
    .tuple(
      fc.array(recordInputArb(constraints.maxBytes), { minLength: 1, maxLength: constraints.maxRecords ?? 8 }),
      batchOptionsArb(constraints.compressions),
    )
    .map(([records, options]) => ({ records, options, bytes: encodeRecordBatch(records, options) }));
}

/** Concatenates batches as a fetch response carries them. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let position = 0;
  for (const part of parts) {
    out.set(part, position);
    position += part.length;
  }
  return out;
}

/** The records the reader must return for a CreateTime batch encoded from `records, options`. */
export function expectedOutputs(records: readonly RecordInput[], options: BatchOptions = {}): RecordOutput[] {
  const baseTimestamp = options.baseTimestamp ?? records[0]?.timestamp ?? 0;
  const baseOffset = options.baseOffset ?? 0;
  return records.map((record, index) => ({
    offset: baseOffset + index,
    timestamp: record.timestamp ?? baseTimestamp,
    key: record.key,
    value: record.value,
    headers: record.headers ?? [],
    isControl: false,
  }));
}

/**
 * Recomputes the CRC of the one batch in `bytes`, for tests that corrupt what lies inside the CRC
 * range on purpose and want the record walk, not the CRC, to catch it.
 */
export function resealBatch(bytes: Uint8Array): Uint8Array {
  writeInt32(bytes, BatchField.crc, crc32c(bytes, batchCrcStart));
  return bytes;
}

/**
 * Rewrites record `index`'s offsetDelta in place, in an uncompressed batch of small records (each
 * record's length fits one varint byte; `delta` in 0..63 so the varint keeps its size). The CRC
 * is left stale: call resealBatch after.
 */
export function rewriteOffsetDelta(batch: Uint8Array, index: number, delta: number): void {
  assert(delta >= 0 && delta < 64, 'a one-byte zigzag varint');
  let position = BatchField.records;
  for (let i = 0; i < index; i++) {
    assert(batch[position] < 0x80, 'one-byte record lengths only');
    position += 1 + batch[position] / 2;
  }
  assert(batch[position] < 0x80, 'one-byte record lengths only');
  position += 2; // record length, attributes
  while ((batch[position] & 0x80) !== 0) position++; // timestampDelta
  position++;
  assert(batch[position] < 0x80, 'the old offsetDelta is one byte too');
  writeVarint(batch, { position }, delta);
}
