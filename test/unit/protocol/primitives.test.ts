// Goal: the wire primitives produce exactly Kafka's bytes and reject every truncated or lying
// input with a ProtocolError. Method: hand-computed byte strings in both directions.

import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../../core/assert.js';
import { ProtocolError } from '../../../core/protocol/errors.js';
import { Reader } from '../../../core/protocol/reader.js';
import { Writer, concatChunks, copyBytesMax } from '../../../core/protocol/writer.js';

const hex = (text: string): Uint8Array =>
  new Uint8Array(text.split(/\s+/).filter((pair) => pair.length > 0).map((pair) => Number.parseInt(pair, 16)));

const toHex = (bytes: Uint8Array): string => [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');

function written(write: (writer: Writer) => void): string {
  const writer = new Writer();
  write(writer);
  const length = writer.byteLength;
  const bytes = concatChunks(writer.finish());
  expect(bytes.length).toBe(length);
  return toHex(bytes);
}

const reader = (text: string): Reader => new Reader(hex(text));

describe('fixed-width integers', () => {
  it('are big-endian', () => {
    expect(written((w) => w.writeInt16(-2))).toBe('ff fe');
    expect(written((w) => w.writeInt32(0x01020304))).toBe('01 02 03 04');
    expect(written((w) => w.writeUint32(0xfffffffe))).toBe('ff ff ff fe');
    expect(written((w) => w.writeInt64(-2))).toBe('ff ff ff ff ff ff ff fe');
    expect(written((w) => w.writeInt64(Number.MAX_SAFE_INTEGER))).toBe('00 1f ff ff ff ff ff ff');
    expect(reader('ff fe').readInt16()).toBe(-2);
    expect(reader('80 00 00 00').readInt32()).toBe(-0x80000000);
    expect(reader('ff ff ff ff').readUint32()).toBe(0xffffffff);
    expect(reader('00 00 00 01 00 00 00 02').readInt64()).toBe(2 ** 32 + 2);
    expect(reader('ff e0 00 00 00 00 00 01').readInt64()).toBe(-Number.MAX_SAFE_INTEGER);
  });

  it('rejects int64 values a JS number cannot hold exactly', () => {
    expect(() => reader('00 20 00 00 00 00 00 00').readInt64()).toThrow(ProtocolError); // 2^53
    expect(() => reader('ff e0 00 00 00 00 00 00').readInt64()).toThrow(ProtocolError); // −2^53
    expect(() => reader('7f ff ff ff ff ff ff ff').readInt64()).toThrow(ProtocolError);
  });

  it('refuses to encode out-of-range values (a programmer error)', () => {
    expect(() => new Writer().writeInt8(128)).toThrow(InvariantError);
    expect(() => new Writer().writeInt16(0x8000)).toThrow(InvariantError);
    expect(() => new Writer().writeInt32(1.5)).toThrow(InvariantError);
    expect(() => new Writer().writeInt64(2 ** 53)).toThrow(InvariantError);
  });

  it('reads any non-zero byte as true', () => {
    expect(reader('02').readBool()).toBe(true);
    expect(reader('00').readBool()).toBe(false);
  });
});

describe('varints', () => {
  it('encodes unsigned varints seven bits at a time, low group first', () => {
    expect(written((w) => w.writeUnsignedVarint(0))).toBe('00');
    expect(written((w) => w.writeUnsignedVarint(300))).toBe('ac 02');
    expect(written((w) => w.writeUnsignedVarint(0xffffffff))).toBe('ff ff ff ff 0f');
    expect(reader('ac 02').readUnsignedVarint()).toBe(300);
    expect(reader('ff ff ff ff 0f').readUnsignedVarint()).toBe(0xffffffff);
  });

  it('zigzag-encodes signed varints and varlongs', () => {
    expect(written((w) => w.writeVarint(-1))).toBe('01');
    expect(written((w) => w.writeVarint(1))).toBe('02');
    expect(written((w) => w.writeVarint(-300))).toBe('d7 04');
    expect(written((w) => w.writeVarint(-0x80000000))).toBe('ff ff ff ff 0f');
    expect(written((w) => w.writeVarlong(2 ** 31))).toBe('80 80 80 80 10');
    expect(written((w) => w.writeVarlong(-(2 ** 31) - 1))).toBe('81 80 80 80 10');
    expect(written((w) => w.writeVarlong(Number.MAX_SAFE_INTEGER))).toBe('fe ff ff ff ff ff ff 1f');
    expect(written((w) => w.writeVarlong(-Number.MAX_SAFE_INTEGER))).toBe('fd ff ff ff ff ff ff 1f');
    expect(reader('d7 04').readVarint()).toBe(-300);
    expect(reader('ff ff ff ff 0f').readVarint()).toBe(-0x80000000);
    expect(reader('fe ff ff ff ff ff ff 1f').readVarlong()).toBe(Number.MAX_SAFE_INTEGER);
    expect(reader('fd ff ff ff ff ff ff 1f').readVarlong()).toBe(-Number.MAX_SAFE_INTEGER);
    expect(reader('81 80 80 80 10').readVarlong()).toBe(-(2 ** 31) - 1);
  });

  it('encodes unsigned varlongs up to 2^53 − 1', () => {
    expect(written((w) => w.writeUnsignedVarlong(2 ** 35))).toBe('80 80 80 80 80 01');
    expect(reader('80 80 80 80 80 01').readUnsignedVarlong()).toBe(2 ** 35);
    expect(reader('ff ff ff ff ff ff ff 0f').readUnsignedVarlong()).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rejects truncated, overlong and out-of-range varints', () => {
    expect(() => reader('80').readUnsignedVarint()).toThrow(ProtocolError);
    expect(() => reader('80 80 80 80 80 01').readUnsignedVarint()).toThrow(ProtocolError);
    expect(() => reader('ff ff ff ff 1f').readUnsignedVarint()).toThrow(ProtocolError); // 2^33 − 1
    expect(() => reader('80 80 80 80 80 80 80 20').readVarlong()).toThrow(ProtocolError); // zigzag 2^54
    expect(() => reader('80 80 80 80 80 80 80 10').readUnsignedVarlong()).toThrow(ProtocolError); // 2^53
    expect(() => reader('ff ff ff ff ff ff ff ff ff 01').readVarlong()).toThrow(ProtocolError);
    expect(() => reader('ff').readVarlong()).toThrow(ProtocolError);
  });
});

describe('strings', () => {
  it('encodes classic strings with an int16 length, -1 for null', () => {
    expect(written((w) => w.writeString('abc'))).toBe('00 03 61 62 63');
    expect(written((w) => w.writeString('é'))).toBe('00 02 c3 a9');
    expect(written((w) => w.writeNullableString(null))).toBe('ff ff');
    expect(reader('00 03 61 62 63').readString()).toBe('abc');
    expect(reader('00 02 c3 a9').readString()).toBe('é');
    expect(reader('ff ff').readNullableString()).toBeNull();
  });

  it('encodes compact strings with an unsigned varint of length + 1, 0 for null', () => {
    expect(written((w) => w.writeCompactString('abc'))).toBe('04 61 62 63');
    expect(written((w) => w.writeCompactNullableString(null))).toBe('00');
    expect(written((w) => w.writeCompactString(''))).toBe('01');
    expect(reader('04 61 62 63').readCompactString()).toBe('abc');
    expect(reader('00').readCompactNullableString()).toBeNull();
    const long = 'x'.repeat(200);
    expect(written((w) => w.writeCompactString(long)).slice(0, 8)).toBe('c9 01 78');
  });

  it('closes the gap when a multi-byte string is shorter than its reserved prefix allowed', () => {
    // 50 × 'é': at most 150 bytes reserved a 2-byte prefix; the actual 100 bytes need one.
    const text = 'é'.repeat(50);
    const bytes = hex(written((w) => w.writeCompactString(text)));
    expect(bytes[0]).toBe(101);
    expect(bytes.length).toBe(101);
    expect(new Reader(bytes).readCompactString()).toBe(text);
  });

  it('rejects null where a string is not nullable, negative lengths and lying lengths', () => {
    expect(() => reader('ff ff').readString()).toThrow(ProtocolError);
    expect(() => reader('ff fe').readNullableString()).toThrow(ProtocolError);
    expect(() => reader('00 0a 61 62 63').readString()).toThrow(ProtocolError);
    expect(() => reader('00').readCompactString()).toThrow(ProtocolError);
    expect(() => reader('0b 61').readCompactNullableString()).toThrow(ProtocolError);
  });
});

describe('bytes', () => {
  it('encodes classic and compact bytes, null as -1 and 0', () => {
    expect(written((w) => w.writeBytes(hex('01 02')))).toBe('00 00 00 02 01 02');
    expect(written((w) => w.writeNullableBytes(null))).toBe('ff ff ff ff');
    expect(written((w) => w.writeCompactBytes(hex('01 02')))).toBe('03 01 02');
    expect(written((w) => w.writeCompactNullableBytes(null))).toBe('00');
  });

  it('decodes bytes as views of the input, not copies', () => {
    const input = hex('00 00 00 02 01 02');
    const view = new Reader(input).readBytes();
    expect(view.buffer).toBe(input.buffer);
    expect(view.byteOffset).toBe(4);
    expect([...view]).toEqual([1, 2]);
  });

  it('rejects negative and lying lengths', () => {
    expect(() => reader('ff ff ff ff').readBytes()).toThrow(ProtocolError);
    expect(() => reader('ff ff ff fe').readNullableBytes()).toThrow(ProtocolError);
    expect(() => reader('00 00 00 05 01 02').readBytes()).toThrow(ProtocolError);
    expect(() => reader('06 01 02').readCompactBytes()).toThrow(ProtocolError);
  });
});

describe('array counts', () => {
  it('fails fast on a count that cannot fit in the bytes left', () => {
    // 2^31 − 1 elements announced in 20 bytes: must throw before looping or allocating.
    const input = new Uint8Array(20);
    input.set(hex('7f ff ff ff'));
    expect(() => new Reader(input).readArrayCount(1)).toThrow(ProtocolError);
    expect(() => reader('06 00 00 00 00').readCompactArrayCount(1)).toThrow(ProtocolError);
    // Four int32 elements need 16 bytes; 12 are present.
    expect(() => reader('00 00 00 04' + ' 00'.repeat(12)).readArrayCount(4)).toThrow(ProtocolError);
    expect(reader('00 00 00 04' + ' 00'.repeat(16)).readArrayCount(4)).toBe(4);
  });

  it('reads -1 / 0 as null and rejects other negative counts', () => {
    expect(reader('ff ff ff ff').readArrayCount(1)).toBe(-1);
    expect(reader('00').readCompactArrayCount(1)).toBe(-1);
    expect(() => reader('ff ff ff fe').readArrayCount(1)).toThrow(ProtocolError);
  });
});

describe('tagged fields', () => {
  it('skips unknown tags and hands known ones a reader bounded to their bytes', () => {
    // Two fields: tag 1 (2 bytes 00 07) and tag 5 (1 byte ff), then a trailing int8.
    const input = reader('02 01 02 00 07 05 01 ff 2a');
    const seen: number[] = [];
    input.readTaggedFields((tag, field) => {
      if (tag !== 1) return false;
      seen.push(field.readInt16());
      return true;
    });
    expect(seen).toEqual([7]);
    expect(input.readInt8()).toBe(42);
  });

  it('rejects tags out of order, sizes past the end and partly read fields', () => {
    expect(() => reader('02 05 00 01 00').readTaggedFields()).toThrow(ProtocolError);
    expect(() => reader('01 00 05 00').readTaggedFields()).toThrow(ProtocolError);
    expect(() =>
      reader('01 00 02 00 07').readTaggedFields((_tag, field) => (field.readInt8(), true)),
    ).toThrow(ProtocolError);
  });
});

describe('Writer output', () => {
  it('appends record chunks by reference, without copying', () => {
    const first = new Uint8Array([1, 2, 3]);
    const second = new Uint8Array(1000).fill(9);
    const writer = new Writer();
    writer.writeInt16(7);
    writer.writeRecordsChunks([first, second]);
    writer.writeInt8(-1);
    const chunks = writer.finish();
    expect(chunks).toContain(first);
    expect(chunks).toContain(second);
    expect(toHex(concatChunks(chunks).subarray(0, 9))).toBe('00 07 00 00 03 eb 01 02 03');
  });

  it('copies small byte fields and references large ones', () => {
    const small = new Uint8Array(copyBytesMax).fill(1);
    const large = new Uint8Array(copyBytesMax + 1).fill(2);
    const writer = new Writer();
    writer.writeBytes(small);
    writer.writeBytes(large);
    const chunks = writer.finish();
    expect(chunks).not.toContain(small);
    expect(chunks).toContain(large);
    expect(concatChunks(chunks).length).toBe(8 + small.length + large.length);
  });

  it('prefixes a frame with its size, across many grown segments', () => {
    const writer = new Writer(8);
    for (let index = 0; index < 10_000; index++) writer.writeInt32(index);
    expect(writer.byteLength).toBe(40_000);
    const frame = concatChunks(writer.finishFrame());
    const view = new DataView(frame.buffer);
    expect(frame.length).toBe(40_004);
    expect(view.getInt32(0)).toBe(40_000);
    expect(view.getInt32(4 + 4 * 9_999)).toBe(9_999);
  });

  it('frames an empty body as a bare zero size', () => {
    expect(toHex(concatChunks(new Writer().finishFrame()))).toBe('00 00 00 00');
  });

  it('cannot be used after finishing', () => {
    const writer = new Writer();
    writer.finish();
    expect(() => writer.writeInt8(1)).toThrow(InvariantError);
  });
});
