import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { ErrorCode } from '../../../core/errors.js';
import { compress, decompress, defaultValidateOptions } from '../../../core/records/compression.js';
import { Compression, validateRecordBatch } from '../../../core/records/record_batch.js';
import { readRecords } from '../../../core/records/record_reader.js';
import { isXerialFramed, snappyCodec, snappyCompressBlock, snappyDecompress, snappyDecompressBlock, xerialFrame } from '../../../core/records/snappy.js';
import { codeOf } from '../../support/error_code.js';

// Vectors made by an independent encoder, iq80 snappy 0.4 (pure Java), Snappy.compress() on
// the plain texts built below, so the decoder is checked against bytes it didn't produce.
const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
const textPlain = new TextEncoder().encode(
  Array.from({ length: 100 }, (_, i) => `record-${i % 37} value=${(i * 7919) % 1000};`).join(''),
);
const textBlock = fromHex(
  'a40f407265636f72642d302076616c75653d303b0d1100310d1108393139111300320d1308383338111300330d1308373537111300340d1308363736111300350d1308353935111300361113043134111300370d1308343333111300380d1308333532111300390d13083237311113003111bd04313919bf11c004313015c0003111c1003215c0003111c104393415c1003111c204383615c20431350d7704373815c3003111c404373015c4003111c504363215c5003111c604353415c6003111c704343615c7003211c70833383011db003211c704323915c7003215c7003115c8003211c804313315c8003211c8003515c7003211c704393715c7003211c704383915c7003211c704383115c7003211c704373315c7003211c704363515c7003311c704353715c70433312d3f04343815c7003311c704343015c7003311c704333215c7003311c704323415c8003311c804313615c8003315c815c7118a15c4118704393219c30d9a04383419c20d1304373615c1118404363715c0118304353915bf118204353115be314904343315bd314804333515bc314704323715bc5dd519bf11c004313115c055d5003315c059d5003515c15dd515c25dd515c35dd515c45dd515c55dd515c65dd515c75dd515c755d504333015c759d5003215c80032318904313415c859d515c75dd515c75dd515c75dd515c75dd515c75dd515c75dd515c759d5003915c759d5003115c759d5003315c75dd515c85dd515c859d515c751d515c4511504393219c34dc204383419c20d1304373615c155d5003815c051d504363015bf55d5003215be59d515bd59d515bc59d515bc5dd519bf11c004313115c059d515c05dd515c159d5003715c259d5003915c359d5003115c45dd515c55dd515c65dd515c75dd515c75dd515c75dd515c85dd515c855d5003615c73032352076616c75653d3938313b',
);
const runPlain = Uint8Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? 0x78 : 0x79));
const runBlock = fromHex(
  'b81708787979fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300fe0300d20300',
);

/** Byte equality without vitest's element-by-element diffing, which is slow on 100 KB arrays. */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  expect(Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected)).toBe(true);
}

/** A raw block of literals only: valid snappy, though it compresses nothing. */
function literalBlock(plain: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let rest = plain.length; ; rest = Math.floor(rest / 128)) {
    out.push((rest & 0x7f) | (rest >= 0x80 ? 0x80 : 0));
    if (rest < 0x80) break;
  }
  for (let at = 0; at < plain.length; at += 60) {
    const piece = plain.subarray(at, at + 60);
    out.push((piece.length - 1) << 2, ...piece);
  }
  return Uint8Array.from(out);
}

describe('snappy', () => {
  it('decodes raw blocks from an independent encoder (literals, 1- and 2-byte-offset copies, overlapping runs)', () => {
    expect(textBlock.length).toBeLessThan(textPlain.length);
    expectSameBytes(snappyDecompress(textBlock, 1 << 20), textPlain);
    expect(runBlock.length).toBeLessThan(200);
    expectSameBytes(snappyDecompress(runBlock, 1 << 20), runPlain);
  });

  it('decodes xerial framing with several chunks, as Java and librdkafka producers write it', () => {
    const framed = xerialFrame([textBlock, runBlock]);
    expect(isXerialFramed(framed)).toBe(true);
    expect(isXerialFramed(textBlock)).toBe(false);
    const plain = snappyDecompress(framed, 1 << 20);
    expectSameBytes(plain.subarray(0, textPlain.length), textPlain);
    expectSameBytes(plain.subarray(textPlain.length), runPlain);
  });

  it('decodes a copy with a 4-byte offset', () => {
    // "abcd" as a literal, then copy 8 bytes from 4 back (overlapping): "abcdabcdabcd".
    const block = Uint8Array.from([12, 3 << 2, 0x61, 0x62, 0x63, 0x64, ((8 - 1) << 2) | 3, 4, 0, 0, 0]);
    expect(new TextDecoder().decode(snappyDecompress(block, 100))).toBe('abcdabcdabcd');
  });

  it('refuses a block whose stated length is over the bound before allocating it', () => {
    expect(codeOf(() => snappyDecompress(runBlock, runPlain.length - 1))).toBe(ErrorCode.CORRUPT_MESSAGE);
    const bomb = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]); // states 2^32 − 1 plain bytes
    expect(codeOf(() => decompress(Compression.snappy, bomb))).toBe(ErrorCode.CORRUPT_MESSAGE);
    // Across xerial chunks the bound is for the total.
    expect(codeOf(() => snappyDecompress(xerialFrame([runBlock, runBlock]), 2 * runPlain.length - 1))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('refuses copies reaching before the start, overruns and short output with CORRUPT_MESSAGE', () => {
    const cases = [
      [4, (1 - 1) << 2, 0x61, 0x01 | (0 << 2), 2], // copy 4 from 2 back, only 1 byte written
      [2, (1 - 1) << 2, 0x61, 0x01, 0], // offset 0
      [2, (3 - 1) << 2, 0x61, 0x62, 0x63], // literal longer than stated
      [5, (3 - 1) << 2, 0x61, 0x62, 0x63], // ends early
      [5, (3 - 1) << 2, 0x61], // literal cut off
      [0x80], // preamble cut off
    ].map((bytes) => Uint8Array.from(bytes));
    for (const block of cases) expect(codeOf(() => snappyDecompress(block, 100)), block.join(' ')).toBe(ErrorCode.CORRUPT_MESSAGE);
    const framed = xerialFrame([textBlock]);
    expect(codeOf(() => snappyDecompress(framed.subarray(0, framed.length - 1), 1 << 20))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('throws only LanesErrors on arbitrary bytes, raw or framed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, framed) => {
        codeOf(() => snappyDecompress(framed ? xerialFrame([bytes]) : bytes, 4096));
      }),
      { numRuns: 1000 },
    );
  });

  it('reads a snappy batch through the registry, and writes one with its own encoder or a plugged-in one', () => {
    const records = [{ key: null, value: textPlain }, { key: runPlain.subarray(0, 10), value: runPlain }];
    const batch = encodeRecordBatch(records, { compression: Compression.snappy });
    expect(validateRecordBatch(batch, 0, batch.length, defaultValidateOptions())).toBe(2);
    const values = [...readRecords(batch)].map((r) => r.value!);
    expect(values).toHaveLength(2);
    expectSameBytes(values[0], textPlain);
    expectSameBytes(values[1], runPlain);
    expect(batch.length).toBeLessThan(textPlain.length);
    const withEncoder = snappyCodec(literalBlock);
    const literal = encodeRecordBatch(records, { compression: Compression.snappy, compress: (_codec, plain) => withEncoder.compress!(plain) });
    expectSameBytes([...readRecords(literal)][0].value!, textPlain);
    expect(snappyCodec(null).compress).toBeUndefined();
  });

  it('compresses repetitive text and runs to a fraction, and incompressible bytes to little more than themselves', () => {
    expect(snappyCompressBlock(textPlain).length).toBeLessThan(textPlain.length / 2);
    expect(snappyCompressBlock(runPlain).length).toBeLessThan(runPlain.length / 10);
    const noise = Uint8Array.from({ length: 32 * 1024 }, (_, i) => (Math.imul(i + 1, 0x9e3779b1) >>> 13) & 0xff);
    expect(snappyCompressBlock(noise).length).toBeLessThanOrEqual(32 + noise.length + noise.length / 6);
    expectSameBytes(snappyDecompress(compress(Compression.snappy, noise), noise.length), noise);
  });

  it('round-trips any bytes through its encoder, raw blocks and xerial framing (fast-check)', () => {
    // Small alphabets give many matches (copies of every length and both offset widths), large
    // ones give literals; long inputs cross the 32 KiB xerial chunks.
    const alphabet = fc.integer({ min: 1, max: 256 });
    const input = alphabet.chain((size) => fc.uint8Array({ maxLength: 70_000, size: 'medium' }).map((bytes) => bytes.map((b) => b % size)));
    fc.assert(
      fc.property(input, (plain) => {
        const block = snappyCompressBlock(plain);
        expectSameBytes(snappyDecompressBlock(block, 0, block.length, plain.length), plain);
        const blob = compress(Compression.snappy, plain);
        expect(isXerialFramed(blob)).toBe(true);
        expectSameBytes(decompress(Compression.snappy, blob, plain.length), plain);
      }),
      { numRuns: 200 },
    );
  });

  it('frames an encoder output in 32 KiB xerial chunks', () => {
    const plain = Uint8Array.from({ length: 70_000 }, (_, i) => i & 0xff);
    const blob = snappyCodec(literalBlock).compress!(plain);
    expect(isXerialFramed(blob)).toBe(true);
    expectSameBytes(snappyDecompress(blob, plain.length), plain);
  });
});
