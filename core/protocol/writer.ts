// Builds one outgoing message as a list of chunks, ready for `socket.cork(); write(chunk)…;
// socket.uncork()` or a writev.
//
// Small fields are written into a scratch segment; when a segment fills, it is sealed into the
// chunk list and a bigger one is started (nothing is ever copied to grow). Large byte fields and
// record data are not copied at all: the caller's Uint8Array views (record batches living in
// shared memory or a segment file's buffer) are appended to the chunk list by reference.
//
//   chunks: [ scratch 0..k ][ batch view ][ batch view ][ scratch k..m ][ member metadata view ] …
//
// The first four bytes of the first segment are reserved for the frame size, so finishFrame()
// can fill them in without another chunk. A Writer is single-use when finished with finish() or
// finishFrame(): the chunks it hands out alias its segments, so they must not be written again.
// finishFrameCopied() instead copies the scratch bytes out into exact-size buffers from the
// caller's allocator, so nothing handed out aliases the segment and the writer may be reused
// (reuse()): the broker encodes every response with one writer this way, allocating only the
// exact-size copy per response instead of a fresh 1 KiB segment (bench/load: scavenges).

import { assert } from '../assert.js';
import { stringBytesMax } from './reader.js';

const textEncoder = new TextEncoder();

/** Byte fields up to this size are copied into the scratch segment; bigger ones are referenced. */
export const copyBytesMax = 512;

const segmentBytesMin = 256;
const segmentBytesMax = 64 * 1024;
const frameSizeBytes = 4;
const twoPow32 = 0x1_0000_0000;

export class Writer {
  private readonly chunks: Uint8Array[] = [];
  /** Parallel to `chunks`: true for a part of our own segments, false for a caller's view. */
  private readonly chunkOwned: boolean[] = [];
  private segment: Uint8Array;
  private view: DataView;
  /** Where the unsealed part of the current segment starts. */
  private segmentStart: number;
  private position: number;
  /** Bytes in sealed chunks, excluding the reserved frame size. */
  private sealedBytes = 0;
  private finished = false;
  /** Set once chunks aliasing our segments were handed out: the segment must not be reused. */
  private aliased = false;

  constructor(segmentBytes = 1024) {
    assert(segmentBytes >= frameSizeBytes, 'a segment holds at least the frame size');
    this.segment = new Uint8Array(segmentBytes);
    this.view = new DataView(this.segment.buffer);
    this.segmentStart = 0;
    this.position = frameSizeBytes;
  }

  /** Bytes written so far, excluding the frame size. */
  get byteLength(): number {
    return this.sealedBytes + (this.position - this.segmentStart) - (this.chunks.length === 0 ? frameSizeBytes : 0);
  }

  /** Makes room for `count` contiguous bytes in the scratch segment. */
  private ensure(count: number): void {
    assert(!this.finished, 'writer used after finish');
    if (this.position + count <= this.segment.length) return;
    this.seal();
    const size = Math.max(count, Math.min(segmentBytesMax, Math.max(segmentBytesMin, this.segment.length * 2)));
    this.segment = new Uint8Array(size);
    this.view = new DataView(this.segment.buffer);
    this.segmentStart = 0;
    this.position = 0;
  }

  /** Moves the written part of the current segment into the chunk list. */
  private seal(): void {
    if (this.position === this.segmentStart) return;
    const chunk = this.segment.subarray(this.segmentStart, this.position);
    // The reserved frame size is not part of the body.
    this.sealedBytes += chunk.length - (this.chunks.length === 0 && this.segmentStart === 0 ? frameSizeBytes : 0);
    this.chunks.push(chunk);
    this.chunkOwned.push(true);
    this.segmentStart = this.position;
  }

  // Fixed-width integers, big-endian. Values outside a type's range are programmer errors.

  writeInt8(value: number): void {
    assert(Number.isInteger(value) && value >= -0x80 && value <= 0x7f, `int8 out of range: ${value}`);
    this.ensure(1);
    this.view.setInt8(this.position++, value);
  }

  writeBool(value: boolean): void {
    this.ensure(1);
    this.segment[this.position++] = value ? 1 : 0;
  }

  writeInt16(value: number): void {
    assert(Number.isInteger(value) && value >= -0x8000 && value <= 0x7fff, `int16 out of range: ${value}`);
    this.ensure(2);
    this.view.setInt16(this.position, value);
    this.position += 2;
  }

  writeUint16(value: number): void {
    assert(Number.isInteger(value) && value >= 0 && value <= 0xffff, `uint16 out of range: ${value}`);
    this.ensure(2);
    this.view.setUint16(this.position, value);
    this.position += 2;
  }

  writeInt32(value: number): void {
    assert(Number.isInteger(value) && value >= -0x8000_0000 && value <= 0x7fff_ffff, `int32 out of range: ${value}`);
    this.ensure(4);
    this.view.setInt32(this.position, value);
    this.position += 4;
  }

  writeUint32(value: number): void {
    assert(Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff, `uint32 out of range: ${value}`);
    this.ensure(4);
    this.view.setUint32(this.position, value);
    this.position += 4;
  }

  writeInt64(value: number): void {
    assert(Number.isSafeInteger(value), `int64 is not a safe integer: ${value}`);
    this.ensure(8);
    const high = Math.floor(value / twoPow32);
    this.view.setInt32(this.position, high);
    this.view.setUint32(this.position + 4, value - high * twoPow32);
    this.position += 8;
  }

  writeFloat64(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.position, value);
    this.position += 8;
  }

  writeUuid(value: Uint8Array): void {
    assert(value.length === 16, `a uuid has 16 bytes, not ${value.length}`);
    this.ensure(16);
    this.segment.set(value, this.position);
    this.position += 16;
  }

  // Variable-length integers.

  writeUnsignedVarint(value: number): void {
    assert(Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff, `uvarint out of range: ${value}`);
    this.ensure(5);
    this.putUnsignedVarint(value);
  }

  /** Writes an unsigned varint into room the caller has already ensured. */
  private putUnsignedVarint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.segment[this.position++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 128);
    }
    this.segment[this.position++] = rest;
  }

  writeVarint(value: number): void {
    assert(Number.isInteger(value) && value >= -0x8000_0000 && value <= 0x7fff_ffff, `varint out of range: ${value}`);
    this.writeUnsignedVarint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  writeUnsignedVarlong(value: number): void {
    assert(Number.isSafeInteger(value) && value >= 0, `uvarlong out of range: ${value}`);
    this.ensure(8);
    let rest = value;
    while (rest >= 0x80) {
      this.segment[this.position++] = (rest % 128) | 0x80;
      rest = Math.floor(rest / 128);
    }
    this.segment[this.position++] = rest;
  }

  /**
   * A zigzag varlong. The zigzag form of a safe integer can reach 2^54 − 1, beyond exact float
   * arithmetic, so it is emitted from two halves: the low bit and the magnitude.
   */
  writeVarlong(value: number): void {
    assert(Number.isSafeInteger(value), `varlong is not a safe integer: ${value}`);
    this.ensure(8);
    // zigzag(value) = 2·half + sign, with half = value (≥ 0) or −value − 1 (< 0).
    const sign = value < 0 ? 1 : 0;
    let half = value < 0 ? -value - 1 : value;
    // First byte: sign bit and the low 6 bits of half.
    let byte = sign | ((half % 64) * 2);
    half = Math.floor(half / 64);
    while (half > 0) {
      this.segment[this.position++] = byte | 0x80;
      byte = half % 128;
      half = Math.floor(half / 128);
    }
    this.segment[this.position++] = byte;
  }

  // Strings: UTF-8, encoded straight into the segment.

  private writeUtf8(value: string, lengthPrefix: 'int16' | 'compact'): void {
    const bytesMax = value.length * 3;
    if (lengthPrefix === 'int16') {
      this.ensure(2 + bytesMax);
      const start = this.position + 2;
      const length = this.encodeUtf8At(value, start);
      assert(length <= stringBytesMax, `string of ${length} bytes exceeds ${stringBytesMax}`);
      this.view.setInt16(this.position, length);
      this.position = start + length;
      return;
    }
    // Compact: the uvarint prefix size depends on the byte length, known only after encoding;
    // reserve the largest prefix the bound allows and close the gap if the string was shorter.
    const prefixBytes = uvarintBytes(bytesMax + 1);
    this.ensure(prefixBytes + bytesMax);
    const start = this.position + prefixBytes;
    const length = this.encodeUtf8At(value, start);
    assert(length <= stringBytesMax, `string of ${length} bytes exceeds ${stringBytesMax}`);
    const prefixActual = uvarintBytes(length + 1);
    if (prefixActual < prefixBytes) {
      this.segment.copyWithin(this.position + prefixActual, start, start + length);
    }
    this.putUnsignedVarint(length + 1);
    this.position += length;
  }

  /** Encodes into the segment at `start` (room for 3 bytes per UTF-16 unit ensured); returns bytes. */
  private encodeUtf8At(value: string, start: number): number {
    const segment = this.segment;
    for (let index = 0; index < value.length; index++) {
      const unit = value.charCodeAt(index);
      if (unit >= 0x80) return textEncoder.encodeInto(value, segment.subarray(start)).written;
      segment[start + index] = unit;
    }
    return value.length;
  }

  writeString(value: string): void {
    this.writeUtf8(value, 'int16');
  }

  writeNullableString(value: string | null): void {
    if (value === null) this.writeInt16(-1);
    else this.writeUtf8(value, 'int16');
  }

  writeCompactString(value: string): void {
    this.writeUtf8(value, 'compact');
  }

  writeCompactNullableString(value: string | null): void {
    if (value === null) this.writeUnsignedVarint(0);
    else this.writeUtf8(value, 'compact');
  }

  // Bytes: small ones copied, large ones referenced.

  /** Appends raw bytes (no length prefix): copied when small, referenced when large. */
  writeRaw(bytes: Uint8Array): void {
    if (bytes.length <= copyBytesMax) {
      this.ensure(bytes.length);
      this.segment.set(bytes, this.position);
      this.position += bytes.length;
      return;
    }
    this.appendChunk(bytes);
  }

  /** Appends a view to the output by reference, never copying it. */
  appendChunk(bytes: Uint8Array): void {
    assert(!this.finished, 'writer used after finish');
    if (bytes.length === 0) return;
    this.seal();
    this.chunks.push(bytes);
    this.chunkOwned.push(false);
    this.sealedBytes += bytes.length;
  }

  writeBytes(bytes: Uint8Array): void {
    this.writeInt32(bytes.length);
    this.writeRaw(bytes);
  }

  writeNullableBytes(bytes: Uint8Array | null): void {
    if (bytes === null) this.writeInt32(-1);
    else this.writeBytes(bytes);
  }

  writeCompactBytes(bytes: Uint8Array): void {
    this.writeUnsignedVarint(bytes.length + 1);
    this.writeRaw(bytes);
  }

  writeCompactNullableBytes(bytes: Uint8Array | null): void {
    if (bytes === null) this.writeUnsignedVarint(0);
    else this.writeCompactBytes(bytes);
  }

  /**
   * A nullable bytes field whose content is a list of existing views (e.g. the record batches of
   * one Fetch partition): writes the total length, then appends every chunk by reference.
   */
  writeRecordsChunks(chunks: readonly Uint8Array[] | null, compact = false): void {
    if (chunks === null) {
      if (compact) this.writeUnsignedVarint(0);
      else this.writeInt32(-1);
      return;
    }
    let total = 0;
    for (const chunk of chunks) total += chunk.length;
    if (compact) this.writeUnsignedVarint(total + 1);
    else this.writeInt32(total);
    for (const chunk of chunks) this.appendChunk(chunk);
  }

  // Array counts.

  writeArrayCount(count: number): void {
    this.writeInt32(count);
  }

  writeCompactArrayCount(count: number | null): void {
    this.writeUnsignedVarint(count === null ? 0 : count + 1);
  }

  /** An empty tag section, the common case of every flexible struct. */
  writeEmptyTaggedFields(): void {
    this.writeUnsignedVarint(0);
  }

  /** Appends another writer's body (its chunks, by reference). */
  writeWriter(other: Writer): void {
    for (const chunk of other.finish()) this.appendChunk(chunk);
  }

  // Finishing.

  /** The body's chunks (no frame size). The writer cannot be used afterwards. */
  finish(): Uint8Array[] {
    assert(!this.finished, 'writer finished twice');
    this.seal();
    this.finished = true;
    this.aliased = true;
    const chunks = this.chunks;
    if (chunks.length === 0) return [];
    // The first chunk starts with the reserved frame size.
    const first = chunks[0].subarray(frameSizeBytes);
    const body = first.length === 0 ? chunks.slice(1) : [first, ...chunks.slice(1)];
    return body;
  }

  /** The whole frame: int32 size, then the body's chunks. The writer cannot be used afterwards. */
  finishFrame(): Uint8Array[] {
    this.sealFrame();
    this.aliased = true;
    return this.chunks;
  }

  /**
   * The whole frame like finishFrame(), but every run of our own scratch bytes is copied into one
   * exact-size array from `allocate`; a caller's views appended by reference are passed through.
   * Nothing returned aliases the writer's segment, so the writer may be reuse()d at once — even
   * while the returned chunks are still queued on a socket.
   */
  finishFrameCopied(allocate: (bytes: number) => Uint8Array): Uint8Array[] {
    this.sealFrame();
    const chunks = this.chunks;
    const owned = this.chunkOwned;
    assert(owned.length === chunks.length, 'every chunk is marked owned or not');
    const out: Uint8Array[] = [];
    let index = 0;
    while (index < chunks.length) {
      if (!owned[index]) {
        out.push(chunks[index++]);
        continue;
      }
      let runEnd = index;
      let runBytes = 0;
      while (runEnd < chunks.length && owned[runEnd]) runBytes += chunks[runEnd++].length;
      const copy = allocate(runBytes);
      assert(copy.length === runBytes, 'the allocator returns exactly the bytes asked for');
      let position = 0;
      for (; index < runEnd; index++) {
        copy.set(chunks[index], position);
        position += chunks[index].length;
      }
      out.push(copy);
    }
    return out;
  }

  /**
   * Makes a writer finished with finishFrameCopied() (or abandoned mid-message) empty again,
   * keeping its current segment. Refused after finish()/finishFrame(), whose chunks alias it.
   */
  reuse(): void {
    assert(!this.aliased, 'a writer whose chunks alias its segment is not reused');
    this.chunks.length = 0;
    this.chunkOwned.length = 0;
    this.segmentStart = 0;
    this.position = frameSizeBytes;
    this.sealedBytes = 0;
    this.finished = false;
  }

  /** Seals the last segment and fills in the reserved frame size. */
  private sealFrame(): void {
    assert(!this.finished, 'writer finished twice');
    this.seal();
    this.finished = true;
    const size = this.sealedBytes;
    assert(size <= 0x7fff_ffff, `frame of ${size} bytes does not fit an int32 size`);
    // The size lives in the first four bytes of the first segment, reserved by the constructor.
    const first = this.chunks[0];
    assert(first !== undefined && first.length >= frameSizeBytes && this.chunkOwned[0], 'the first chunk holds the frame size');
    first[0] = size >>> 24;
    first[1] = (size >>> 16) & 0xff;
    first[2] = (size >>> 8) & 0xff;
    first[3] = size & 0xff;
  }
}

/** Bytes an unsigned varint of `value` takes. */
export function uvarintBytes(value: number): number {
  let count = 1;
  let rest = value;
  while (rest >= 0x80) {
    rest = Math.floor(rest / 128);
    count++;
  }
  return count;
}

/** Concatenates chunks into one array (tests and tools; the hot path writes chunks as they are). */
export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  const out = new Uint8Array(total);
  let position = 0;
  for (const chunk of chunks) {
    out.set(chunk, position);
    position += chunk.length;
  }
  return out;
}
