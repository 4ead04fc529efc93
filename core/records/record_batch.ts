// RecordBatch v2 (magic 2) as a view over bytes. The broker stores batches exactly as producers
// sent them, after patching baseOffset and partitionLeaderEpoch in place; it never re-encodes.
// Because the CRC covers attributes through the end of the batch, that patch keeps the CRC valid.
//
//   offset  field                 type    notes
//   0       baseOffset            int64   producers send 0; the log overwrites it
//   8       batchLength           int32   bytes after this field (total − 12)
//   12      partitionLeaderEpoch  int32   the log overwrites it (0: one node, no elections)
//   16      magic                 int8    2
//   17      crc                   uint32  CRC-32C of bytes [21, end)
//   21      attributes            int16   bits 0–2 codec, 3 timestamp type, 4 transactional, 5 control
//   23      lastOffsetDelta       int32   offset of the last record − baseOffset
//   27      baseTimestamp         int64
//   35      maxTimestamp          int64
//   43      producerId            int64   −1 when not idempotent
//   51      producerEpoch         int16
//   53      baseSequence          int32
//   57      recordCount           int32
//   61      records               …       one compressed blob when codec ≠ 0

import { assert } from '../assert.js';
import { ErrorCode, LanesError } from '../errors.js';
import { recordBatchHeaderBytes } from '../limits.js';
import { crc32c } from './crc32c.js';
import { walkRecords } from './record_walk.js';

export const BatchField = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
  records: 61,
} as const;

/** Bytes before batchLength's count starts: baseOffset (8) and batchLength itself (4). */
export const batchLogOverheadBytes = 12;
export const batchCrcStart = BatchField.attributes;

export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionCodec = (typeof Compression)[keyof typeof Compression];

export const attributeCodecMask = 0x07;
export const attributeLogAppendTime = 0x08;
export const attributeTransactional = 0x10;
export const attributeControl = 0x20;

assert(recordBatchHeaderBytes === BatchField.records, 'the header ends where records begin');

// Big-endian field access without DataView allocation: batches arrive as views at arbitrary
// offsets of pooled socket buffers or shared memory.

export function readInt16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16)) >> 16;
}

export function readInt32(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
}

export function readUint32(bytes: Uint8Array, at: number): number {
  return readInt32(bytes, at) >>> 0;
}

/** int64 as a JS number: exact within ±2^53, which every offset and timestamp we handle is. */
export function readInt64(bytes: Uint8Array, at: number): number {
  return readInt32(bytes, at) * 0x1_0000_0000 + readUint32(bytes, at + 4);
}

export function writeInt32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = value >>> 16;
  bytes[at + 2] = value >>> 8;
  bytes[at + 3] = value;
}

export function writeInt64(bytes: Uint8Array, at: number, value: number): void {
  assert(Number.isSafeInteger(value), `int64 field value ${value} is not a safe integer`);
  const high = Math.floor(value / 0x1_0000_0000);
  writeInt32(bytes, at, high | 0);
  writeInt32(bytes, at + 4, (value - high * 0x1_0000_0000) >>> 0);
}

/** The header of the batch that starts at `at`, decoded into numbers (for tools and the log). */
export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export function readBatchHeader(bytes: Uint8Array, at = 0): BatchHeader {
  assert(at + recordBatchHeaderBytes <= bytes.length, 'readBatchHeader needs a whole header');
  return {
    baseOffset: readInt64(bytes, at + BatchField.baseOffset),
    batchLength: readInt32(bytes, at + BatchField.batchLength),
    partitionLeaderEpoch: readInt32(bytes, at + BatchField.partitionLeaderEpoch),
    magic: bytes[at + BatchField.magic] << 24 >> 24,
    crc: readUint32(bytes, at + BatchField.crc),
    attributes: readInt16(bytes, at + BatchField.attributes),
    lastOffsetDelta: readInt32(bytes, at + BatchField.lastOffsetDelta),
    baseTimestamp: readInt64(bytes, at + BatchField.baseTimestamp),
    maxTimestamp: readInt64(bytes, at + BatchField.maxTimestamp),
    producerId: readInt64(bytes, at + BatchField.producerId),
    producerEpoch: readInt16(bytes, at + BatchField.producerEpoch),
    baseSequence: readInt32(bytes, at + BatchField.baseSequence),
    recordCount: readInt32(bytes, at + BatchField.recordCount),
  };
}

/** Total bytes of the batch starting at `at` (from its batchLength field). */
export function batchTotalBytes(bytes: Uint8Array, at = 0): number {
  return batchLogOverheadBytes + readInt32(bytes, at + BatchField.batchLength);
}

export function batchCodec(bytes: Uint8Array, at = 0): number {
  return readInt16(bytes, at + BatchField.attributes) & attributeCodecMask;
}

/**
 * Overwrites baseOffset and partitionLeaderEpoch in place. Neither is covered by the CRC, so the
 * batch stays valid; this is the whole of what an append does to a producer's bytes.
 */
export function patchBatch(bytes: Uint8Array, at: number, baseOffset: number, partitionLeaderEpoch: number): void {
  writeInt64(bytes, at + BatchField.baseOffset, baseOffset);
  writeInt32(bytes, at + BatchField.partitionLeaderEpoch, partitionLeaderEpoch);
}

/**
 * Marks the batch occupying bytes[at, at + length) as LogAppendTime, stamped `appendTimeMs`:
 * sets attribute bit 3 and maxTimestamp, then recomputes the CRC, because both lie inside the
 * CRC range. This is what an append does for a topic with message.timestamp.type=LogAppendTime;
 * readers then give every record of the batch this timestamp. Validate the batch first: a
 * restamped CRC would otherwise bless corrupt bytes.
 */
export function stampLogAppendTime(
  bytes: Uint8Array,
  at: number,
  length: number,
  appendTimeMs: number,
  checksum: (bytes: Uint8Array, start: number, end: number) => number = crc32c,
): void {
  assert(length >= recordBatchHeaderBytes, 'stampLogAppendTime needs a whole header');
  assert(batchTotalBytes(bytes, at) === length, 'stampLogAppendTime needs exactly one whole batch');
  const attributes = readInt16(bytes, at + BatchField.attributes) | attributeLogAppendTime;
  bytes[at + BatchField.attributes] = attributes >>> 8;
  bytes[at + BatchField.attributes + 1] = attributes & 0xff;
  writeInt64(bytes, at + BatchField.maxTimestamp, appendTimeMs);
  writeInt32(bytes, at + BatchField.crc, checksum(bytes, at + batchCrcStart, at + length));
}

export interface ValidateOptions {
  /** Largest batch accepted (Kafka's max.message.bytes); larger → MESSAGE_TOO_LARGE. */
  maxBatchBytes: number;
  /** CRC-32C over bytes[start, end); defaults to the TS twin. Lets the caller pick the WASM kernel. */
  crc32c?: (bytes: Uint8Array, start: number, end: number) => number;
  /**
   * Decompresses the records blob of a compressed batch, so its inner records can be checked.
   * Absent: compressed batches are refused with UNSUPPORTED_COMPRESSION_TYPE.
   */
  decompress?: (codec: number, blob: Uint8Array) => Uint8Array;
}

/**
 * Checks the batch occupying exactly bytes[at, at + length) as Kafka's LogValidator would, and
 * throws a LanesError carrying Kafka's code on the first problem: magic and lengths
 * (CORRUPT_MESSAGE), size (MESSAGE_TOO_LARGE), CRC (CORRUPT_MESSAGE), codec
 * (UNSUPPORTED_COMPRESSION_TYPE), record count and offset deltas 0..n−1 (INVALID_RECORD), and
 * that every record's key, value and headers fit it exactly (INVALID_RECORD; record_walk.ts explains the codes).
 * Returns the record count. Never modifies the bytes.
 */
export function validateRecordBatch(bytes: Uint8Array, at: number, length: number, options: ValidateOptions): number {
  if (length < recordBatchHeaderBytes) {
    throw new LanesError(ErrorCode.CORRUPT_MESSAGE, `a record batch needs ${recordBatchHeaderBytes} header bytes, got ${length}`);
  }
  assert(at + length <= bytes.length, 'validateRecordBatch: range beyond the buffer');
  const magic = bytes[at + BatchField.magic];
  if (magic !== 2) throw new LanesError(ErrorCode.CORRUPT_MESSAGE, `record batch magic ${magic}, only magic 2 is supported`);
  const total = batchTotalBytes(bytes, at);
  if (total !== length) {
    throw new LanesError(ErrorCode.CORRUPT_MESSAGE, `batchLength says ${total} bytes, the batch has ${length}`);
  }
  if (length > options.maxBatchBytes) {
    throw new LanesError(ErrorCode.MESSAGE_TOO_LARGE, `record batch of ${length} bytes exceeds max.message.bytes ${options.maxBatchBytes}`);
  }
  const expectedCrc = readUint32(bytes, at + BatchField.crc);
  const actualCrc = (options.crc32c ?? crc32c)(bytes, at + batchCrcStart, at + length);
  if (expectedCrc !== actualCrc) {
    throw new LanesError(ErrorCode.CORRUPT_MESSAGE, `record batch CRC-32C mismatch (stored ${expectedCrc}, computed ${actualCrc})`);
  }
  const recordCount = readInt32(bytes, at + BatchField.recordCount);
  const lastOffsetDelta = readInt32(bytes, at + BatchField.lastOffsetDelta);
  if (recordCount <= 0) throw new LanesError(ErrorCode.INVALID_RECORD, `record batch has ${recordCount} records`);
  if (lastOffsetDelta !== recordCount - 1) {
    throw new LanesError(ErrorCode.INVALID_RECORD, `lastOffsetDelta ${lastOffsetDelta} does not match ${recordCount} records`);
  }
  const codec = batchCodec(bytes, at);
  if (codec === Compression.none) {
    checkRecordOffsets(bytes, at + BatchField.records, at + length, recordCount);
  } else {
    if (codec > Compression.zstd || options.decompress === undefined) {
      throw new LanesError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `compression codec ${codec} is not supported`);
    }
    const plain = options.decompress(codec, bytes.subarray(at + BatchField.records, at + length));
    checkRecordOffsets(plain, 0, plain.length, recordCount);
  }
  return recordCount;
}

/**
 * Walks the records in bytes[start, end) and checks there are exactly `recordCount` of them,
 * each within bounds, with offsetDelta 0, 1, …, n−1, and that every record parses
 * (record_walk.ts, the walk every reader shares, so whatever passes can be read by every
 * consumer). This is the TS twin of the WASM kernel's record walk: same checks, same order,
 * same codes.
 */
export function checkRecordOffsets(bytes: Uint8Array, start: number, end: number, recordCount: number): void {
  walkRecords(bytes, start, end, recordCount, true, null);
}
