import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { ErrorCode } from '../../../core/errors.js';
import { decompressedRecordsBytesMax } from '../../../core/limits.js';
import {
  codecFor,
  compress,
  decompress,
  defaultValidateOptions,
  registerCodec,
  unregisterCodec,
} from '../../../core/records/compression.js';
import { BatchField, batchCodec, Compression, validateRecordBatch } from '../../../core/records/record_batch.js';
import { readRecords } from '../../../core/records/record_reader.js';
import { concatBytes, resealBatch } from '../../support/arbitraries.js';
import { codeOf } from '../../support/error_code.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

const records = Array.from({ length: 20 }, (_, i) => ({ key: utf8(`key-${i}`), value: utf8(`value ${i} `.repeat(10)), timestamp: 1_000 + i }));

describe('compression registry', () => {
  afterEach(() => unregisterCodec(Compression.zstd));

  it('gzip round-trips and returns plain Uint8Arrays, not Buffers', () => {
    const plain = utf8('hello, '.repeat(100));
    const blob = compress(Compression.gzip, plain);
    expect(blob.length).toBeLessThan(plain.length);
    const back = decompress(Compression.gzip, blob);
    expect(back).toEqual(plain);
    expect(Object.getPrototypeOf(back)).toBe(Uint8Array.prototype);
  });

  it('puts a built-in codec back when a replacement is unregistered', () => {
    const builtIn = codecFor(Compression.gzip);
    registerCodec({ codec: Compression.gzip, name: 'gzip', decompress: () => new Uint8Array(0) });
    expect(codecFor(Compression.gzip)).not.toBe(builtIn);
    unregisterCodec(Compression.gzip);
    expect(codecFor(Compression.gzip)).toBe(builtIn);
  });

  it('passes `none` through untouched', () => {
    const plain = utf8('as is');
    expect(compress(Compression.none, plain)).toBe(plain);
    expect(decompress(Compression.none, plain)).toBe(plain);
  });

  it('refuses codecs nobody registered with UNSUPPORTED_COMPRESSION_TYPE, both ways', () => {
    for (const codec of [Compression.zstd, 5, 7]) {
      expect(codecFor(codec)).toBeUndefined();
      expect(codeOf(() => compress(codec, utf8('x')))).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
      expect(codeOf(() => decompress(codec, utf8('x')))).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    }
  });

  it('refuses bytes that are not gzip with CORRUPT_MESSAGE', () => {
    expect(codeOf(() => decompress(Compression.gzip, utf8('not gzip at all')))).toBe(ErrorCode.CORRUPT_MESSAGE);
    const truncated = compress(Compression.gzip, utf8('abcdefgh'.repeat(20))).subarray(0, 20);
    expect(codeOf(() => decompress(Compression.gzip, truncated))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('stops a decompression bomb at the bound with CORRUPT_MESSAGE', () => {
    const bomb = compress(Compression.gzip, new Uint8Array(100_000));
    expect(bomb.length).toBeLessThan(1_000);
    expect(codeOf(() => decompress(Compression.gzip, bomb, 99_999))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(decompress(Compression.gzip, bomb, 100_000)).toHaveLength(100_000);
  });

  it('refuses a produced batch whose gzip records inflate past decompressedRecordsBytesMax', () => {
    // One valid-looking batch whose records section is ~64 KiB of gzip that inflates past the
    // limit. Validation must fail on the size, before it ever walks the records.
    const batch = encodeRecordBatch([{ key: null, value: utf8('x') }], {
      compression: Compression.gzip,
      compress: () => gzipSync(new Uint8Array(decompressedRecordsBytesMax + 1), { level: 1 }),
    });
    expect(codeOf(() => validateRecordBatch(batch, 0, batch.length, defaultValidateOptions()))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('holds a plugged-in codec to the bound even if it ignores it', () => {
    registerCodec({ codec: Compression.zstd, name: 'zstd', decompress: () => new Uint8Array(11) });
    expect(codeOf(() => decompress(Compression.zstd, utf8('x'), 10))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(decompress(Compression.zstd, utf8('x'), 11)).toHaveLength(11);
  });

  it('reports a read-only codec as unsupported for compress', () => {
    registerCodec({ codec: Compression.zstd, name: 'zstd', decompress: (blob) => blob });
    expect(codeOf(() => compress(Compression.zstd, utf8('x')))).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  });

  it('plugs a registered codec into the builder, validation and the reader', () => {
    // A stand-in codec that reverses the bytes: enough to prove the wiring, not a compressor.
    const reverse = (bytes: Uint8Array) => bytes.slice().reverse();
    registerCodec({ codec: Compression.zstd, name: 'zstd', compress: reverse, decompress: reverse });
    const batch = encodeRecordBatch(records, { compression: Compression.zstd });
    expect(batchCodec(batch)).toBe(Compression.zstd);
    expect(validateRecordBatch(batch, 0, batch.length, defaultValidateOptions())).toBe(records.length);
    expect([...readRecords(batch)].map((r) => r.value)).toEqual(records.map((r) => r.value));
    unregisterCodec(Compression.zstd);
    expect(codeOf(() => validateRecordBatch(batch, 0, batch.length, defaultValidateOptions()))).toBe(
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
    );
  });
});

describe('gzip record batches', () => {
  it('are compressed by the builder without a compress option, and validate and read back', () => {
    const batch = encodeRecordBatch(records, { compression: Compression.gzip });
    expect(batchCodec(batch)).toBe(Compression.gzip);
    expect(batch.length).toBeLessThan(encodeRecordBatch(records).length);
    expect(validateRecordBatch(batch, 0, batch.length, defaultValidateOptions())).toBe(records.length);
    const read = [...readRecords(batch)];
    expect(read.map((r) => r.key)).toEqual(records.map((r) => r.key));
    expect(read.map((r) => r.value)).toEqual(records.map((r) => r.value));
    expect(read.map((r) => r.timestamp)).toEqual(records.map((r) => r.timestamp));
    expect(read.map((r) => r.offset)).toEqual(records.map((_, i) => i));
  });

  it('use the compress override when one is given', () => {
    let calls = 0;
    const batch = encodeRecordBatch(records, {
      compression: Compression.gzip,
      compress: (_codec, plain) => {
        calls++;
        return concatBytes([gzipSync(plain.subarray(0, 10)), gzipSync(plain.subarray(10))]);
      },
    });
    expect(calls).toBe(1);
    // Two gzip members in a row read as one stream, as Java's GZIPInputStream reads them.
    expect(validateRecordBatch(batch, 0, batch.length, defaultValidateOptions())).toBe(records.length);
  });

  it('are refused with UNSUPPORTED_COMPRESSION_TYPE when validation has no decompress', () => {
    const batch = encodeRecordBatch(records, { compression: Compression.gzip });
    expect(codeOf(() => validateRecordBatch(batch, 0, batch.length, { maxBatchBytes: 1 << 20 }))).toBe(
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
    );
  });

  it('with a corrupt gzip stream under a valid CRC are refused with CORRUPT_MESSAGE', () => {
    const batch = encodeRecordBatch(records, { compression: Compression.gzip });
    batch[BatchField.records + 20] ^= 0xff;
    resealBatch(batch);
    expect(codeOf(() => validateRecordBatch(batch, 0, batch.length, defaultValidateOptions()))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(codeOf(() => [...readRecords(batch)])).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});
