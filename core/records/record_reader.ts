// Decodes RecordBatch v2 bytes back into records: for the embedded consumer, `lanes consume`,
// tools and tests. The broker's append and fetch paths never call this; they move batches as
// bytes (record_batch.ts).
//
// Input is what a fetch returns for one partition: zero or more whole batches back to back,
// possibly followed by one partial batch cut off by the fetch byte limits. The partial tail is
// skipped, as every Kafka client does; bytes that cannot be a batch at all are refused.
//
// Unlike validateRecordBatch this does not require offset deltas 0..n−1: compaction leaves gaps
// (and empty batches) that consumers must read. It does check the CRC (like the Java consumer's
// check.crcs=true), the magic, and that every record lies exactly inside its batch.
//
// Zero-copy: for an uncompressed batch, record keys, values and header values are subarray views
// of the input bytes, not copies. Callers that keep records after the input buffer is reused
// (a pooled socket buffer, a shared-memory segment being overwritten) must copy them. For a
// compressed batch they are views of a fresh decompressed buffer, owned by the records.

import { assert } from '../assert.js';
import { ErrorCode, LanesError } from '../errors.js';
import { recordBatchHeaderBytes } from '../limits.js';
import { decompress as registryDecompress } from './compression.js';
import { crc32c } from './crc32c.js';
import {
  attributeCodecMask,
  attributeControl,
  attributeLogAppendTime,
  attributeTransactional,
  batchCrcStart,
  batchLogOverheadBytes,
  BatchField,
  Compression,
  readBatchHeader,
  readInt32,
  readUint32,
  type BatchHeader,
} from './record_batch.js';
import type { RecordHeader, RecordOutput } from './record.js';
import type { Cursor } from './varint.js';
import { readHeaderCount, skipSizedField, walkRecords, type RecordFieldSink } from './record_walk.js';

export type TimestampType = 'CreateTime' | 'LogAppendTime';

/** One batch, decoded: its header, what its attributes mean, and its records. */
export interface DecodedBatch {
  header: BatchHeader;
  /** Byte position of the batch in the input. */
  position: number;
  /** Whole batch size in bytes (batchLength + 12). */
  bytes: number;
  compression: number;
  timestampType: TimestampType;
  isTransactional: boolean;
  /** A control batch (transaction markers): consumers skip its records. */
  isControl: boolean;
  /** baseOffset + lastOffsetDelta; the next batch starts at lastOffset + 1 or later. */
  lastOffset: number;
  records: RecordOutput[];
}

export interface ReadOptions {
  /** Check each batch's CRC-32C (default true), like the Java consumer's check.crcs. */
  verifyCrc?: boolean;
  /** CRC-32C over bytes[start, end); defaults to the TS twin. */
  crc32c?: (bytes: Uint8Array, start: number, end: number) => number;
  /** Decompresses a records section; defaults to the codec registry's bounded decompress. */
  decompress?: (codec: number, blob: Uint8Array) => Uint8Array;
  /**
   * What to do with a trailing partial batch: skip it (default, as fetch responses may end with
   * one) or refuse it with CORRUPT_MESSAGE (for bytes that must be whole, like a log segment).
   */
  partialTail?: 'skip' | 'refuse';
}

const textDecoder = new TextDecoder();

function corrupt(message: string): LanesError {
  return new LanesError(ErrorCode.CORRUPT_MESSAGE, message);
}

/**
 * Yields every batch in bytes[start, end) in order. Throws a LanesError (CORRUPT_MESSAGE,
 * INVALID_RECORD or UNSUPPORTED_COMPRESSION_TYPE) at the first batch that cannot be read; the
 * batches before it have been yielded by then.
 */
export function* readBatches(bytes: Uint8Array, options: ReadOptions = {}, start = 0, end = bytes.length): Generator<DecodedBatch> {
  yield* walkBatches(bytes, options, start, end, decodeRecordBatch);
}

/**
 * Like readBatches, but yields each batch's records section undecoded (decompressed when the
 * batch was compressed), for readers that decode records lazily (scanRecords). Same checks and
 * errors for the batch framing, CRC and magic; records are checked by scanRecords.
 */
export function* readBatchSections(bytes: Uint8Array, options: ReadOptions = {}, start = 0, end = bytes.length): Generator<BatchSection> {
  yield* walkBatches(bytes, options, start, end, batchSectionOf);
}

function* walkBatches<T>(
  bytes: Uint8Array,
  options: ReadOptions,
  start: number,
  end: number,
  decode: (bytes: Uint8Array, at: number, length: number, options: ReadOptions) => T,
): Generator<T> {
  assert(0 <= start && start <= end && end <= bytes.length, 'readBatches: range outside the buffer');
  let position = start;
  while (position < end) {
    const remaining = end - position;
    if (remaining < batchLogOverheadBytes) {
      if (options.partialTail === 'refuse') throw corrupt(`${remaining} trailing bytes are not a batch`);
      return;
    }
    const total = batchLogOverheadBytes + readInt32(bytes, position + BatchField.batchLength);
    // A length that could not even hold the header is garbage, whatever follows it.
    if (total < recordBatchHeaderBytes) throw corrupt(`batchLength ${total - batchLogOverheadBytes} at byte ${position} is too small for a batch`);
    if (total > remaining) {
      if (options.partialTail === 'refuse') throw corrupt(`the batch at byte ${position} needs ${total} bytes, ${remaining} remain`);
      return;
    }
    yield decode(bytes, position, total, options);
    position += total;
  }
  assert(position === end, 'the batch walk ends exactly at the end of the input');
}

/**
 * Yields every record of every batch in bytes[start, end), control records included (flagged
 * by isControl). Same errors and partial-tail rule as readBatches.
 */
export function* readRecords(bytes: Uint8Array, options: ReadOptions = {}, start = 0, end = bytes.length): Generator<RecordOutput> {
  for (const batch of readBatches(bytes, options, start, end)) yield* batch.records;
}

/** One batch with its records section undecoded: what readBatchSections yields. */
export interface BatchSection extends Omit<DecodedBatch, 'records'> {
  /**
   * Holds the records section at [recordsStart, recordsEnd): the input bytes for an uncompressed
   * batch (a view, not a copy), a fresh decompressed buffer otherwise.
   */
  recordBytes: Uint8Array;
  recordsStart: number;
  recordsEnd: number;
}

/** Decodes the one batch occupying exactly bytes[at, at + length). */
export function decodeRecordBatch(bytes: Uint8Array, at: number, length: number, options: ReadOptions = {}): DecodedBatch {
  const section = batchSectionOf(bytes, at, length, options);
  const records = decodeRecords(section.recordBytes, section.recordsStart, section.recordsEnd, section.header, section.timestampType, section.isControl);
  return {
    header: section.header,
    position: section.position,
    bytes: section.bytes,
    compression: section.compression,
    timestampType: section.timestampType,
    isTransactional: section.isTransactional,
    isControl: section.isControl,
    lastOffset: section.lastOffset,
    records,
  };
}

/** Checks the one batch occupying exactly bytes[at, at + length) and finds (or decompresses) its records section. */
export function batchSectionOf(bytes: Uint8Array, at: number, length: number, options: ReadOptions = {}): BatchSection {
  assert(at >= 0 && at + length <= bytes.length, 'decodeRecordBatch: range outside the buffer');
  if (length < recordBatchHeaderBytes) throw corrupt(`a record batch needs ${recordBatchHeaderBytes} header bytes, got ${length}`);
  const header = readBatchHeader(bytes, at);
  if (header.magic !== 2) throw corrupt(`record batch magic ${header.magic}, only magic 2 is supported`);
  if (header.batchLength + batchLogOverheadBytes !== length) {
    throw corrupt(`batchLength says ${header.batchLength + batchLogOverheadBytes} bytes, the batch has ${length}`);
  }
  if (options.verifyCrc !== false) {
    const actual = (options.crc32c ?? crc32c)(bytes, at + batchCrcStart, at + length);
    if (actual !== readUint32(bytes, at + BatchField.crc)) {
      throw corrupt(`record batch at byte ${at}: CRC-32C mismatch (stored ${header.crc}, computed ${actual})`);
    }
  }
  // Kafka's DefaultRecordBatch refuses a negative count with InvalidRecordException, as validation does.
  if (header.recordCount < 0) throw new LanesError(ErrorCode.INVALID_RECORD, `record batch has ${header.recordCount} records`);

  const compression = header.attributes & attributeCodecMask;
  const timestampType: TimestampType = (header.attributes & attributeLogAppendTime) !== 0 ? 'LogAppendTime' : 'CreateTime';
  const isControl = (header.attributes & attributeControl) !== 0;
  const recordsStart = at + BatchField.records;
  let plain = bytes;
  let plainStart = recordsStart;
  let plainEnd = at + length;
  if (compression !== Compression.none) {
    const blob = bytes.subarray(recordsStart, at + length);
    plain = (options.decompress ?? registryDecompress)(compression, blob);
    plainStart = 0;
    plainEnd = plain.length;
  }
  return {
    header,
    position: at,
    bytes: length,
    compression,
    timestampType,
    isTransactional: (header.attributes & attributeTransactional) !== 0,
    isControl,
    lastOffset: header.baseOffset + header.lastOffsetDelta,
    recordBytes: plain,
    recordsStart: plainStart,
    recordsEnd: plainEnd,
  };
}

export type { RecordFieldSink } from './record_walk.js';

/**
 * Walks the `recordCount` records in bytes[start, end) with the checks and codes every entry
 * point shares (record_walk.ts; offset deltas may have gaps), handing each record's field
 * positions to `sink` instead of building records: nothing is copied or allocated per record.
 */
export function scanRecords(bytes: Uint8Array, start: number, end: number, recordCount: number, sink: RecordFieldSink): void {
  walkRecords(bytes, start, end, recordCount, false, sink);
}

/** The headers scanRecords reported at `headersStart` (the header count varint), as views of `bytes`. */
export function readHeadersAt(bytes: Uint8Array, headersStart: number, end: number): RecordHeader[] {
  return readHeaders(bytes, { position: headersStart }, end);
}

/**
 * Decodes the `header.recordCount` records in bytes[start, end), which they must fill exactly,
 * with validateRecordBatch's walk and codes (record_walk.ts).
 */
function decodeRecords(
  bytes: Uint8Array,
  start: number,
  end: number,
  header: BatchHeader,
  timestampType: TimestampType,
  isControl: boolean,
): RecordOutput[] {
  const records: RecordOutput[] = [];
  // scanRecords makes every check (same order, same codes); this only turns positions into views.
  scanRecords(bytes, start, end, header.recordCount, {
    record(offsetDelta, timestampDelta, keyStart, keyLength, valueStart, valueLength, headersStart) {
      records.push({
        offset: header.baseOffset + offsetDelta,
        timestamp: timestampType === 'LogAppendTime' ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
        key: keyLength === -1 ? null : bytes.subarray(keyStart, keyStart + keyLength),
        value: valueLength === -1 ? null : bytes.subarray(valueStart, valueStart + valueLength),
        headers: readHeadersAt(bytes, headersStart, end),
        isControl,
      });
    },
  });
  return records;
}

function readHeaders(bytes: Uint8Array, cursor: Cursor, end: number): RecordHeader[] {
  // The same length checks as the walk (which has already passed these positions).
  const count = readHeaderCount(bytes, cursor, end, -1);
  const headers: RecordHeader[] = [];
  for (let index = 0; index < count; index++) {
    const keyLength = skipSizedField(bytes, cursor, end, 0, -1, 'header key');
    const key = bytes.subarray(cursor.position - keyLength, cursor.position);
    const valueLength = skipSizedField(bytes, cursor, end, -1, -1, 'header value');
    const value = valueLength === -1 ? null : bytes.subarray(cursor.position - valueLength, cursor.position);
    headers.push({ key: textDecoder.decode(key), value });
  }
  return headers;
}
