// Batches whose records are framed correctly (each record's length fits the batch) but whose key,
// value or headers do not fit the record: the inner-record checks of validateRecordBatch's walk.
// Before those checks existed, every one of these passed validation and then stopped every
// consumer (record_reader.ts throws on them). Shared by the TS unit tests
// (record_batch.test.ts) and the WASM twin test (test/property/wasm/kernels_twin.test.ts), which
// must give the same code for each.

import { ErrorCode } from '../../../core/errors.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { BatchField, writeInt32 } from '../../../core/records/record_batch.js';
import { varintBytes, writeVarint } from '../../../core/records/varint.js';
import { concatBytes, resealBatch } from '../../support/arbitraries.js';

/** One record's body, field by field: numbers are written as zigzag varints, arrays as raw bytes. */
export type RecordPart = number | number[];

function varint(value: number): Uint8Array {
  const out = new Uint8Array(varintBytes(value));
  writeVarint(out, { position: 0 }, value);
  return out;
}

/**
 * The record: length varint, then the body (attributes 0, timestampDelta 0, offsetDelta `index`,
 * then `fields`). `extraLength` is added to the declared length (to frame a record wrongly).
 */
export function rawRecord(index: number, fields: RecordPart[], extraLength = 0): Uint8Array {
  const body = concatBytes([Uint8Array.of(0, 0), varint(index), ...fields.map((part) => (typeof part === 'number' ? varint(part) : Uint8Array.from(part)))]);
  return concatBytes([varint(body.length + extraLength), body]);
}

/** A valid batch header (CRC resealed) over exactly these records. */
export function batchOf(records: Uint8Array[]): Uint8Array {
  const header = encodeRecordBatch([{ key: null, value: null, timestamp: 1_700_000_000_000 }]).subarray(0, BatchField.records);
  const bytes = concatBytes([header, ...records]);
  writeInt32(bytes, BatchField.batchLength, bytes.length - 12);
  writeInt32(bytes, BatchField.recordCount, records.length);
  writeInt32(bytes, BatchField.lastOffsetDelta, records.length - 1);
  return resealBatch(bytes);
}

export interface InnerRecordCase {
  name: string;
  bytes: Uint8Array;
  /** Kafka's code: 0 when the batch must be accepted. */
  code: number;
}

const k = [0x6b, 0x6b]; // "kk"
const v = [0x76, 0x76, 0x76]; // "vvv"

export const innerRecordCases: InnerRecordCase[] = [
  {
    name: 'a well-formed record with null key, null value and a header with a null value and an empty key',
    bytes: batchOf([rawRecord(0, [-1, -1, 2, 1, [0x68], -1, 0, -1])]),
    code: 0,
  },
  {
    name: 'a key length past the end of the record',
    bytes: batchOf([rawRecord(0, [10, k, 3, v, 0])]),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'a negative key length other than −1 (null)',
    bytes: batchOf([rawRecord(0, [-2, k, 3, v, 0])]),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'a value length of −5',
    bytes: batchOf([rawRecord(0, [2, k, -5, v, 0])]),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'a header count larger than the bytes left in the record (fails before any header is read)',
    bytes: batchOf([rawRecord(0, [2, k, 3, v, 0x7fff_ffff, 1, [0x68], -1])]),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'a header count that fits the bytes but not the headers (the next header key length runs past)',
    bytes: batchOf([rawRecord(0, [2, k, 3, v, 2, 1, [0x68], -1, 5])]),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'a negative header count',
    bytes: batchOf([rawRecord(0, [2, k, 3, v, -1])]),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'a header key length of −1 (header keys are non-null strings)',
    bytes: batchOf([rawRecord(0, [2, k, 3, v, 1, -1, -1])]),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'a header value length past the end of the record',
    bytes: batchOf([rawRecord(0, [2, k, 3, v, 1, 1, [0x68], 4, [1, 2]])]),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'stray bytes after the last header, inside the record length',
    bytes: batchOf([rawRecord(0, [2, k, 3, v, 1, 1, [0x68], -1, [0x5a, 0x5a]])]),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'stray bytes after a record without headers',
    bytes: batchOf([rawRecord(0, [-1, 3, v, 0, [0x5a]])]),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    // The record framing is right, so the old walk skipped to the next record; the value length
    // counts bytes of the next record, which the batch does hold.
    name: 'a value length running into the next record',
    bytes: batchOf([rawRecord(0, [-1, 8, v, 0]), rawRecord(1, [-1, 3, v, 0])]),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'a bad field in the second record, after a good first one',
    bytes: batchOf([rawRecord(0, [-1, 3, v, 0]), rawRecord(1, [-1, 3, v, 1, -1, -1])]),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    // A varint cut off by the record's end stays CORRUPT_MESSAGE, as for every varint the walk reads.
    name: 'a key length varint cut off by the end of the record',
    bytes: batchOf([rawRecord(0, [[0x80]])]),
    code: ErrorCode.CORRUPT_MESSAGE,
  },
  {
    name: 'a header count one more than the headers, so the next length varint is cut off by the record end',
    bytes: batchOf([rawRecord(0, [2, k, 3, v, 2, 1, [0x68], -1])]),
    code: ErrorCode.CORRUPT_MESSAGE,
  },
  {
    name: 'a header count varint longer than 5 bytes',
    bytes: batchOf([rawRecord(0, [-1, -1, [0x80, 0x80, 0x80, 0x80, 0x80, 0x00]])]),
    code: ErrorCode.CORRUPT_MESSAGE,
  },
];
