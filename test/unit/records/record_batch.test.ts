import { describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { readBatchHeader, validateRecordBatch, patchBatch } from '../../../core/records/record_batch.js';
import { ErrorCode, isLanesError } from '../../../core/errors.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const options = { maxBatchBytes: 1 << 20 };

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    if (isLanesError(error)) return error.errorCode;
    throw error;
  }
  return undefined;
}

describe('RecordBatch v2', () => {
  const batch = encodeRecordBatch(
    [
      { key: bytes('k1'), value: bytes('v1'), timestamp: 1_700_000_000_000 },
      { key: null, value: bytes('v2'), headers: [{ key: 'h', value: null }], timestamp: 1_700_000_000_005 },
      { key: bytes('k3'), value: null, timestamp: 1_700_000_000_002 },
    ],
  );

  it('encodes a header producers and the log agree on', () => {
    const header = readBatchHeader(batch);
    expect(header.magic).toBe(2);
    expect(header.recordCount).toBe(3);
    expect(header.lastOffsetDelta).toBe(2);
    expect(header.baseTimestamp).toBe(1_700_000_000_000);
    expect(header.maxTimestamp).toBe(1_700_000_000_005);
    expect(header.producerId).toBe(-1);
    expect(header.batchLength).toBe(batch.length - 12);
  });

  it('validates a well-formed batch and counts its records', () => {
    expect(validateRecordBatch(batch, 0, batch.length, options)).toBe(3);
  });

  it('keeps its CRC valid after the log patches baseOffset and leader epoch', () => {
    const copy = batch.slice();
    patchBatch(copy, 0, 123_456_789_012, 0);
    expect(readBatchHeader(copy).baseOffset).toBe(123_456_789_012);
    expect(validateRecordBatch(copy, 0, copy.length, options)).toBe(3);
  });

  it('refuses a flipped bit with CORRUPT_MESSAGE', () => {
    const copy = batch.slice();
    copy[copy.length - 3] ^= 0x10;
    expect(codeOf(() => validateRecordBatch(copy, 0, copy.length, options))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('refuses wrong magic, short and long lengths with CORRUPT_MESSAGE', () => {
    const wrongMagic = batch.slice();
    wrongMagic[16] = 1;
    expect(codeOf(() => validateRecordBatch(wrongMagic, 0, wrongMagic.length, options))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(codeOf(() => validateRecordBatch(batch, 0, batch.length - 1, options))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(codeOf(() => validateRecordBatch(batch, 0, 30, options))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('refuses a batch over max.message.bytes with MESSAGE_TOO_LARGE', () => {
    expect(codeOf(() => validateRecordBatch(batch, 0, batch.length, { maxBatchBytes: 64 }))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });

  it('refuses a compressed batch it cannot decompress with UNSUPPORTED_COMPRESSION_TYPE', () => {
    const compressed = encodeRecordBatch([{ key: null, value: bytes('x') }], { compression: 7, compress: (_c, plain) => plain });
    expect(codeOf(() => validateRecordBatch(compressed, 0, compressed.length, options))).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  });
});
