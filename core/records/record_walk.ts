// The one walk over the records section of a RecordBatch v2, shared by the broker's validation
// (record_batch.ts: checkRecordOffsets, on produce) and every reader (record_reader.ts:
// scanRecords, decodeRecordBatch), so the same bad bytes always get the same Kafka code whichever
// entry point meets them. The WASM kernel's walk (wasm/assembly/record_batch.ts) is its twin:
// same checks, same order, same codes.
//
// Codes. A record whose key, value or headers do not fit inside it, or whose fields do not end
// exactly at its declared length, is INVALID_RECORD (87): current Kafka parses every record with
// DefaultRecord.readFrom, which throws InvalidRecordException ("Invalid record size", "Found
// invalid number of record headers", "Invalid negative header key size", "Found invalid record
// structure"), and Errors maps that exception to INVALID_RECORD (87). Before KIP-467 (Kafka 2.4)
// the exception subclassed CorruptRecordException and answered CORRUPT_MESSAGE (2). 87 is also
// the right answer for a producing client: CORRUPT_MESSAGE is retriable in the Java producer, so
// it would resend, until delivery.timeout.ms, bytes that passed the CRC and can never be
// accepted; INVALID_RECORD fails the send at once. A varint that is truncated at the record's end
// or longer than 5 bytes, a record length that runs past the batch, and stray bytes after the last
// record stay CORRUPT_MESSAGE (the framing itself is broken). Fewer records than the batch header
// counts is INVALID_RECORD.

import { ErrorCode, LanesError } from '../errors.js';
import { readVarint, readVarlong, type Cursor } from './varint.js';

/**
 * Receives one record's fields as positions in the records section: lengths are −1 for a null key
 * or value; headers are the `headerCount` headers from `headersStart` on (the header count varint),
 * already checked to fit (record_reader.ts: readHeadersAt decodes them).
 */
export interface RecordFieldSink {
  record(
    offsetDelta: number,
    timestampDelta: number,
    keyStart: number,
    keyLength: number,
    valueStart: number,
    valueLength: number,
    headersStart: number,
    headerCount: number,
  ): void;
}

/** `index` −1: a record whose place in its batch the caller does not know. */
function invalidRecord(index: number, message: string): LanesError {
  return new LanesError(ErrorCode.INVALID_RECORD, `${index >= 0 ? `record ${index}` : 'a record'}: ${message}`);
}

/**
 * Reads the length varint of a key, value, header key or header value at the cursor and skips the
 * bytes it counts; returns the length (−1: null). The length must be −1 (only when `minLength` is
 * −1) or fit in what is left of the record. Throws CORRUPT_MESSAGE for a bad varint,
 * INVALID_RECORD for a bad length. `index` names the record in the message.
 */
export function skipSizedField(bytes: Uint8Array, cursor: Cursor, recordEnd: number, minLength: number, index: number, what: string): number {
  // One-byte lengths (−64..63: null, empty and short fields) inline; readVarint for the rest.
  const position = cursor.position;
  const first = position < recordEnd ? bytes[position] : 0x80;
  let length: number;
  if (first < 0x80) {
    length = (first >>> 1) ^ -(first & 1);
    cursor.position = position + 1;
  } else {
    length = readVarint(bytes, cursor, recordEnd);
  }
  if (length < minLength || length > recordEnd - cursor.position) {
    throw invalidRecord(index, `${what} length ${length} is outside ${minLength}..${recordEnd - cursor.position} (the bytes left in the record)`);
  }
  if (length > 0) cursor.position += length;
  return length;
}

/**
 * Reads a record's header count at the cursor. Bounded by the bytes left (as Kafka does) before
 * any header is read, so a huge count fails here rather than after a long loop.
 */
export function readHeaderCount(bytes: Uint8Array, cursor: Cursor, recordEnd: number, index: number): number {
  const headerCount = readVarint(bytes, cursor, recordEnd);
  if (headerCount < 0 || headerCount > recordEnd - cursor.position) {
    throw invalidRecord(index, `header count ${headerCount} is outside 0..${recordEnd - cursor.position} (the bytes left in the record)`);
  }
  return headerCount;
}

/**
 * Walks the records in bytes[start, end) and checks there are exactly `recordCount` of them, each
 * within bounds, and that every record parses: key, value and headers (each header key non-null)
 * fit inside it and end exactly at its declared length. With `sequentialOffsets` (the broker's
 * produce check) offsetDelta must also run 0, 1, …, n−1; readers pass false, because compaction
 * leaves gaps. Each record's field positions go to `sink` when there is one; nothing is copied.
 */
export function walkRecords(
  bytes: Uint8Array,
  start: number,
  end: number,
  recordCount: number,
  sequentialOffsets: boolean,
  sink: RecordFieldSink | null,
): void {
  const cursor: Cursor = { position: start };
  for (let index = 0; index < recordCount; index++) {
    if (cursor.position >= end) {
      throw new LanesError(ErrorCode.INVALID_RECORD, `record batch ends after ${index} of ${recordCount} records`);
    }
    const recordLength = readVarint(bytes, cursor, end);
    const recordEnd = cursor.position + recordLength;
    if (recordLength < 0 || recordEnd > end) {
      throw new LanesError(ErrorCode.CORRUPT_MESSAGE, `record ${index} length ${recordLength} runs past the batch`);
    }
    // Attributes are skipped without a bound check: on an empty record the cursor passes
    // recordEnd and the timestampDelta read below fails as truncated (CORRUPT_MESSAGE).
    cursor.position += 1;
    const timestampDelta = readVarlong(bytes, cursor, recordEnd);
    const offsetDelta = readVarint(bytes, cursor, recordEnd);
    if (sequentialOffsets && offsetDelta !== index) {
      throw new LanesError(ErrorCode.INVALID_RECORD, `record ${index} has offsetDelta ${offsetDelta}; deltas must run 0..n-1`);
    }
    const keyLength = skipSizedField(bytes, cursor, recordEnd, -1, index, 'key');
    const keyStart = cursor.position - Math.max(0, keyLength);
    const valueLength = skipSizedField(bytes, cursor, recordEnd, -1, index, 'value');
    const valueStart = cursor.position - Math.max(0, valueLength);
    const headersStart = cursor.position;
    const headerCount = readHeaderCount(bytes, cursor, recordEnd, index);
    for (let header = 0; header < headerCount; header++) {
      skipSizedField(bytes, cursor, recordEnd, 0, index, 'header key'); // header keys are non-null strings
      skipSizedField(bytes, cursor, recordEnd, -1, index, 'header value');
    }
    if (cursor.position !== recordEnd) {
      throw invalidRecord(index, `its fields end ${recordEnd - cursor.position} bytes before its declared length ${recordLength}`);
    }
    sink?.record(offsetDelta, timestampDelta, keyStart, keyLength, valueStart, valueLength, headersStart, headerCount);
  }
  if (cursor.position !== end) {
    throw new LanesError(ErrorCode.CORRUPT_MESSAGE, `${end - cursor.position} stray bytes after the last record`);
  }
}
