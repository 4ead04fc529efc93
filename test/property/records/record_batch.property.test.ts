// RecordBatch v2 properties: what the builder encodes, validation accepts and the reader gives
// back unchanged; every single-bit flip the CRC covers is refused; and no input, however broken,
// makes validation or reading throw anything but a LanesError with Kafka's code.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import '../../../actors/zstd_codec.js'; // zstd in this thread's codec registry
import { defaultValidateOptions } from '../../../core/records/compression.js';
import {
  BatchField,
  batchCrcStart,
  Compression,
  patchBatch,
  stampLogAppendTime,
  validateRecordBatch,
} from '../../../core/records/record_batch.js';
import { decodeRecordBatch, readBatches, readRecords } from '../../../core/records/record_reader.js';
import { batchArb, concatBytes, expectedOutputs, resealBatch, timestampArb } from '../../support/arbitraries.js';
import { codeOf } from '../../support/error_code.js';

const validateOptions = defaultValidateOptions();

/** The Kafka code a call throws, undefined if it returns; anything but a LanesError fails. */

describe('RecordBatch v2 round trip', () => {
  it('encode → validate → read gives back every record and producer field (none and every codec)', () => {
    const compressions = [Compression.none, Compression.gzip, Compression.snappy, Compression.lz4, Compression.zstd];
    fc.assert(
      fc.property(batchArb({ compressions }), ({ records, options, bytes }) => {
        expect(validateRecordBatch(bytes, 0, bytes.length, validateOptions)).toBe(records.length);
        const batches = [...readBatches(bytes)];
        expect(batches).toHaveLength(1);
        const [batch] = batches;
        expect(batch.compression).toBe(options.compression ?? Compression.none);
        expect(batch.timestampType).toBe('CreateTime');
        expect(batch.isTransactional).toBe(options.transactional === true);
        expect(batch.isControl).toBe(false);
        expect(batch.header.producerId).toBe(options.producerId ?? -1);
        expect(batch.header.producerEpoch).toBe(options.producerEpoch ?? -1);
        expect(batch.header.baseSequence).toBe(options.baseSequence ?? -1);
        expect(batch.header.recordCount).toBe(records.length);
        expect(batch.lastOffset).toBe((options.baseOffset ?? 0) + records.length - 1);
        const expected = expectedOutputs(records, options);
        expect(batch.header.maxTimestamp).toBe(Math.max(...expected.map((r) => r.timestamp)));
        expect(batch.records).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('reads concatenated batches as a fetch returns them, skipping a partial tail', () => {
    fc.assert(
      fc.property(fc.array(batchArb({ maxRecords: 4 }), { minLength: 1, maxLength: 4 }), fc.nat(), (batches, cutSeed) => {
        // The log assigns consecutive offsets, as it would on append.
        let nextOffset = 0;
        const expected = batches.flatMap(({ records, options, bytes }) => {
          patchBatch(bytes, 0, nextOffset, 0);
          const outputs = expectedOutputs(records, { ...options, baseOffset: nextOffset });
          nextOffset += records.length;
          return outputs;
        });
        const fetched = concatBytes(batches.map((b) => b.bytes));
        expect([...readRecords(fetched)]).toEqual(expected);
        const last = batches[batches.length - 1].bytes;
        const cut = 1 + (cutSeed % (last.length - 1));
        const lastCount = batches[batches.length - 1].records.length;
        expect([...readRecords(fetched.subarray(0, fetched.length - cut))]).toEqual(expected.slice(0, expected.length - lastCount));
      }),
      { numRuns: 60 },
    );
  });

  it('gives every record of a LogAppendTime batch the append time, and the batch stays valid', () => {
    fc.assert(
      fc.property(batchArb({ maxRecords: 4 }), timestampArb, ({ records, bytes }, appendTimeMs) => {
        stampLogAppendTime(bytes, 0, bytes.length, appendTimeMs);
        expect(validateRecordBatch(bytes, 0, bytes.length, validateOptions)).toBe(records.length);
        const [batch] = readBatches(bytes);
        expect(batch.timestampType).toBe('LogAppendTime');
        expect(batch.records.map((r) => r.timestamp)).toEqual(records.map(() => appendTimeMs));
      }),
      { numRuns: 50 },
    );
  });
});

describe('RecordBatch v2 corruption', () => {
  // Validation checks magic, batchLength and CRC before it walks a single record, so a flip
  // anywhere in the CRC range [21, end) is CORRUPT_MESSAGE even where it hits a record length.
  // Outside the CRC range: batchLength, magic and crc flips are refused too; baseOffset and
  // partitionLeaderEpoch are not covered by design, since the log overwrites them on append.
  it('refuses every single-bit flip in bytes [8, end) except partitionLeaderEpoch, and leaves the source intact', () => {
    fc.assert(
      fc.property(batchArb({ maxRecords: 3, maxBytes: 12 }), ({ bytes }) => {
        const original = bytes.slice();
        for (let position = 0; position < bytes.length; position++) {
          for (let bit = 0; bit < 8; bit++) {
            bytes[position] ^= 1 << bit;
            const code = codeOf(() => validateRecordBatch(bytes, 0, bytes.length, validateOptions));
            if (position < BatchField.batchLength || (position >= BatchField.partitionLeaderEpoch && position < BatchField.magic)) {
              expect(code).toBeUndefined();
            } else {
              expect(code, `flip of bit ${bit} at byte ${position}`).toBe(ErrorCode.CORRUPT_MESSAGE);
            }
            if (position >= batchCrcStart) {
              expect(codeOf(() => decodeRecordBatch(bytes, 0, bytes.length))).toBe(ErrorCode.CORRUPT_MESSAGE);
            }
            bytes[position] ^= 1 << bit;
          }
        }
        expect(bytes).toEqual(original);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses every truncation of a batch with CORRUPT_MESSAGE', () => {
    fc.assert(
      fc.property(batchArb({ maxRecords: 3 }), fc.nat(), ({ bytes }, seed) => {
        const length = 1 + (seed % (bytes.length - 1)); // zero bytes are no batch at all, not a broken one
        const prefix = bytes.slice(0, length);
        expect(codeOf(() => validateRecordBatch(prefix, 0, prefix.length, validateOptions))).toBe(ErrorCode.CORRUPT_MESSAGE);
        expect(codeOf(() => [...readBatches(prefix, { partialTail: 'refuse' })])).toBe(ErrorCode.CORRUPT_MESSAGE);
        expect([...readBatches(prefix)]).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  // Garbage with a correct CRC reaches the record walk and the decompressor; those must fail
  // with a code too. Overwrites land in the records section and, sometimes, the record count.
  it('throws only LanesErrors on garbage records under a valid CRC', () => {
    const overwriteArb = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(batchArb({ maxRecords: 4 }), overwriteArb, fc.option(fc.integer({ min: -2, max: 8 })), ({ bytes }, overwrites, count) => {
        const recordsBytes = bytes.length - BatchField.records;
        for (const [where, value] of overwrites) bytes[BatchField.records + (where % recordsBytes)] = value;
        if (count !== null) {
          bytes[BatchField.recordCount] = count < 0 ? 0xff : 0;
          bytes[BatchField.recordCount + 1] = count < 0 ? 0xff : 0;
          bytes[BatchField.recordCount + 2] = count < 0 ? 0xff : 0;
          bytes[BatchField.recordCount + 3] = count & 0xff;
        }
        resealBatch(bytes);
        // codeOf fails the property on anything but a LanesError. Validation parses every key,
        // value and header as the reader does, and wants deltas 0..n−1 besides, so it is the
        // stricter of the two: whatever it accepts, every consumer can read.
        const validated = codeOf(() => validateRecordBatch(bytes, 0, bytes.length, validateOptions));
        const read = codeOf(() => [...readBatches(bytes)]);
        if (validated === undefined) expect(read).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('throws only LanesErrors on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 120 }), (bytes) => {
        codeOf(() => validateRecordBatch(bytes, 0, bytes.length, validateOptions));
        codeOf(() => [...readBatches(bytes)]);
        codeOf(() => [...readBatches(bytes, { verifyCrc: false, partialTail: 'refuse' })]);
      }),
      { numRuns: 500 },
    );
  });
});
