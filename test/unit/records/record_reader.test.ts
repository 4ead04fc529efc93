import { describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { ErrorCode } from '../../../core/errors.js';
import {
  attributeControl,
  BatchField,
  Compression,
  patchBatch,
  stampLogAppendTime,
  validateRecordBatch,
} from '../../../core/records/record_batch.js';
import { decodeRecordBatch, readBatches, readRecords } from '../../../core/records/record_reader.js';
import { concatBytes, resealBatch, rewriteOffsetDelta } from '../../support/arbitraries.js';
import { codeOf } from '../../support/error_code.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

const records = [
  { key: utf8('k1'), value: utf8('v1'), timestamp: 1_700_000_000_000, headers: [{ key: 'trace', value: utf8('abc') }] },
  { key: null, value: utf8('v2'), timestamp: 1_699_999_999_990, headers: [{ key: 'ünïcode', value: null }] },
  { key: utf8('k3'), value: null },
];

describe('record reader', () => {
  it('gives back keys, values, nulls, headers and absolute offsets and timestamps', () => {
    const batch = encodeRecordBatch(records, { baseOffset: 1000 });
    const read = [...readRecords(batch)];
    expect(read.map((r) => r.offset)).toEqual([1000, 1001, 1002]);
    // A record without a timestamp takes the batch's base; an earlier one is a negative delta.
    expect(read.map((r) => r.timestamp)).toEqual([1_700_000_000_000, 1_699_999_999_990, 1_700_000_000_000]);
    expect(read.map((r) => text(r.key))).toEqual(['k1', null, 'k3']);
    expect(read.map((r) => text(r.value))).toEqual(['v1', 'v2', null]);
    expect(read[0].headers.map((h) => [h.key, text(h.value)])).toEqual([['trace', 'abc']]);
    expect(read[1].headers).toEqual([{ key: 'ünïcode', value: null }]);
    expect(read[2].headers).toEqual([]);
    expect(read.every((r) => !r.isControl)).toBe(true);
  });

  it('returns the producer fields and attribute meanings of each batch', () => {
    const batch = encodeRecordBatch(records, { producerId: 42, producerEpoch: 3, baseSequence: 17, transactional: true });
    const [decoded] = [...readBatches(batch)];
    expect(decoded.header.producerId).toBe(42);
    expect(decoded.header.producerEpoch).toBe(3);
    expect(decoded.header.baseSequence).toBe(17);
    expect(decoded.isTransactional).toBe(true);
    expect(decoded.isControl).toBe(false);
    expect(decoded.timestampType).toBe('CreateTime');
    expect(decoded.compression).toBe(Compression.none);
    expect(decoded.lastOffset).toBe(2);
    expect(decoded.bytes).toBe(batch.length);
  });

  it('hands out views of the input for uncompressed batches and owned bytes for compressed ones', () => {
    const plain = encodeRecordBatch(records);
    const [first] = readRecords(plain);
    expect(first.value?.buffer).toBe(plain.buffer);
    const gzip = encodeRecordBatch(records, { compression: Compression.gzip });
    const [firstGzip] = readRecords(gzip);
    expect(firstGzip.value?.buffer).not.toBe(gzip.buffer);
    expect(text(firstGzip.value)).toBe('v1');
  });

  it('stamps every record of a LogAppendTime batch with the batch maxTimestamp', () => {
    const batch = encodeRecordBatch(records);
    stampLogAppendTime(batch, 0, batch.length, 1_800_000_000_000);
    expect(validateRecordBatch(batch, 0, batch.length, { maxBatchBytes: 1 << 20 })).toBe(3);
    const [decoded] = readBatches(batch);
    expect(decoded.timestampType).toBe('LogAppendTime');
    expect(decoded.records.map((r) => r.timestamp)).toEqual([1_800_000_000_000, 1_800_000_000_000, 1_800_000_000_000]);
  });

  it('flags the records of a control batch', () => {
    const batch = encodeRecordBatch([{ key: new Uint8Array([0, 0, 0, 1]), value: new Uint8Array(6) }], { transactional: true });
    batch[BatchField.attributes + 1] |= attributeControl;
    resealBatch(batch);
    const [decoded] = readBatches(batch);
    expect(decoded.isControl).toBe(true);
    expect(decoded.records[0].isControl).toBe(true);
  });

  it('reads concatenated batches and skips a partial trailing batch, as a fetch may end with one', () => {
    const first = encodeRecordBatch(records.slice(0, 2));
    const second = encodeRecordBatch(records.slice(2), { compression: Compression.gzip });
    patchBatch(second, 0, 2, 0);
    const third = encodeRecordBatch(records);
    const fetched = concatBytes([first, second, third.subarray(0, third.length - 5)]);
    expect([...readRecords(fetched)].map((r) => r.offset)).toEqual([0, 1, 2]);
    for (const cut of [1, 11, 12, 60, third.length - 1]) {
      const cutFetch = concatBytes([first, third.subarray(0, cut)]);
      expect([...readBatches(cutFetch)]).toHaveLength(1);
      expect(codeOf(() => [...readBatches(cutFetch, { partialTail: 'refuse' })])).toBe(ErrorCode.CORRUPT_MESSAGE);
    }
  });

  it('reads offset gaps that compaction leaves, which append validation would refuse', () => {
    const batch = encodeRecordBatch(records, { baseOffset: 10 });
    rewriteOffsetDelta(batch, 1, 2);
    rewriteOffsetDelta(batch, 2, 4);
    resealBatch(batch);
    expect([...readRecords(batch)].map((r) => r.offset)).toEqual([10, 12, 14]);
  });

  it('refuses a flipped bit with CORRUPT_MESSAGE, unless told not to check CRCs', () => {
    const batch = encodeRecordBatch(records);
    batch[batch.length - 3] ^= 0x01; // inside the last key, so only the CRC can tell
    expect(codeOf(() => [...readRecords(batch)])).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect([...readRecords(batch, { verifyCrc: false })]).toHaveLength(3);
  });

  it('refuses wrong magic, a too-small batchLength and records that overrun their batch', () => {
    const wrongMagic = encodeRecordBatch(records);
    wrongMagic[BatchField.magic] = 1;
    expect(codeOf(() => [...readBatches(wrongMagic)])).toBe(ErrorCode.CORRUPT_MESSAGE);
    const tiny = encodeRecordBatch(records);
    tiny[BatchField.batchLength + 3] = 10;
    tiny[BatchField.batchLength + 2] = 0;
    expect(codeOf(() => [...readBatches(tiny)])).toBe(ErrorCode.CORRUPT_MESSAGE);
    const overrun = encodeRecordBatch(records);
    overrun[BatchField.records] = 0x7e; // first record length 63: past the batch
    resealBatch(overrun);
    expect(codeOf(() => decodeRecordBatch(overrun, 0, overrun.length))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('refuses a header count larger than the record can hold', () => {
    const batch = encodeRecordBatch([{ key: null, value: null }]);
    // Record: length, attributes, timestampDelta, offsetDelta, key −1, value −1, headerCount.
    const headerCountAt = BatchField.records + 6;
    expect(batch[headerCountAt]).toBe(0);
    batch[headerCountAt] = 2 * 50;
    resealBatch(batch);
    // INVALID_RECORD, as validation answers it (Kafka's "Found invalid number of record headers").
    expect(codeOf(() => decodeRecordBatch(batch, 0, batch.length))).toBe(ErrorCode.INVALID_RECORD);
  });

  it('refuses a record count the records do not match', () => {
    const more = encodeRecordBatch(records);
    more[BatchField.recordCount + 3] = 4;
    resealBatch(more);
    expect(codeOf(() => decodeRecordBatch(more, 0, more.length))).toBe(ErrorCode.INVALID_RECORD);
    const fewer = encodeRecordBatch(records);
    fewer[BatchField.recordCount + 3] = 2;
    resealBatch(fewer);
    expect(codeOf(() => decodeRecordBatch(fewer, 0, fewer.length))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('refuses a codec nobody registered with UNSUPPORTED_COMPRESSION_TYPE', () => {
    const batch = encodeRecordBatch(records, { compression: 6, compress: (_codec, plain) => plain });
    expect(codeOf(() => [...readRecords(batch)])).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  });
});
