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

import { crc32c, crc32cCopy } from './crc32c';

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
 * than `maxBytes` (10 for the varlong timestampDelta, whose value the walk does not need). The TS readers throw CORRUPT_MESSAGE for
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
 * Decodes the zigzag varint (int32) at `p` in one pass and returns it packed with its end:
 * (end << 32) | value, or 0 when the varint runs to `limit` or is longer than 5 bytes (the TS
 * reader throws CORRUPT_MESSAGE for both, checking the bound before each byte as this does; 0 is
 * never a valid answer, as the end is > 0). Bits shifted past 32 are dropped, as JS's `|=` with
 * `<<` drops them in readVarint, so odd 5-byte encodings agree.
 */
// @ts-ignore: decorator
@inline
function readVarint32(p: usize, limit: usize): u64 {
  // One- and two-byte varints (−8192..8191: null, empty and short lengths, header counts, record
  // lengths and offset deltas of most records) are decoded from one u16 load; longer ones, and
  // any varint within a byte of `limit`, by the loop.
  if (p + 1 < limit) {
    const two = <u32>load<u16>(p); // little-endian: the first byte is the low one
    if ((two & 0x80) == 0) {
      const raw = two & 0x7f;
      return (<u64>(p + 1) << 32) | <u64>((raw >>> 1) ^ -(raw & 1));
    }
    if ((two & 0x8000) == 0) {
      const raw = (two & 0x7f) | ((two >>> 1) & 0x3f80);
      return (<u64>(p + 2) << 32) | <u64>((raw >>> 1) ^ -(raw & 1));
    }
  }
  return readVarint32Long(p, limit);
}

function readVarint32Long(p: usize, limit: usize): u64 {
  let raw: u32 = 0;
  let shift: u32 = 0;
  for (let i: u32 = 0; i < 5; i++) {
    if (p >= limit) return 0;
    const byte = <u32>load<u8>(p);
    p++;
    raw |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return (<u64>p << 32) | <u64>((raw >>> 1) ^ -(raw & 1));
    shift += 7;
  }
  return 0;
}

// @ts-ignore: decorator
@inline
function varintEndOf(packed: u64): usize {
  return <usize>(packed >>> 32);
}

// @ts-ignore: decorator
@inline
function varintValueOf(packed: u64): i32 {
  return <i32>packed;
}

/**
 * Skips a length-prefixed field at `p` (key, value, header key or header value): a zigzag varint
 * length, −1 for null when `minLength` is −1, else 0..(bytes left in the record), then that many
 * bytes. Returns the address after the field, or −CORRUPT_MESSAGE for a bad varint and
 * −INVALID_RECORD for a bad length, as the TS twin's skipSizedField throws them.
 */
// @ts-ignore: decorator
@inline
function skipSizedField(p: usize, recordEnd: usize, minLength: i32): i64 {
  const packed = readVarint32(p, recordEnd);
  if (packed == 0) return -<i64>CORRUPT_MESSAGE;
  const lengthEnd = varintEndOf(packed);
  const length = varintValueOf(packed);
  // recordEnd − lengthEnd ≤ recordLength, an i32 ≥ 0, so the comparison is exact in i32 (−1 too).
  if (length < minLength || length > <i32>(recordEnd - lengthEnd)) return -<i64>INVALID_RECORD;
  return <i64>(lengthEnd + <usize>max<i32>(length, 0));
}

/**
 * The record walk over [start, end): exactly `recordCount` records, each within bounds, with
 * offsetDelta 0, 1, …, n−1, key, value and headers (non-null header keys) that fit the record and
 * end exactly at its declared length, and no bytes after the last record. Twin of
 * checkRecordOffsets, whose comment explains the codes: a bad varint is CORRUPT_MESSAGE, a field or
 * header count that does not fit, or fields that end before the record does, INVALID_RECORD.
 */
function checkRecordOffsets(start: usize, end: usize, recordCount: i32): i32 {
  assert(recordCount > 0, 'checkRecordOffsets: the caller checked recordCount > 0');
  assert(end >= start, 'checkRecordOffsets: inverted range');
  let p = start;
  for (let index: i32 = 0; index < recordCount; index++) {
    if (p >= end) return INVALID_RECORD; // fewer records than the header claims
    const recordLengthVarint = readVarint32(p, end);
    if (recordLengthVarint == 0) return CORRUPT_MESSAGE;
    const recordLength = varintValueOf(recordLengthVarint);
    p = varintEndOf(recordLengthVarint);
    // Compared as a remaining length, so a huge recordLength cannot wrap the address.
    if (recordLength < 0 || <usize>recordLength > end - p) return CORRUPT_MESSAGE;
    const recordEnd = p + <usize>recordLength;
    // Skip the attributes byte without a bound check, as the twin does: on an empty record
    // p passes recordEnd and the timestampDelta read below fails as truncated.
    const timestampEnd = varintEnd(p + 1, recordEnd, 10); // varlong timestampDelta, value unused
    if (timestampEnd == 0) return CORRUPT_MESSAGE;
    const offsetDelta = readVarint32(timestampEnd, recordEnd);
    if (offsetDelta == 0) return CORRUPT_MESSAGE;
    if (varintValueOf(offsetDelta) != index) return INVALID_RECORD;
    // From here every read succeeds within the record or returns: each field ends ≤ recordEnd.
    // The fields are walked apart from p: the next record starts from recordEnd, so the
    // loop-carried dependency stays the record length alone.
    let field = skipSizedField(varintEndOf(offsetDelta), recordEnd, -1); // key
    if (field < 0) return <i32>-field;
    field = skipSizedField(<usize>field, recordEnd, -1); // value
    if (field < 0) return <i32>-field;
    const headerCountVarint = readVarint32(<usize>field, recordEnd);
    if (headerCountVarint == 0) return CORRUPT_MESSAGE;
    const headerCount = varintValueOf(headerCountVarint);
    let q = varintEndOf(headerCountVarint);
    // Bounded by the bytes left (as Kafka does) before any header is read: a huge count fails here.
    if (headerCount < 0 || headerCount > <i32>(recordEnd - q)) return INVALID_RECORD;
    for (let header: i32 = 0; header < headerCount; header++) {
      field = skipSizedField(q, recordEnd, 0); // header keys are non-null strings
      if (field < 0) return <i32>-field;
      field = skipSizedField(<usize>field, recordEnd, -1); // header value
      if (field < 0) return <i32>-field;
      q = <usize>field;
    }
    assert(q <= recordEnd, 'checkRecordOffsets: a field ran past its record');
    if (q != recordEnd) return INVALID_RECORD; // the fields end before the record's declared length
    p = recordEnd;
  }
  assert(p <= end, 'checkRecordOffsets: the walk left the batch');
  if (p != end) return CORRUPT_MESSAGE; // stray bytes after the last record
  return NONE;
}

/**
 * Validates the batch occupying exactly [src, src + length), as validateRecordBatch does, and
 * returns Kafka's code: 0, CORRUPT_MESSAGE, MESSAGE_TOO_LARGE or INVALID_RECORD (which includes a
 * record whose key, value or headers do not fit it exactly); or
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
 * validateRecordBatch and the copy in one pass over the source: copies the batch to `target`,
 * computing the CRC as the words go by, runs every other check on the COPY (hot in cache, and
 * exactly the bytes that will be stored), and on success patches the copy's baseOffset
 * (big-endian i64 from hi:lo) and partitionLeaderEpoch. Same codes, same check order as
 * validateRecordBatch (and its TS twin): the first failure wins.
 *
 * On failure the target range [target, target + length) may hold scratch bytes: any part of the
 * unpatched batch (nothing when `length` < 61; only its first 21 bytes when the header is refused
 * or the batch is over maxBatchBytes). Nothing outside that range is written. The source is never
 * written; the ranges must not overlap (the host asserts it too).
 *
 * Measured (bench/micro/kernels.bench.ts, data hot in cache): the three-stream CRC is most of the
 * gain; the fusion itself saves ~2–3 % there, and was no slower at any size down to 100 B (a
 * variant that validated small batches on the source first gained nothing). Its point is the
 * broker, where the source was just written by another core and is read from afar once, not
 * three times.
 *
 * Why writing before validation is done is safe: the host passes a target that is not yet part of
 * any log. core/log/log.ts appends into `store.reserve(length)`, which is past the committed size
 * (memory_storage.ts: reserve → position = sizeBytes; file_storage: past the buffered bytes, or a
 * fresh oversize buffer; a roll: a scratch array), and only `commit(length)` after this returns 0
 * makes those bytes part of the segment. Readers never look past the committed size: Log.read and
 * the stores' read() assert position + length ≤ sizeBytes, and reader threads see a segment
 * through the partition directory's committedBytes, published after commit. A refused batch is
 * thus overwritten by the next append at the same position and never seen.
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
  assert(src != 0, 'validateAndCopy: null source');
  assert(target != 0, 'validateAndCopy: null target');
  assert(src + length >= src, 'validateAndCopy: source range wraps around the address space');
  assert(target + length >= target, 'validateAndCopy: target range wraps around the address space');
  assert(target + length <= src || src + length <= target, 'validateAndCopy: source and target overlap');
  const code = validateWhileCopying(table, src, length, target, maxBatchBytes);
  if (code != NONE) return code;
  store<u32>(target, bswap<u32>(<u32>baseOffsetHi));
  store<u32>(target, bswap<u32>(baseOffsetLo), 4);
  storeInt32BigEndian(target + fieldPartitionLeaderEpoch, <u32>leaderEpoch);
  // Paired with the checks above: the patch touched neither the magic byte nor batchLength.
  assert(load<u8>(target + fieldMagic) == 2, 'validateAndCopy: the copy lost its magic byte');
  assert(loadInt32BigEndian(target + fieldBatchLength) == <i32>(length - 12), 'validateAndCopy: batchLength changed');
  return NONE;
}

/**
 * validateRecordBatch's checks, in its order, while copying [src, src + length) to `target`: the
 * header before the CRC-covered part first, then the CRC and the copy of the rest in one pass,
 * then every other check on the copy. Returns the code; on failure the target holds scratch.
 */
// @ts-ignore: decorator
@inline
function validateWhileCopying(table: usize, src: usize, length: usize, target: usize, maxBatchBytes: usize): i32 {
  if (length < headerBytes) return CORRUPT_MESSAGE;
  // The header up to the CRC-covered part; every check below reads the copy.
  memory.copy(target, src, crcStart);
  if (load<u8>(target + fieldMagic) != 2) return CORRUPT_MESSAGE;
  // In i64: batchLength is any int32 a client sent, and + 12 must not overflow.
  const batchLength = loadInt32BigEndian(target + fieldBatchLength);
  if (<i64>batchLength + batchLogOverheadBytes != <i64>length) return CORRUPT_MESSAGE;
  if (length > maxBatchBytes) return MESSAGE_TOO_LARGE;
  const expectedCrc = bswap<u32>(load<u32>(target + fieldCrc));
  if (crc32cCopy(table, 0, src + crcStart, target + crcStart, length - crcStart) != expectedCrc) return CORRUPT_MESSAGE;
  const recordCount = loadInt32BigEndian(target + fieldRecordCount);
  const lastOffsetDelta = loadInt32BigEndian(target + fieldLastOffsetDelta);
  if (recordCount <= 0) return INVALID_RECORD;
  if (lastOffsetDelta != recordCount - 1) return INVALID_RECORD;
  if ((<u32>load<u8>(target + fieldAttributesLow) & codecMask) != 0) return UNSUPPORTED_COMPRESSION_TYPE;
  return checkRecordOffsets(target + headerBytes, target + length, recordCount);
}
