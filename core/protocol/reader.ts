// A bounds-checked cursor over one Kafka message (a frame's bytes, or part of one).
//
// Every read checks the bytes it needs against `end` before touching them and throws a
// ProtocolError when they are missing, so a truncated frame or a length that lies never reaches
// DataView (whose RangeError would look like a bug) and never drives an allocation: array counts
// are checked against the bytes left before the caller loops over them.
//
// Byte fields (bytes, records) are returned as subarray views of the input, never copies: a
// Produce request's record batches stay where the socket put them. The views alias the frame, so
// a frame buffer must not be reused while decoded values are alive (Node's socket chunks aren't).

import { assert } from '../assert.js';
import { ProtocolError } from './errors.js';

const textDecoder = new TextDecoder('utf-8');

/** Classic strings carry an int16 length, so longer strings cannot exist on the wire. */
export const stringBytesMax = 0x7fff;

const twoPow32 = 0x1_0000_0000;

export class Reader {
  readonly bytes: Uint8Array;
  /** Index one past the last byte this reader may read. */
  readonly end: number;
  /** Index of the next byte to read. */
  offset: number;
  private readonly view: DataView;

  constructor(bytes: Uint8Array, offset = 0, end = bytes.length) {
    assert(offset >= 0 && offset <= end && end <= bytes.length, 'reader window lies inside its bytes');
    this.bytes = bytes;
    this.offset = offset;
    this.end = end;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  /** Throws unless `count` more bytes are present; names `what` for the log line. */
  require(count: number, what: string): void {
    if (count > this.end - this.offset) {
      throw new ProtocolError(
        `${what} needs ${count} bytes at offset ${this.offset} but only ${this.end - this.offset} remain`,
      );
    }
  }

  skip(count: number, what = 'skipped bytes'): void {
    this.require(count, what);
    this.offset += count;
  }

  // Fixed-width integers, big-endian.

  readInt8(): number {
    this.require(1, 'int8');
    return this.view.getInt8(this.offset++);
  }

  readBool(): boolean {
    this.require(1, 'bool');
    // Kafka reads any non-zero byte as true.
    return this.bytes[this.offset++] !== 0;
  }

  readInt16(): number {
    this.require(2, 'int16');
    const value = this.view.getInt16(this.offset);
    this.offset += 2;
    return value;
  }

  readUint16(): number {
    this.require(2, 'uint16');
    const value = this.view.getUint16(this.offset);
    this.offset += 2;
    return value;
  }

  readInt32(): number {
    this.require(4, 'int32');
    const value = this.view.getInt32(this.offset);
    this.offset += 4;
    return value;
  }

  readUint32(): number {
    this.require(4, 'uint32');
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }

  /**
   * An int64 as a JS number. Offsets, timestamps and producer ids fit in 53 bits; a value outside
   * ±(2^53 − 1) cannot be represented exactly, so it is rejected rather than silently rounded.
   */
  readInt64(): number {
    this.require(8, 'int64');
    const high = this.view.getInt32(this.offset);
    const low = this.view.getUint32(this.offset + 4);
    // high * 2^32 is exact; the sum rounds only when it leaves the safe range, and rounding is
    // monotonic, so an unsafe true value never rounds back into the safe range.
    const value = high * twoPow32 + low;
    if (!Number.isSafeInteger(value)) {
      throw new ProtocolError(`int64 at offset ${this.offset} is outside the safe integer range`);
    }
    this.offset += 8;
    return value;
  }

  readFloat64(): number {
    this.require(8, 'float64');
    const value = this.view.getFloat64(this.offset);
    this.offset += 8;
    return value;
  }

  /** 16 bytes, copied: a UUID is small and usually kept beyond the request's lifetime. */
  readUuid(): Uint8Array {
    this.require(16, 'uuid');
    const value = this.bytes.slice(this.offset, this.offset + 16);
    this.offset += 16;
    return value;
  }

  // Variable-length integers (protobuf style, 7 bits per byte, least significant group first).

  /** An unsigned varint of at most 5 bytes (uint32), as used for compact lengths and tags. */
  readUnsignedVarint(): number {
    let value = 0;
    let scale = 1;
    for (let index = 0; index < 5; index++) {
      if (this.offset >= this.end) throw new ProtocolError('truncated unsigned varint');
      const byte = this.bytes[this.offset++];
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (value > 0xffff_ffff) throw new ProtocolError('unsigned varint exceeds 32 bits');
        return value;
      }
      scale *= 128;
    }
    throw new ProtocolError('unsigned varint is longer than 5 bytes');
  }

  /** A zigzag varint (sint32). */
  readVarint(): number {
    const raw = this.readUnsignedVarint();
    // Zigzag: even raw values are non-negative (raw / 2), odd ones negative (−(raw + 1) / 2).
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** An unsigned varlong within the safe integer range (at most 8 bytes can stay below 2^53). */
  readUnsignedVarlong(): number {
    let value = 0;
    let scale = 1;
    for (let index = 0; index < 10; index++) {
      if (this.offset >= this.end) throw new ProtocolError('truncated varlong');
      const byte = this.bytes[this.offset++];
      // Exact while value < 2^53: each term is a 7-bit integer times a power of two.
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(value)) {
          throw new ProtocolError('varlong is outside the safe integer range');
        }
        return value;
      }
      scale *= 128;
      if (scale > 2 ** 56) throw new ProtocolError('varlong is outside the safe integer range');
    }
    throw new ProtocolError('varlong is longer than 10 bytes');
  }

  /**
   * A zigzag varlong (sint64) within ±(2^53 − 1). The zigzag form of such a value is below 2^54,
   * so it is decoded through two halves to stay exact.
   */
  readVarlong(): number {
    const start = this.offset;
    let low = 0; // bits 0..27
    let high = 0; // bits 28..55
    let shift = 0;
    for (;;) {
      if (this.offset >= this.end) throw new ProtocolError('truncated varlong');
      if (shift > 49) throw new ProtocolError(`varlong at offset ${start} is outside the safe integer range`);
      const byte = this.bytes[this.offset++];
      if (shift < 28) low += (byte & 0x7f) * 2 ** shift;
      else high += (byte & 0x7f) * 2 ** (shift - 28);
      if ((byte & 0x80) === 0) break;
      shift += 7;
    }
    // shift ≤ 49 bounds the raw value below 2^56; values ≥ 2^54 are out of range.
    if (high >= 2 ** 26) throw new ProtocolError(`varlong at offset ${start} is outside the safe integer range`);
    const negative = (low & 1) === 1;
    // raw = high·2^28 + low; raw >>> 1 = high·2^27 + (low >>> 1); both terms exact.
    const half = high * 2 ** 27 + Math.floor(low / 2);
    const value = negative ? -half - 1 : half;
    if (!Number.isSafeInteger(value)) {
      throw new ProtocolError(`varlong at offset ${start} is outside the safe integer range`);
    }
    return value;
  }

  // Strings.

  private decodeUtf8(length: number): string {
    const start = this.offset;
    this.offset += length;
    // Short ASCII strings (topic names, member ids) are the common case; skip TextDecoder's
    // call overhead for them.
    if (length <= 64) {
      let text = '';
      for (let index = start; index < start + length; index++) {
        const byte = this.bytes[index];
        if (byte >= 0x80) return textDecoder.decode(this.bytes.subarray(start, start + length));
        text += String.fromCharCode(byte);
      }
      return text;
    }
    return textDecoder.decode(this.bytes.subarray(start, start + length));
  }

  /** Classic string: int16 length; -1 (null) is rejected here, see readNullableString. */
  readString(): string {
    const length = this.readInt16();
    if (length < 0) throw new ProtocolError(`non-nullable string has length ${length}`);
    this.require(length, 'string');
    return this.decodeUtf8(length);
  }

  readNullableString(): string | null {
    const length = this.readInt16();
    if (length === -1) return null;
    if (length < 0) throw new ProtocolError(`string has length ${length}`);
    this.require(length, 'string');
    return this.decodeUtf8(length);
  }

  /** Compact string: unsigned varint length + 1 (0 means null, rejected here). */
  readCompactString(): string {
    const lengthPlusOne = this.readUnsignedVarint();
    if (lengthPlusOne === 0) throw new ProtocolError('non-nullable compact string is null');
    const length = lengthPlusOne - 1;
    if (length > stringBytesMax) throw new ProtocolError(`compact string length ${length} exceeds ${stringBytesMax}`);
    this.require(length, 'compact string');
    return this.decodeUtf8(length);
  }

  readCompactNullableString(): string | null {
    const lengthPlusOne = this.readUnsignedVarint();
    if (lengthPlusOne === 0) return null;
    const length = lengthPlusOne - 1;
    if (length > stringBytesMax) throw new ProtocolError(`compact string length ${length} exceeds ${stringBytesMax}`);
    this.require(length, 'compact string');
    return this.decodeUtf8(length);
  }

  // Bytes: views, never copies.

  /** `length` bytes as a view of the input. */
  readView(length: number, what = 'bytes'): Uint8Array {
    this.require(length, what);
    const view = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return view;
  }

  /** Classic bytes: int32 length; -1 (null) is rejected here, see readNullableBytes. */
  readBytes(): Uint8Array {
    const length = this.readInt32();
    if (length < 0) throw new ProtocolError(`non-nullable bytes have length ${length}`);
    return this.readView(length);
  }

  readNullableBytes(): Uint8Array | null {
    const length = this.readInt32();
    if (length === -1) return null;
    if (length < 0) throw new ProtocolError(`bytes have length ${length}`);
    return this.readView(length);
  }

  readCompactBytes(): Uint8Array {
    const lengthPlusOne = this.readUnsignedVarint();
    if (lengthPlusOne === 0) throw new ProtocolError('non-nullable compact bytes are null');
    return this.readView(lengthPlusOne - 1, 'compact bytes');
  }

  readCompactNullableBytes(): Uint8Array | null {
    const lengthPlusOne = this.readUnsignedVarint();
    if (lengthPlusOne === 0) return null;
    return this.readView(lengthPlusOne - 1, 'compact bytes');
  }

  // Array counts. The caller passes the smallest encoding of one element so that a count which
  // could not possibly fit in the bytes left fails here, before any loop or allocation.

  /** Classic array count (int32, -1 = null), checked against the bytes left. */
  readArrayCount(elementBytesMin: number): number {
    const count = this.readInt32();
    if (count === -1) return -1;
    if (count < 0) throw new ProtocolError(`array has count ${count}`);
    this.requireElements(count, elementBytesMin);
    return count;
  }

  /** Compact array count (unsigned varint count + 1, 0 = null → -1), checked the same way. */
  readCompactArrayCount(elementBytesMin: number): number {
    const countPlusOne = this.readUnsignedVarint();
    if (countPlusOne === 0) return -1;
    const count = countPlusOne - 1;
    this.requireElements(count, elementBytesMin);
    return count;
  }

  private requireElements(count: number, elementBytesMin: number): void {
    // Every element takes at least one byte (schemas with empty elements are refused when the
    // codec is built), so count ≤ remaining bounds the loop by the input size.
    const bytesMin = count * Math.max(1, elementBytesMin);
    if (bytesMin > this.end - this.offset) {
      throw new ProtocolError(
        `array of ${count} elements needs at least ${bytesMin} bytes but only ${this.end - this.offset} remain`,
      );
    }
  }

  // Tagged fields (flexible versions): uvarint count, then per field uvarint tag, uvarint size,
  // size bytes. Tags must ascend; unknown tags are skipped.

  /**
   * Reads a tag section. For each field, `onTag` gets the tag and a reader limited to the field's
   * bytes, and returns true if it consumed the field; unknown fields are skipped.
   */
  readTaggedFields(onTag?: (tag: number, field: Reader) => boolean): void {
    const count = this.readUnsignedVarint();
    // Each tagged field takes at least two bytes (tag and size).
    this.requireElements(count, 2);
    let tagPrevious = -1;
    for (let index = 0; index < count; index++) {
      const tag = this.readUnsignedVarint();
      if (tag <= tagPrevious) throw new ProtocolError(`tagged field ${tag} follows ${tagPrevious}`);
      tagPrevious = tag;
      const size = this.readUnsignedVarint();
      this.require(size, `tagged field ${tag}`);
      const fieldEnd = this.offset + size;
      if (onTag !== undefined) {
        const field = new Reader(this.bytes, this.offset, fieldEnd);
        if (onTag(tag, field) && field.remaining !== 0) {
          throw new ProtocolError(`tagged field ${tag} has ${field.remaining} unread bytes`);
        }
      }
      this.offset = fieldEnd;
    }
  }
}
