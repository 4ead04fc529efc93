// LZ4 decompression for Kafka batches (codec 3), in our own code, so that Lanes accepts the lz4
// batches Java and librdkafka producers send without any package.
//
// For magic 2, Kafka's lz4 is the standard LZ4 frame format (lz4_Frame_format.md), one or more
// frames back to back:
//   magic 04 22 4D 18 (little-endian 0x184D2204), FLG, BD, [content size u64], [dict id u32], HC,
//   blocks of [u32 LE size, high bit = stored uncompressed][data][block checksum u32 if flagged],
//   an end mark u32 0, [content checksum u32 if flagged].
// Skippable frames (magic 0x184D2A50..5F) are skipped. Blocks are decoded into one contiguous
// output, so linked blocks (matches reaching into the previous block) work as well as Kafka's
// independent ones.
//
// The header, block and content checksums (xxHash32) are parsed but not verified: the batch's
// CRC-32C has already covered every one of these bytes, so they can only disagree if the
// producer's encoder is broken, which the block decoder's own bounds checks still catch. Kafka's
// pre-v2 "broken header checksum" therefore doesn't matter either.
//
// Compression is here too (lz4CompressFrame): one frame of independent 64 KiB blocks without
// checksums, as Kafka's Java producer writes it, each block compressed by a greedy hash-table
// matcher (a block that doesn't shrink is stored). The header checksum is the one checksum
// written, and readers (Java's, librdkafka's LZ4F) verify it: xxHash32 of the descriptor.

import { ErrorCode, LanesError } from '../errors.js';
import type { Codec } from './compression.js';
import { Compression } from './record_batch.js';

const frameMagic = 0x184d2204;
const skippableMagicMask = 0xfffffff0;
const skippableMagic = 0x184d2a50;
/** BD's block maximum size ids 4..7 → 64 KiB, 256 KiB, 1 MiB, 4 MiB. */
const blockMaxBytesById = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

function corrupt(message: string): LanesError {
  return new LanesError(ErrorCode.CORRUPT_MESSAGE, `lz4: ${message}`);
}

function readUint32LE(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

/** The decoded output, grown as blocks arrive but never past `bytesMax`. */
class Output {
  bytes: Uint8Array;
  length = 0;

  constructor(readonly bytesMax: number) {
    this.bytes = new Uint8Array(Math.min(bytesMax, 64 * 1024));
  }

  /** Makes room for `count` more bytes, or refuses the blob if that would pass the bound. */
  reserve(count: number): void {
    const needed = this.length + count;
    if (needed > this.bytesMax) throw corrupt(`output would pass the bound of ${this.bytesMax} bytes`);
    if (needed <= this.bytes.length) return;
    const grown = new Uint8Array(Math.min(this.bytesMax, Math.max(needed, this.bytes.length * 2)));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

/** Decompresses an lz4 records section (one or more LZ4 frames) into at most plainBytesMax bytes. */
export function lz4Decompress(blob: Uint8Array, plainBytesMax: number): Uint8Array {
  const output = new Output(plainBytesMax);
  let position = 0;
  if (blob.length === 0) throw corrupt('no frame');
  while (position < blob.length) {
    if (blob.length - position < 4) throw corrupt('a frame magic is cut off');
    const magic = readUint32LE(blob, position);
    position += 4;
    if ((magic & skippableMagicMask) >>> 0 === skippableMagic) {
      if (blob.length - position < 4) throw corrupt('a skippable frame size is cut off');
      const size = readUint32LE(blob, position);
      if (size > blob.length - position - 4) throw corrupt('a skippable frame runs past the blob');
      position += 4 + size;
      continue;
    }
    if (magic !== frameMagic) throw corrupt(`frame magic 0x${magic.toString(16)} is not LZ4's`);
    position = decodeFrame(blob, position, output);
  }
  return output.bytes.subarray(0, output.length);
}

/** Decodes one frame whose descriptor starts at `position`; returns the position after it. */
function decodeFrame(blob: Uint8Array, start: number, output: Output): number {
  let position = start;
  if (blob.length - position < 3) throw corrupt('a frame descriptor is cut off');
  const flags = blob[position];
  const blockDescriptor = blob[position + 1];
  position += 2;
  if (flags >>> 6 !== 1) throw corrupt(`frame version ${flags >>> 6}, only version 1 exists`);
  if ((flags & 0x02) !== 0 || (blockDescriptor & 0x8f) !== 0) throw corrupt('reserved descriptor bits are set');
  const blockMaxBytes = blockMaxBytesById[(blockDescriptor >>> 4) & 0x07];
  if (blockMaxBytes === 0) throw corrupt(`block maximum size id ${(blockDescriptor >>> 4) & 0x07} is not defined`);
  const hasBlockChecksum = (flags & 0x10) !== 0;
  const hasContentSize = (flags & 0x08) !== 0;
  const hasContentChecksum = (flags & 0x04) !== 0;
  if ((flags & 0x01) !== 0) throw corrupt('frames with a dictionary id cannot be decoded without the dictionary');
  if (hasContentSize) {
    if (blob.length - position < 9) throw corrupt('the content size is cut off');
    const contentBytes = readUint32LE(blob, position) + readUint32LE(blob, position + 4) * 2 ** 32;
    // Known up front, so a bomb that declares itself is refused before any block is decoded.
    if (contentBytes > output.bytesMax - output.length) throw corrupt(`a frame of ${contentBytes} plain bytes is over the bound`);
    position += 8;
  }
  position += 1; // header checksum: see the module comment
  const frameStart = output.length;
  for (;;) {
    if (blob.length - position < 4) throw corrupt('a block size is cut off');
    const word = readUint32LE(blob, position);
    position += 4;
    if (word === 0) break; // end mark
    const stored = (word & 0x8000_0000) !== 0;
    const size = word & 0x7fff_ffff;
    if (size > blockMaxBytes) throw corrupt(`a block of ${size} bytes is over the frame's ${blockMaxBytes}`);
    if (size > blob.length - position) throw corrupt('a block runs past the blob');
    if (stored) {
      output.reserve(size);
      output.bytes.set(blob.subarray(position, position + size), output.length);
      output.length += size;
    } else {
      decodeBlock(blob, position, position + size, output, frameStart, blockMaxBytes);
    }
    position += size + (hasBlockChecksum ? 4 : 0);
    if (position > blob.length) throw corrupt('a block checksum is cut off');
  }
  if (hasContentChecksum) {
    if (blob.length - position < 4) throw corrupt('the content checksum is cut off');
    position += 4;
  }
  return position;
}

/**
 * Decodes one LZ4 block in blob[start, end) onto the output. A block is a run of sequences:
 * token (literal count high nibble, match length − 4 low nibble; 15 means more length bytes
 * follow, each added, until one is below 255), literals, then a 2-byte little-endian offset. The
 * last sequence has literals only and ends the block. Matches may reach back into earlier
 * blocks of the same frame, never before it.
 */
function decodeBlock(blob: Uint8Array, start: number, end: number, output: Output, frameStart: number, blockMaxBytes: number): void {
  // Reserving the block maximum at once keeps the inner loop free of growth checks; the bound
  // still holds because reserve refuses past it, and a block's output is at most blockMaxBytes.
  output.reserve(Math.min(blockMaxBytes, output.bytesMax - output.length));
  const blockEnd = Math.min(output.length + blockMaxBytes, output.bytesMax);
  const plain = output.bytes;
  let out = output.length;
  let position = start;
  for (;;) {
    if (position >= end) throw corrupt('a block ends without its last literals');
    const token = blob[position++];
    let literals = token >>> 4;
    if (literals === 15) {
      for (;;) {
        if (position >= end) throw corrupt('a literal length is cut off');
        const more = blob[position++];
        literals += more;
        if (more !== 255) break;
      }
    }
    if (literals > end - position) throw corrupt('literals run past the block');
    if (literals > blockEnd - out) throw corrupt('a block decodes past its maximum size or the bound');
    plain.set(blob.subarray(position, position + literals), out);
    position += literals;
    out += literals;
    if (position === end) break; // the last sequence: literals only
    if (end - position < 2) throw corrupt('a match offset is cut off');
    const offset = blob[position] | (blob[position + 1] << 8);
    position += 2;
    if (offset === 0 || offset > out - frameStart) throw corrupt(`a match reaches ${offset} bytes back from byte ${out - frameStart}`);
    let length = token & 0x0f;
    if (length === 15) {
      for (;;) {
        if (position >= end) throw corrupt('a match length is cut off');
        const more = blob[position++];
        length += more;
        if (more !== 255) break;
      }
    }
    length += 4;
    if (length > blockEnd - out) throw corrupt('a block decodes past its maximum size or the bound');
    // Byte by byte on purpose: a match may overlap what it writes (offset < length repeats a run).
    for (let i = 0; i < length; i++, out++) plain[out] = plain[out - offset];
  }
  output.length = out;
}

const prime1 = 0x9e3779b1;
const prime2 = 0x85ebca77;
const prime3 = 0xc2b2ae3d;
const prime4 = 0x27d4eb2f;
const prime5 = 0x165667b1;

function rotl32(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

function xxh32Round(accumulator: number, lane: number): number {
  return Math.imul(rotl32((accumulator + Math.imul(lane, prime2)) | 0, 13), prime1);
}

/** xxHash32 (github.com/Cyan4973/xxHash, xxhash_spec.md) of `bytes`, as an unsigned 32-bit number. */
export function xxh32(bytes: Uint8Array, seed = 0): number {
  const length = bytes.length;
  let at = 0;
  let hash: number;
  if (length >= 16) {
    let v1 = (seed + prime1 + prime2) | 0;
    let v2 = (seed + prime2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - prime1) | 0;
    for (; at + 16 <= length; at += 16) {
      v1 = xxh32Round(v1, readUint32LE(bytes, at));
      v2 = xxh32Round(v2, readUint32LE(bytes, at + 4));
      v3 = xxh32Round(v3, readUint32LE(bytes, at + 8));
      v4 = xxh32Round(v4, readUint32LE(bytes, at + 12));
    }
    hash = (rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18)) | 0;
  } else {
    hash = (seed + prime5) | 0;
  }
  hash = (hash + length) | 0;
  for (; at + 4 <= length; at += 4) hash = Math.imul(rotl32((hash + Math.imul(readUint32LE(bytes, at), prime3)) | 0, 17), prime4);
  for (; at < length; at++) hash = Math.imul(rotl32((hash + Math.imul(bytes[at], prime5)) | 0, 11), prime1);
  hash = Math.imul(hash ^ (hash >>> 15), prime2);
  hash = Math.imul(hash ^ (hash >>> 13), prime3);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** Kafka's Java producer's block size (BD id 4), and the plain bytes each block of ours holds. */
const frameBlockBytes = 64 * 1024;
/** FLG: version 01, independent blocks, no block or content checksum, no content size, no dictionary. */
const frameFlags = 0x60;
/** BD: block maximum size id 4 (64 KiB). */
const frameBlockDescriptor = 0x40;
const matchBytesMin = 4;
/** The block format's end rules: the last match starts 12 bytes or more before the end, the last 5 bytes are literals. */
const matchStartEndMargin = 12;
const lastLiteralsBytes = 5;
const lz4HashBits = 14;
const lz4OffsetMax = 0xffff;

function writeUint32LE(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  bytes[at + 2] = (value >>> 16) & 0xff;
  bytes[at + 3] = value >>> 24;
}

/** Writes an lz4 length continuation (bytes of 255, then the rest) for a length already past 15. */
function writeLengthTail(out: Uint8Array, at: number, rest: number): number {
  let position = at;
  let left = rest;
  for (; left >= 255; left -= 255) out[position++] = 255;
  out[position++] = left;
  return position;
}

/**
 * Compresses plain[start, end) as one LZ4 block into out at `at`; returns the position after it.
 * `out` has room for the worst case (every byte a literal plus the length bytes).
 */
function compressBlock(plain: Uint8Array, start: number, end: number, out: Uint8Array, at: number, table: Int32Array): number {
  table.fill(-1);
  let op = at;
  let anchor = start;
  const emitSequence = (literalEnd: number, matchLength: number, offset: number): void => {
    const literals = literalEnd - anchor;
    const tokenAt = op++;
    let token = Math.min(literals, 15) << 4;
    if (literals >= 15) op = writeLengthTail(out, op, literals - 15);
    out.set(plain.subarray(anchor, literalEnd), op);
    op += literals;
    if (matchLength > 0) {
      out[op++] = offset & 0xff;
      out[op++] = offset >>> 8;
      const extra = matchLength - matchBytesMin;
      token |= Math.min(extra, 15);
      if (extra >= 15) op = writeLengthTail(out, op, extra - 15);
    }
    out[tokenAt] = token;
  };
  const matchStartMax = end - matchStartEndMargin;
  const matchEndMax = end - lastLiteralsBytes;
  let position = start;
  let misses = 64;
  while (position <= matchStartMax) {
    const word = plain[position] | (plain[position + 1] << 8) | (plain[position + 2] << 16) | (plain[position + 3] << 24);
    const slot = Math.imul(word, 2654435761) >>> (32 - lz4HashBits);
    const candidate = table[slot];
    table[slot] = position;
    if (
      candidate < start ||
      position - candidate > lz4OffsetMax ||
      (plain[candidate] | (plain[candidate + 1] << 8) | (plain[candidate + 2] << 16) | (plain[candidate + 3] << 24)) !== word
    ) {
      position += misses++ >>> 6;
      continue;
    }
    let length = matchBytesMin;
    while (position + length < matchEndMax && plain[candidate + length] === plain[position + length]) length++;
    emitSequence(position, length, position - candidate);
    position += length;
    anchor = position;
    misses = 64;
  }
  emitSequence(end, 0, 0);
  return op;
}

/**
 * Compresses a records section into one LZ4 frame: descriptor (with its xxHash32 checksum byte),
 * 64 KiB independent blocks, each stored as is when compressing doesn't shrink it, the end mark.
 */
export function lz4CompressFrame(plain: Uint8Array): Uint8Array {
  const blocks = Math.ceil(plain.length / frameBlockBytes);
  // Per block: its size word plus the worst case of literals only (1 length byte per 255).
  const out = new Uint8Array(7 + 4 + blocks * (4 + frameBlockBytes + Math.ceil(frameBlockBytes / 255) + 16));
  writeUint32LE(out, 0, frameMagic);
  out[4] = frameFlags;
  out[5] = frameBlockDescriptor;
  out[6] = (xxh32(out.subarray(4, 6)) >>> 8) & 0xff;
  let op = 7;
  const table = new Int32Array(1 << lz4HashBits);
  for (let start = 0; start < plain.length; start += frameBlockBytes) {
    const end = Math.min(plain.length, start + frameBlockBytes);
    const blockEnd = compressBlock(plain, start, end, out, op + 4, table);
    const compressedBytes = blockEnd - op - 4;
    if (compressedBytes < end - start) {
      writeUint32LE(out, op, compressedBytes);
      op = blockEnd;
    } else {
      writeUint32LE(out, op, (end - start) | 0x8000_0000);
      out.set(plain.subarray(start, end), op + 4);
      op += 4 + end - start;
    }
  }
  writeUint32LE(out, op, 0);
  op += 4;
  return out.subarray(0, op);
}

/**
 * The lz4 codec for the registry: our frame encoder unless a test or an embedder passes another
 * (it must write independent blocks, as Kafka's Java reader requires; `null`: read-only).
 */
export function lz4Codec(frameCompress: ((plain: Uint8Array) => Uint8Array) | null = lz4CompressFrame): Codec {
  return { codec: Compression.lz4, name: 'lz4', compress: frameCompress ?? undefined, decompress: lz4Decompress };
}
