import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { ErrorCode } from '../../../core/errors.js';
import { compress, decompress, defaultValidateOptions } from '../../../core/records/compression.js';
import { lz4Codec, lz4CompressFrame, lz4Decompress, xxh32 } from '../../../core/records/lz4.js';
import { Compression, validateRecordBatch } from '../../../core/records/record_batch.js';
import { readRecords } from '../../../core/records/record_reader.js';
import { codeOf } from '../../support/error_code.js';

// Frames made by an independent encoder, the lz4 1.9.4 command line tool, from the plain texts
// below, so the decoder is checked against bytes it didn't produce:
//   independent: lz4 -c                          (256 KiB blocks, content checksum)
//   linked:      lz4 -c -B4 -BD --content-size   (two 64 KiB blocks, the second refers to the first)
//   checksums:   lz4 -c -B4 -BX --no-frame-crc   (block checksums)
//   stored:      lz4 -c --no-frame-crc on 96 incompressible bytes (a block stored uncompressed)
const base64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
const textPlain = new TextEncoder().encode(
  Array.from({ length: 5000 }, (_, i) => `record-${i % 37} value=${((i % 37) * 7919) % 1000};`).join(''),
);
const independentFrame = base64('BCJNGGRQCOsCAADzAnJlY29yZC0wIHZhbHVlPTA7EQATMREANDkxORMAEzITADQ4MzgTABMzEwA0NzU3EwATNBMANDY3NhMAEzUTADQ1OTUTABQ2EwAkMTQTABM3EwA0NDMzEwATOBMANDM1MhMAEzkTADQyNzETABQxvQAmMTm/AATAACUxMMAAFDHBABUywAAUMcEAJTk0wQAUMcIAJTg2wgAUMcMAJTc4wwAUMcQAJTcwxAAUMcUAJTYyxQAUMcYAJTU0xgAUMccAJTQ2xwAUMscAJTM4xwAUMscAJTI5xwAVMscAFTHIABQyyAAlMTPIABQyyAAVNccAFDLHACU5N8cAFDLHACU4OccAFDLHACU4MccAFDLHACU3M8cAFDLHACU2NccAFDPHACU1N8cAFDPHACU0OMcAFDPHACU0MMcAFDPHACUzMscAFDPHACUyNMgAFDPIACUxNsgAFTPIAAXHAASKAAWIAASHAA/VAv///////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////yBQPTY3NjsAAAAACkltTw==');
const linkedFrame = base64('BCJNGExAsH4BAAAAAAANawIAAPMCcmVjb3JkLTAgdmFsdWU9MDsRABMxEQA0OTE5EwATMhMANDgzOBMAEzMTADQ3NTcTABM0EwA0Njc2EwATNRMANDU5NRMAFDYTACQxNBMAEzcTADQ0MzMTABM4EwA0MzUyEwATORMANDI3MRMAFDG9ACYxOb8ABMAAJTEwwAAUMcEAFTLAABQxwQAlOTTBABQxwgAlODbCABQxwwAlNzjDABQxxAAlNzDEABQxxQAlNjLFABQxxgAlNTTGABQxxwAlNDbHABQyxwAlMzjHABQyxwAlMjnHABUyxwAVMcgAFDLIACUxM8gAFDLIABU1xwAUMscAJTk3xwAUMscAJTg5xwAUMscAJTgxxwAUMscAJTczxwAUMscAJTY1xwAUM8cAJTU3xwAUM8cAJTQ4xwAUM8cAJTQwxwAUM8cAJTMyxwAUM8cAJTI0yAAUM8gAJTE2yAAVM8gABccABIoABYgABIcAD9UC//////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////BQZT04NjaPAAAABfD/BFP9D+L+/////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////wZQPTY3NjsAAAAACkltTw==');
const checksumFrame = base64('BCJNGHBArWsCAADzAnJlY29yZC0wIHZhbHVlPTA7EQATMREANDkxORMAEzITADQ4MzgTABMzEwA0NzU3EwATNBMANDY3NhMAEzUTADQ1OTUTABQ2EwAkMTQTABM3EwA0NDMzEwATOBMANDM1MhMAEzkTADQyNzETABQxvQAmMTm/AATAACUxMMAAFDHBABUywAAUMcEAJTk0wQAUMcIAJTg2wgAUMcMAJTc4wwAUMcQAJTcwxAAUMcUAJTYyxQAUMcYAJTU0xgAUMccAJTQ2xwAUMscAJTM4xwAUMscAJTI5xwAVMscAFTHIABQyyAAlMTPIABQyyAAVNccAFDLHACU5N8cAFDLHACU4OccAFDLHACU4MccAFDLHACU3M8cAFDLHACU2NccAFDPHACU1N8cAFDPHACU0OMcAFDPHACU0MMcAFDPHACUzMscAFDPHACUyNMgAFDPIACUxNsgAFTPIAAXHAASKAAWIAASHAA/VAv/////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////wUGU9ODY2mm2479gBAAD1BTtyZWNvcmQtMTUgdmFsdWU9Nzg1FAAUNhQAJTA0FAATNxQANTYyMxQAEzgUADU1NDIUABM5FAA0NDYxFAAjMjAUADUzODAUABMxFAA1Mjk5FAAUMhQAJTE4FAATMxQANTEzNxQAEzQUACU1NhMABMcAJTk3xwAUMscAJTg5xwAUMscAJTgxxwAUMscAJTczxwAUMscAJTY1xwAUM8cAJTU3xwAUM8cAJTQ4xwAUM8cAJTQwxwAUM8cAJTMyxwAUM8cAJTI0yAAUM8gAJTE2yAAVM8gABccABIoABYgABIcAJTkxhwAEhgAmODOGAAM4ASU3NYUABIQAJTY3hAAEgwAlNTmDAASCACU1MYMABEkBJTQzSQEESAElMzVIAQRHASUyN0cBFDG9ACYxOb8ABMAAJTEwwAAUMcEAFTLAABQxRgElOTTBABQxwgAlODbCAA/VAv////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////83UD02NzY7fKHgpAAAAAA=');
const storedPlain = Uint8Array.from(Buffer.from('ff1789b2348ddbc2fce24d324818044ca7d12602a1f47b27d6834472f0c5f96b23188d4f3152ea28cf84507c8677cdd37cca66f50c7a3095b9176f681c3734273a5f5715d963690c8649395cd9066bba82f1294735742ebf274207486b12ee12', 'hex'));
const storedFrame = base64('BCJNGGBAgmAAAID/F4myNI3bwvziTTJIGARMp9EmAqH0eyfWg0Ry8MX5ayMYjU8xUuooz4RQfIZ3zdN8ymb1DHowlbkXb2gcNzQnOl9XFdljaQyGSTlc2QZruoLxKUc1dC6/J0IHSGsS7hIAAAAA');

/** Byte equality without vitest's element-by-element diffing, which is slow on 100 KB arrays. */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  expect(Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected)).toBe(true);
}

describe('lz4 frames', () => {
  it('decode independent, linked, block-checksummed and stored-block frames from the lz4 tool', () => {
    for (const frame of [independentFrame, linkedFrame, checksumFrame]) {
      expect(frame.length).toBeLessThan(textPlain.length / 50);
      expectSameBytes(lz4Decompress(frame, 1 << 20), textPlain);
    }
    expectSameBytes(lz4Decompress(storedFrame, 1 << 20), storedPlain);
  });

  it('decode frames back to back, with a skippable frame between them', () => {
    const skippable = Uint8Array.from([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    const blob = Uint8Array.from([...storedFrame, ...skippable, ...independentFrame]);
    const plain = lz4Decompress(blob, 1 << 20);
    expectSameBytes(plain.subarray(0, storedPlain.length), storedPlain);
    expectSameBytes(plain.subarray(storedPlain.length), textPlain);
  });

  it('stop at the bound with CORRUPT_MESSAGE, before decoding when the frame states its size', () => {
    for (const frame of [independentFrame, linkedFrame, checksumFrame]) {
      expect(codeOf(() => lz4Decompress(frame, textPlain.length - 1))).toBe(ErrorCode.CORRUPT_MESSAGE);
      expect(lz4Decompress(frame, textPlain.length)).toHaveLength(textPlain.length);
    }
    expect(codeOf(() => decompress(Compression.lz4, linkedFrame, 10))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('refuse every truncation and a bad magic, version or match offset with CORRUPT_MESSAGE', () => {
    for (let length = 0; length < checksumFrame.length; length++) {
      expect(codeOf(() => lz4Decompress(checksumFrame.subarray(0, length), 1 << 20)), `cut at ${length}`).toBe(ErrorCode.CORRUPT_MESSAGE);
    }
    const badMagic = independentFrame.slice();
    badMagic[0] ^= 1;
    expect(codeOf(() => lz4Decompress(badMagic, 1 << 20))).toBe(ErrorCode.CORRUPT_MESSAGE);
    const badVersion = independentFrame.slice();
    badVersion[4] ^= 0x80;
    expect(codeOf(() => lz4Decompress(badVersion, 1 << 20))).toBe(ErrorCode.CORRUPT_MESSAGE);
    // One block: token (1 literal, match), 'a', offset 2 — but only one byte has been written.
    const farMatch = Uint8Array.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, 5, 0, 0, 0, 0x10, 0x61, 2, 0, 0x00, 0, 0, 0, 0]);
    expect(codeOf(() => lz4Decompress(farMatch, 1 << 20))).toBe(ErrorCode.CORRUPT_MESSAGE);
    const nearMatch = farMatch.slice();
    nearMatch[13] = 1; // offset 1: 'a' repeated, then the closing empty literal run
    expect(new TextDecoder().decode(lz4Decompress(nearMatch, 1 << 20))).toBe('aaaaa');
  });

  it('throw only LanesErrors on arbitrary bytes after a valid frame header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (tail) => {
        codeOf(() => lz4Decompress(Uint8Array.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, ...tail]), 4096));
      }),
      { numRuns: 1000 },
    );
  });

  it('are read from a batch through the registry, and written by our encoder or a plugged-in one', () => {
    const records = [{ key: null, value: storedPlain }, { key: null, value: textPlain }];
    const batch = encodeRecordBatch(records, { compression: Compression.lz4 });
    expect(validateRecordBatch(batch, 0, batch.length, defaultValidateOptions())).toBe(2);
    const values = [...readRecords(batch)].map((r) => r.value!);
    expect(values).toHaveLength(2);
    expectSameBytes(values[0], storedPlain);
    expectSameBytes(values[1], textPlain);
    expect(batch.length).toBeLessThan(textPlain.length / 10);
    // A plugged-in encoder: the records section as one stored-block frame.
    const one = [{ key: null, value: storedPlain }];
    const plainRecords = encodeRecordBatch(one).subarray(61);
    const storedRecordsFrame = Uint8Array.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, plainRecords.length, 0, 0, 0x80, ...plainRecords, 0, 0, 0, 0]);
    const plugged = encodeRecordBatch(one, { compression: Compression.lz4, compress: () => storedRecordsFrame });
    expect([...readRecords(plugged)].map((r) => r.value)).toEqual([storedPlain]);
    expect(lz4Codec(null).compress).toBeUndefined();
  });

  it('hash with xxHash32 as the reference vectors say (the frame header checksum readers verify)', () => {
    const utf8 = (text: string) => new TextEncoder().encode(text);
    expect(xxh32(utf8(''))).toBe(0x02cc5d05);
    expect(xxh32(utf8('a'))).toBe(0x550d7456);
    expect(xxh32(utf8('abc'))).toBe(0x32d153ff);
    expect(xxh32(utf8('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f);
    // The lz4 tool's frame for these flags carries the same checksum byte ours does.
    expect(storedFrame.subarray(4, 7)).toEqual(Uint8Array.from([0x60, 0x40, (xxh32(storedFrame.subarray(4, 6)) >>> 8) & 0xff]));
  });

  it('are written as Kafka writes them: independent 64 KiB blocks, no checksums, stored when incompressible', () => {
    const frame = lz4CompressFrame(textPlain);
    expect([...frame.subarray(0, 6)]).toEqual([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40]);
    expect(frame.length).toBeLessThan(textPlain.length / 10);
    const stored = lz4CompressFrame(storedPlain);
    expect(stored).toEqual(storedFrame);
  });

  it('round-trip any bytes through our encoder (fast-check)', () => {
    // Small alphabets give long and overlapping matches, large ones literals; long inputs cross blocks.
    const alphabet = fc.integer({ min: 1, max: 256 });
    const input = alphabet.chain((size) => fc.uint8Array({ maxLength: 150_000, size: 'medium' }).map((bytes) => bytes.map((b) => b % size)));
    fc.assert(
      fc.property(input, (plain) => {
        expectSameBytes(decompress(Compression.lz4, compress(Compression.lz4, plain), plain.length), plain);
      }),
      { numRuns: 200 },
    );
  });
});
