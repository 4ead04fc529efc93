// The broker's produce validation (validateRecordBatch) and the readers (decodeRecordBatch, the
// lazy scanRecords behind the client's fetch) walk a batch's records with one walk, so a bad
// length gets the same Kafka code from each. Batches here keep offset deltas 0..n−1 and a correct
// CRC and record count (the things validation checks and readers deliberately do not), and get
// declared lengths that may lie: record frames, key and value lengths (null included), header
// counts and header key/value lengths, each off by a little or by a lot.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { BatchField, validateRecordBatch, writeInt32 } from '../../../core/records/record_batch.js';
import { decodeRecordBatch, readBatchSections, scanRecords } from '../../../core/records/record_reader.js';
import { resealBatch } from '../../support/arbitraries.js';
import { codeOf } from '../../support/error_code.js';
import { batchOf, rawRecord, type RecordPart } from '../../unit/records/inner_record_cases.js';

/** A declared length: the true one, nearby, null (−1), or far off either way. */
const lieArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 30), max: 2 ** 30 }) },
);

const bytesArb = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 });

/** A sized field: its bytes and how far its declared length is from their count (−1 bytes: null). */
const fieldArb = fc.record({ bytes: fc.option(bytesArb, { nil: null }), lie: lieArb });
type Field = { bytes: number[] | null; lie: number };

function fieldParts({ bytes, lie }: Field): RecordPart[] {
  if (bytes === null) return [-1 + lie];
  return [bytes.length + lie, bytes];
}

const recordArb = fc.record({
  key: fieldArb,
  value: fieldArb,
  headers: fc.array(fc.record({ key: fieldArb, value: fieldArb }), { maxLength: 3 }),
  headerCountLie: lieArb,
  frameLie: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) }),
});

const batchArbitrary = fc.array(recordArb, { minLength: 1, maxLength: 4 }).map((records) =>
  batchOf(
    records.map((record, index) =>
      rawRecord(
        index,
        [
          ...fieldParts(record.key),
          ...fieldParts(record.value),
          record.headers.length + record.headerCountLie,
          ...record.headers.flatMap((header) => [...fieldParts(header.key), ...fieldParts(header.value)]),
        ],
        record.frameLie,
      ),
    ),
  ),
);

function scanCode(bytes: Uint8Array): number | undefined {
  return codeOf(() => {
    for (const section of readBatchSections(bytes, { partialTail: 'refuse' })) {
      scanRecords(section.recordBytes, section.recordsStart, section.recordsEnd, section.header.recordCount, {
        record() {},
      });
    }
  });
}

describe('one record walk', () => {
  it('validation and both readers answer the same code for the same bad lengths', () => {
    fc.assert(
      fc.property(batchArbitrary, (bytes) => {
        const validated = codeOf(() => validateRecordBatch(bytes, 0, bytes.length, { maxBatchBytes: 1 << 20 }));
        expect(codeOf(() => decodeRecordBatch(bytes, 0, bytes.length))).toBe(validated);
        expect(scanCode(bytes)).toBe(validated);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a negative record count as validation does (INVALID_RECORD)', () => {
    const bytes = batchOf([rawRecord(0, [-1, -1, 0])]);
    writeInt32(bytes, BatchField.recordCount, -1);
    writeInt32(bytes, BatchField.lastOffsetDelta, -2);
    const sealed = resealBatch(bytes);
    expect(codeOf(() => validateRecordBatch(sealed, 0, sealed.length, { maxBatchBytes: 1 << 20 }))).toBe(ErrorCode.INVALID_RECORD);
    expect(codeOf(() => decodeRecordBatch(sealed, 0, sealed.length))).toBe(ErrorCode.INVALID_RECORD);
  });
});
