import { describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { ErrorCode } from '../../../core/errors.js';
import { tsBatchKernels } from '../../../core/records/batch_kernels.js';
import { defaultValidateOptions } from '../../../core/records/compression.js';
import { BatchField, Compression, patchBatch, readBatchHeader, validateRecordBatch } from '../../../core/records/record_batch.js';
import { readBatches } from '../../../core/records/record_reader.js';
import { resealBatch, rewriteOffsetDelta } from '../../support/arbitraries.js';
import { innerRecordCases, rawRecord } from './inner_record_cases.js';
import { codeOf } from '../../support/error_code.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const options = { maxBatchBytes: 1 << 20 };

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

  it('refuses non-sequential offset deltas with INVALID_RECORD, leaving source and target untouched', () => {
    const gapped = batch.slice();
    rewriteOffsetDelta(gapped, 2, 3); // deltas 0, 1, 3
    resealBatch(gapped);
    const before = gapped.slice();
    expect(codeOf(() => validateRecordBatch(gapped, 0, gapped.length, options))).toBe(ErrorCode.INVALID_RECORD);
    expect(gapped).toEqual(before);
    const target = { bytes: new Uint8Array(gapped.length + 8).fill(0xaa), position: 4 };
    expect(codeOf(() => tsBatchKernels.validateAndCopy(gapped, 0, gapped.length, target, 100, 0, options))).toBe(
      ErrorCode.INVALID_RECORD,
    );
    expect(gapped).toEqual(before);
    expect(target.bytes.every((b) => b === 0xaa)).toBe(true);

    const repeated = batch.slice();
    rewriteOffsetDelta(repeated, 1, 0); // deltas 0, 0, 2
    resealBatch(repeated);
    expect(codeOf(() => validateRecordBatch(repeated, 0, repeated.length, options))).toBe(ErrorCode.INVALID_RECORD);
  });

  it('refuses a record count that does not match the records', () => {
    const withCount = (count: number, lastOffsetDelta: number) => {
      const copy = batch.slice();
      copy[BatchField.recordCount + 3] = count;
      copy[BatchField.lastOffsetDelta + 3] = lastOffsetDelta;
      return resealBatch(copy);
    };
    const validate = (bytes: Uint8Array) => codeOf(() => validateRecordBatch(bytes, 0, bytes.length, options));
    // Count and lastOffsetDelta disagree.
    expect(validate(withCount(4, 2))).toBe(ErrorCode.INVALID_RECORD);
    // More records claimed than present: the walk runs out of records.
    expect(validate(withCount(4, 3))).toBe(ErrorCode.INVALID_RECORD);
    // Fewer claimed than present: the walk finds stray bytes after the last counted record
    // (CORRUPT_MESSAGE, the code the WASM twin also returns).
    expect(validate(withCount(2, 1))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(validate(withCount(0, 0))).toBe(ErrorCode.INVALID_RECORD);
  });

  it('refuses every codec number it holds no codec for with UNSUPPORTED_COMPRESSION_TYPE', () => {
    for (const codec of [Compression.zstd, 5, 6, 7]) {
      const compressed = encodeRecordBatch([{ key: null, value: bytes('x') }], { compression: codec, compress: (_c, plain) => plain });
      expect(codeOf(() => validateRecordBatch(compressed, 0, compressed.length, defaultValidateOptions()))).toBe(
        ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      );
    }
  });

  it('validates a gzip batch with the default broker options', () => {
    const gzip = encodeRecordBatch([{ key: bytes('k'), value: bytes('v'.repeat(500)) }], { compression: Compression.gzip });
    expect(gzip.length).toBeLessThan(500);
    expect(validateRecordBatch(gzip, 0, gzip.length, defaultValidateOptions())).toBe(1);
  });
});

describe('RecordBatch v2: every record must parse (key, value, headers fit it exactly)', () => {
  const validate = (bytes: Uint8Array) => codeOf(() => validateRecordBatch(bytes, 0, bytes.length, options));

  it.each(innerRecordCases.map((c) => [c.name, c] as const))('%s', (_name, { bytes, code }) => {
    const before = bytes.slice();
    if (code === 0) {
      expect(validateRecordBatch(bytes, 0, bytes.length, options)).toBe(readBatchHeader(bytes).recordCount);
      expect([...readBatches(bytes)].flatMap((batch) => batch.records)).toHaveLength(readBatchHeader(bytes).recordCount);
    } else {
      expect(validate(bytes)).toBe(code);
      // What validation now refuses, no consumer could have read.
      expect(codeOf(() => [...readBatches(bytes)])).toBeDefined();
      const target = { bytes: new Uint8Array(bytes.length + 8).fill(0xaa), position: 4 };
      expect(codeOf(() => tsBatchKernels.validateAndCopy(bytes, 0, bytes.length, target, 100, 0, options))).toBe(code);
      expect(target.bytes.every((b) => b === 0xaa)).toBe(true);
    }
    expect(bytes).toEqual(before); // the source is never modified
  });

  it('checks the inner records of a compressed batch after decompressing them', () => {
    const plain = rawRecord(0, [-1, 3, [0x76, 0x76, 0x76], 1, -1, -1]); // a header key length of −1
    const gzip = encodeRecordBatch([{ key: null, value: bytes('v') }], { compression: Compression.gzip });
    const opts = defaultValidateOptions();
    const inner = { ...opts, decompress: (codec: number, blob: Uint8Array) => (codec === Compression.gzip ? plain : opts.decompress!(codec, blob)) };
    expect(codeOf(() => validateRecordBatch(gzip, 0, gzip.length, inner))).toBe(ErrorCode.INVALID_RECORD);
  });

  it('accepts every batch the builder encodes, headers included', () => {
    const many = encodeRecordBatch(
      Array.from({ length: 20 }, (_, i) => ({
        key: i % 3 === 0 ? null : bytes(`key-${i}`),
        value: i % 5 === 0 ? null : new Uint8Array(i * 7).fill(i),
        headers: Array.from({ length: i % 4 }, (_, h) => ({ key: h === 0 ? '' : `h${h}`, value: h % 2 === 0 ? null : bytes('x'.repeat(h)) })),
        timestamp: 1_700_000_000_000 + i,
      })),
    );
    expect(validateRecordBatch(many, 0, many.length, options)).toBe(20);
  });
});
