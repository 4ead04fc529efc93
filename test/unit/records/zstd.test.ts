import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../../actors/zstd_codec.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { ErrorCode } from '../../../core/errors.js';
import { decompressedRecordsBytesMax } from '../../../core/limits.js';
import { compress, decompress, defaultValidateOptions } from '../../../core/records/compression.js';
import { Compression, validateRecordBatch } from '../../../core/records/record_batch.js';
import { readRecords } from '../../../core/records/record_reader.js';
import { walkZstdFrame, zstdDecompress, type ZstdEngine } from '../../../core/records/zstd.js';
import { codeOf } from '../../support/error_code.js';

// Frames made by an independent encoder, the zstd 1.5.4 command line tool, from textPlain below,
// so the walker and the engine are checked against bytes they didn't produce:
//   stream:   zstd --no-check < plain          (no content size: what Java's zstd-jni writes)
//   sized:    zstd --no-check plain            (content size in the header: what librdkafka writes)
//   checksum: zstd -C < plain                  (content checksum)
//   bomb:     head -c 4000000 /dev/zero | zstd -19   (4 MB of zeros in 142 bytes, size unstated)
const base64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
const textPlain = new TextEncoder().encode(
  Array.from({ length: 3000 }, (_, i) => `record-${i % 37} value=${((i % 37) * 7919) % 1000};`).join(''),
);
const streamFrame = base64(
  'KLUv/QBYZQUA8ocUFLCn2IAcNEgrCcZgS67cKQfrmsMDLnrq2jK28clU9UvrWX+lmmWvNbeGQ2xRTjvLOMdSeCTfK9ns+bDoiOo1p9tsPR4DIjAQhkGiEEDhOBCMI02oUYzX+x2Ao9I5EpgHU2/////Po2JsKQjIBxlS2DBknculTNArkNaFUCIZ1cHlnBZfqZGEQuo8sowiitxEdwhEFoeOFhLQiREsOerNyGlynLUgYYrEKg==',
);
const sizedFrame = base64(
  'KLUv/WCc5GUFAPKHFBSwp9iAHDRIKwnGYEuu3CkH65rDAy566toytvHJVPVL61l/pZplrzW3hkNsUU47yzjHUngk3yvZ7Pmw6IjqNafbbD0eAyIwEIZBohBA4TgQjCNNqFGM1/sdgKPSORKYB1Nv////z6NibCkIyAcZUtgwZJ3LpUzQK5DWhVAiGdXB5ZwWX6mRhELqPLKMIorcRHcIRBaHjhYS0IkRLDnqzchpcpy1IGGKxCo=',
);
const checksumFrame = base64(
  'KLUv/QRYZQUA8ocUFLCn2IAcNEgrCcZgS67cKQfrmsMDLnrq2jK28clU9UvrWX+lmmWvNbeGQ2xRTjvLOMdSeCTfK9ns+bDoiOo1p9tsPR4DIjAQhkGiEEDhOBCMI02oUYzX+x2Ao9I5EpgHU2/////Po2JsKQjIBxlS2DBknculTNArkNaFUCIZ1cHlnBZfqZGEQuo8sowiitxEdwhEFoeOFhLQiREsOerNyGlynLUgYYrEKvUU8i0=',
);
const bombFrame = base64(
  'KLUv/QRoTAAACAABAPz/ORACAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAACABAAAgAQAAIAEAADSAgAWZloAw==',
);
const bombPlainBytes = 4_000_000;

/** Byte equality without vitest's element-by-element diffing, which is slow on large arrays. */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  expect(Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected)).toBe(true);
}

const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const skippable = (payload: number[]) => Uint8Array.from([0x5a, 0x2a, 0x4d, 0x18, payload.length, 0, 0, 0, ...payload]);

/** The registered engine (through the registry, which turns its failures into LanesErrors), watched: the capacity each call was given. */
function watchedEngine(): { engine: ZstdEngine; capacities: number[] } {
  const capacities: number[] = [];
  const engine: ZstdEngine = {
    compress: (plain) => compress(Compression.zstd, plain),
    decompressFrame: (frame, capacity) => {
      capacities.push(capacity);
      return decompress(Compression.zstd, frame, capacity);
    },
  };
  return { engine, capacities };
}

describe('zstd', () => {
  it('decodes frames from the zstd tool: without and with a content size, with a content checksum', () => {
    for (const frame of [streamFrame, sizedFrame, checksumFrame]) {
      expect(frame.length).toBeLessThan(textPlain.length / 100);
      expectSameBytes(decompress(Compression.zstd, frame), textPlain);
    }
    expect(walkZstdFrame(sizedFrame, 0)).toEqual({ end: sizedFrame.length, contentBytes: textPlain.length, plainBytesMax: 128 * 1024 });
    expect(walkZstdFrame(streamFrame, 0).contentBytes).toBeNull();
  });

  it('decodes frames back to back, with skippable frames between them, as one records section', () => {
    const blob = concat(sizedFrame, skippable([1, 2, 3]), streamFrame, skippable([]), checksumFrame);
    const plain = decompress(Compression.zstd, blob);
    expect(plain.length).toBe(3 * textPlain.length);
    for (let i = 0; i < 3; i++) expectSameBytes(plain.subarray(i * textPlain.length, (i + 1) * textPlain.length), textPlain);
  });

  it('round-trips any bytes through the registry (fast-check), in frames that state their size', () => {
    const alphabet = fc.integer({ min: 1, max: 256 });
    const input = alphabet.chain((size) => fc.uint8Array({ maxLength: 300_000, size: 'medium' }).map((bytes) => bytes.map((b) => b % size)));
    fc.assert(
      fc.property(input, (plain) => {
        const blob = compress(Compression.zstd, plain);
        expect(walkZstdFrame(blob, 0).contentBytes).toBe(plain.length);
        expectSameBytes(decompress(Compression.zstd, blob, plain.length), plain);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a frame that states a size over the bound before the engine sees it', () => {
    const { engine, capacities } = watchedEngine();
    expect(codeOf(() => zstdDecompress(engine, sizedFrame, textPlain.length - 1))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(capacities).toEqual([]);
    // Across frames the bound is for the total.
    expect(codeOf(() => zstdDecompress(engine, concat(sizedFrame, sizedFrame), 2 * textPlain.length - 1))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(capacities).toEqual([textPlain.length]);
    expect(zstdDecompress(engine, concat(sizedFrame, sizedFrame), 2 * textPlain.length)).toHaveLength(2 * textPlain.length);
  });

  it('stops a bomb that states no size at the bound, giving the engine no more room than the bound', () => {
    const { engine, capacities } = watchedEngine();
    const bound = 1024 * 1024;
    expect(codeOf(() => zstdDecompress(engine, bombFrame, bound))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(capacities).toEqual([bound]);
    // Under the registry's own bound the same frame is fine: the bound, not the shape, refused it.
    expect(decompress(Compression.zstd, bombFrame, bombPlainBytes)).toHaveLength(bombPlainBytes);
    expect(bombPlainBytes).toBeLessThan(decompressedRecordsBytesMax);
  });

  it('refuses every truncation, a bad magic, reserved bits and types, and a wrong stated size with CORRUPT_MESSAGE', () => {
    for (const frame of [streamFrame, sizedFrame, checksumFrame]) {
      for (let length = 0; length < frame.length; length++) {
        expect(codeOf(() => decompress(Compression.zstd, frame.subarray(0, length))), `${length} of ${frame.length}`).toBe(ErrorCode.CORRUPT_MESSAGE);
      }
    }
    const withByte = (frame: Uint8Array, at: number, value: number) => Uint8Array.from(frame, (byte, i) => (i === at ? value : byte));
    expect(codeOf(() => decompress(Compression.zstd, withByte(sizedFrame, 0, 0x29)))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(codeOf(() => decompress(Compression.zstd, withByte(sizedFrame, 4, sizedFrame[4] | 0x08)))).toBe(ErrorCode.CORRUPT_MESSAGE);
    // sizedFrame: descriptor 0x60 (2-byte size, single segment), so its first block header is at 7.
    expect(codeOf(() => decompress(Compression.zstd, withByte(sizedFrame, 7, sizedFrame[7] | 0x06)))).toBe(ErrorCode.CORRUPT_MESSAGE);
    // A stated size one less than the content: the engine must not write past it.
    const statedSize = sizedFrame[5] | (sizedFrame[6] << 8);
    const lying = withByte(withByte(sizedFrame, 5, (statedSize - 1) & 0xff), 6, (statedSize - 1) >>> 8);
    expect(codeOf(() => decompress(Compression.zstd, lying))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(codeOf(() => decompress(Compression.zstd, new Uint8Array(0)))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('throws only LanesErrors on arbitrary bytes after a frame magic, and stays usable after', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => {
        codeOf(() => decompress(Compression.zstd, Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, ...tail]), 4096));
      }),
      { numRuns: 1000 },
    );
    expectSameBytes(decompress(Compression.zstd, streamFrame), textPlain);
  });

  it('answers mutated valid frames with their bytes or a LanesError, within the bound, and stays usable after', () => {
    const frames = [streamFrame, sizedFrame, checksumFrame, bombFrame];
    const bound = 100_000;
    fc.assert(
      fc.property(fc.constantFrom(...frames), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (frame, flips) => {
        const mutated = Uint8Array.from(frame);
        for (const [at, value] of flips) mutated[at % mutated.length] = value;
        let plain: Uint8Array | undefined;
        codeOf(() => (plain = decompress(Compression.zstd, mutated, bound)));
        if (plain !== undefined) expect(plain.length).toBeLessThanOrEqual(bound);
      }),
      { numRuns: 2000 },
    );
    expectSameBytes(decompress(Compression.zstd, sizedFrame), textPlain);
  });

  it('writes and reads a zstd batch through the registry, as produce validation and fetch do', () => {
    const records = [{ key: null, value: textPlain }, { key: new Uint8Array([1, 2]), value: textPlain.subarray(0, 100) }];
    const batch = encodeRecordBatch(records, { compression: Compression.zstd });
    expect(batch.length).toBeLessThan(textPlain.length / 20);
    expect(validateRecordBatch(batch, 0, batch.length, defaultValidateOptions())).toBe(2);
    const values = [...readRecords(batch)].map((record) => record.value!);
    expectSameBytes(values[0], textPlain);
    expectSameBytes(values[1], textPlain.subarray(0, 100));
  });
});
