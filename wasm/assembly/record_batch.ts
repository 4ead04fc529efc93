// RecordBatch v2 validation and the append copy, over bytes already in the shared memory.
//
// This is the WASM twin of validateRecordBatch / checkRecordOffsets in
// core/records/record_batch.ts and must return EXACTLY the Kafka error code that the TS twin
// throws for the same bytes: the same checks, in the same order, the first failure wins. The
// property tests (test/property/wasm) compare both on valid and corrupted batches; change the
// two together.
//
// Header layout (big-endian fields; see core/records/record_batch.ts for the full table):
//   0 baseOffset i64 · 8 batchLength i32 · 12 partitionLeaderEpoch i32 · 16 magic i8 ·
//   17 crc u32 (CRC-32C of [21, end)) · 21 attributes i16 · 23 lastOffsetDelta i32 · … ·
//   57 recordCount i32 · 61 records
//
// Addresses are usize (u32). The host keeps every batch below 2^32 − 1 so `src + length` never
// wraps (wasm/kernels.ts refuses a memory of 4 GiB).

import { crc32c } from './crc32c';

// Kafka's error codes, as core/errors.ts names them.
const NONE: i32 = 0;
const CORRUPT_MESSAGE: i32 = 2;
const MESSAGE_TOO_LARGE: i32 = 10;
const UNSUPPORTED_COMPRESSION_TYPE: i32 = 76;
const INVALID_RECORD: i32 = 87;

const headerBytes: usize = 61;
const batchLogOverheadBytes: i64 = 12;
const fieldBatchLength: usize = 8;
const fieldPartitionLeaderEpoch: usize = 12;
const fieldMagic: usize = 16;
const fieldCrc: usize = 17;
const fieldAttributesLow: usize = 22; // low byte of the big-endian attributes (21..22)
const fieldLastOffsetDelta: usize = 23;
const fieldRecordCount: usize = 57;
const crcStart: usize = 21;
const codecMask: u32 = 0x07;

// @ts-ignore: decorator
@inline
function loadInt32BigEndian(at: usize): i32 {
  return <i32>bswap<u32>(load<u32>(at));
}

// @ts-ignore: decorator
@inline
function storeInt32BigEndian(at: usize, value: u32): void {
  store<u32>(at, bswap<u32>(value));
}

/**
 * The address just after the varint that starts at `p`, or 0 when it runs to `limit` or is longer
 * than `maxBytes` (5 for a varint, 10 for a varlong). The TS readers throw CORRUPT_MESSAGE for
 * both, checking the bound before each byte as this does. 0 is never a valid answer: p > 0.
 */
// @ts-ignore: decorator
@inline
function varintEnd(p: usize, limit: usize, maxBytes: u32): usize {
  for (let i: u32 = 0; i < maxBytes; i++) {
    if (p >= limit) return 0;
    const byte = load<u8>(p);
    p++;
    if ((byte & 0x80) == 0) return p;
  }
  return 0;
}

/**
 * The zigzag int32 in [start, end), a varint varintEnd accepted (≤ 5 bytes). Bits shifted past 32
 * are dropped, as JS's `|=` with `<<` drops them in readVarint, so odd 5-byte encodings agree.
 */
// @ts-ignore: decorator
@inline
function zigzag32(start: usize, end: usize): i32 {
  assert(end > start && end - start <= 5, 'zigzag32: not a varint accepted by varintEnd');
  let raw: u32 = 0;
  let shift: u32 = 0;
  for (let p = start; p < end; p++) {
    raw |= (<u32>load<u8>(p) & 0x7f) << shift;
    shift += 7;
  }
  return <i32>(raw >>> 1) ^ -<i32>(raw & 1);
}

/**
 * The record walk over [start, end): exactly `recordCount` records, each within bounds, with
 * offsetDelta 0, 1, …, n−1, and no bytes after the last. Twin of checkRecordOffsets.
 */
function checkRecordOffsets(start: usize, end: usize, recordCount: i32): i32 {
  assert(recordCount > 0, 'checkRecordOffsets: the caller checked recordCount > 0');
  assert(end >= start, 'checkRecordOffsets: inverted range');
  let p = start;
  for (let index: i32 = 0; index < recordCount; index++) {
    if (p >= end) return INVALID_RECORD; // fewer records than the header claims
    const lengthEnd = varintEnd(p, end, 5);
    if (lengthEnd == 0) return CORRUPT_MESSAGE;
    const recordLength = zigzag32(p, lengthEnd);
    p = lengthEnd;
    // Compared as a remaining length, so a huge recordLength cannot wrap the address.
    if (recordLength < 0 || <usize>recordLength > end - p) return CORRUPT_MESSAGE;
    const recordEnd = p + <usize>recordLength;
    // Skip the attributes byte without a bound check, as the twin does: on an empty record
    // p passes recordEnd and the timestampDelta read below fails as truncated.
    p += 1;
    const timestampEnd = varintEnd(p, recordEnd, 10); // varlong timestampDelta, value unused
    if (timestampEnd == 0) return CORRUPT_MESSAGE;
    const offsetDeltaEnd = varintEnd(timestampEnd, recordEnd, 5);
    if (offsetDeltaEnd == 0) return CORRUPT_MESSAGE;
    if (zigzag32(timestampEnd, offsetDeltaEnd) != index) return INVALID_RECORD;
    p = recordEnd;
  }
  assert(p <= end, 'checkRecordOffsets: the walk left the batch');
  if (p != end) return CORRUPT_MESSAGE; // stray bytes after the last record
  return NONE;
}

/**
 * Validates the batch occupying exactly [src, src + length), as validateRecordBatch does, and
 * returns Kafka's code: 0, CORRUPT_MESSAGE, MESSAGE_TOO_LARGE or INVALID_RECORD; or
 * UNSUPPORTED_COMPRESSION_TYPE for any compressed batch, whose records only the host can reach
 * (it decompresses and runs the TS twin). Never writes.
 */
export function validateRecordBatch(table: usize, src: usize, length: usize, maxBatchBytes: usize): i32 {
  assert(src != 0, 'validateRecordBatch: null source');
  assert(src + length >= src, 'validateRecordBatch: range wraps around the address space');
  if (length < headerBytes) return CORRUPT_MESSAGE;
  if (load<u8>(src + fieldMagic) != 2) return CORRUPT_MESSAGE;
  // In i64: batchLength is any int32 a client sent, and + 12 must not overflow.
  const batchLength = loadInt32BigEndian(src + fieldBatchLength);
  if (<i64>batchLength + batchLogOverheadBytes != <i64>length) return CORRUPT_MESSAGE;
  if (length > maxBatchBytes) return MESSAGE_TOO_LARGE;
  const expectedCrc = bswap<u32>(load<u32>(src + fieldCrc));
  if (crc32c(table, src + crcStart, length - crcStart) != expectedCrc) return CORRUPT_MESSAGE;
  const recordCount = loadInt32BigEndian(src + fieldRecordCount);
  const lastOffsetDelta = loadInt32BigEndian(src + fieldLastOffsetDelta);
  if (recordCount <= 0) return INVALID_RECORD;
  if (lastOffsetDelta != recordCount - 1) return INVALID_RECORD;
  if ((<u32>load<u8>(src + fieldAttributesLow) & codecMask) != 0) return UNSUPPORTED_COMPRESSION_TYPE;
  return checkRecordOffsets(src + headerBytes, src + length, recordCount);
}

/**
 * validateRecordBatch, then on success copies the batch to `target` and patches the copy's
 * baseOffset (big-endian i64 from hi:lo) and partitionLeaderEpoch. On failure nothing is written.
 * The source is never written; the ranges must not overlap (the host asserts it too).
 */
export function validateAndCopy(
  table: usize,
  src: usize,
  length: usize,
  target: usize,
  baseOffsetHi: i32,
  baseOffsetLo: u32,
  leaderEpoch: i32,
  maxBatchBytes: usize,
): i32 {
  assert(target != 0, 'validateAndCopy: null target');
  assert(target + length >= target, 'validateAndCopy: target range wraps around the address space');
  assert(target + length <= src || src + length <= target, 'validateAndCopy: source and target overlap');
  const code = validateRecordBatch(table, src, length, maxBatchBytes);
  if (code != NONE) return code;
  memory.copy(target, src, length);
  store<u32>(target, bswap<u32>(<u32>baseOffsetHi));
  store<u32>(target, bswap<u32>(baseOffsetLo), 4);
  storeInt32BigEndian(target + fieldPartitionLeaderEpoch, <u32>leaderEpoch);
  // Paired with the check on the source: the copy is a batch of the same length.
  assert(load<u8>(target + fieldMagic) == 2, 'validateAndCopy: the copy lost its magic byte');
  assert(loadInt32BigEndian(target + fieldBatchLength) == <i32>(length - 12), 'validateAndCopy: batchLength changed');
  return NONE;
}
