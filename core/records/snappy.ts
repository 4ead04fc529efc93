// Snappy decompression for Kafka batches (codec 2), in our own code, so that Lanes accepts the
// snappy batches Java, librdkafka and kafkajs-snappy producers send without any package.
//
// Kafka carries snappy in two shapes, and a reader must take both:
//   - xerial framing (Java's SnappyOutputStream, librdkafka, kafkajs-snappy):
//       magic 82 'S' 'N' 'A' 'P' 'P' 'Y' 00, int32 version, int32 compatible version,
//       then chunks of [int32 big-endian length][raw snappy block]
//   - one raw snappy block, which xerial's own reader also falls back to.
//
// A raw block (github.com/google/snappy, format_description.txt) is a varint of the plain
// length, then elements tagged by their low two bits: 00 literal, 01 copy with an 11-bit offset,
// 10 copy with a 16-bit offset, 11 copy with a 32-bit offset. The plain length comes first, so
// a bomb is refused before anything is allocated.
//
// Compression is here too (snappyCompressBlock): the greedy hash-table matcher of the reference
// implementation, 2-byte offsets within a block. Its blocks are wrapped in xerial framing, 32 KiB
// of plain input each, as Java's SnappyOutputStream writes them, which every Kafka reader accepts.

import { assert } from '../assert.js';
import { ErrorCode, LanesError } from '../errors.js';
import type { Codec } from './compression.js';
import { Compression } from './record_batch.js';

const xerialMagic = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
/** Magic, version and compatible version. */
const xerialHeaderBytes = 16;

function corrupt(message: string): LanesError {
  return new LanesError(ErrorCode.CORRUPT_MESSAGE, `snappy: ${message}`);
}

export function isXerialFramed(blob: Uint8Array): boolean {
  if (blob.length < xerialHeaderBytes) return false;
  return xerialMagic.every((byte, i) => blob[i] === byte);
}

/** Decompresses a snappy records section, xerial-framed or raw, into at most plainBytesMax bytes. */
export function snappyDecompress(blob: Uint8Array, plainBytesMax: number): Uint8Array {
  if (!isXerialFramed(blob)) return snappyDecompressBlock(blob, 0, blob.length, plainBytesMax);
  const chunks: Uint8Array[] = [];
  let total = 0;
  let position = xerialHeaderBytes;
  while (position < blob.length) {
    if (blob.length - position < 4) throw corrupt('a xerial chunk length is cut off');
    const length = ((blob[position] << 24) | (blob[position + 1] << 16) | (blob[position + 2] << 8) | blob[position + 3]) >>> 0;
    position += 4;
    if (length > blob.length - position) throw corrupt(`a xerial chunk of ${length} bytes runs past the blob`);
    const chunk = snappyDecompressBlock(blob, position, position + length, plainBytesMax - total);
    chunks.push(chunk);
    total += chunk.length;
    position += length;
  }
  if (chunks.length === 1) return chunks[0];
  const plain = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    plain.set(chunk, at);
    at += chunk.length;
  }
  return plain;
}

/** Decompresses the raw snappy block in bytes[start, end). */
export function snappyDecompressBlock(bytes: Uint8Array, start: number, end: number, plainBytesMax: number): Uint8Array {
  assert(0 <= start && start <= end && end <= bytes.length, 'snappyDecompressBlock: range outside the buffer');
  let position = start;
  // The preamble: the plain length as an unsigned little-endian base-128 varint, below 2^32.
  let plainLength = 0;
  for (let shift = 0; ; shift += 7) {
    if (position >= end) throw corrupt('the length preamble is cut off');
    if (shift > 28) throw corrupt('the length preamble is longer than 5 bytes');
    const byte = bytes[position++];
    plainLength += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
  }
  if (plainLength > plainBytesMax) throw corrupt(`a block of ${plainLength} plain bytes is over the bound of ${plainBytesMax}`);
  const plain = new Uint8Array(plainLength);
  let out = 0;
  while (position < end) {
    const tag = bytes[position++];
    const kind = tag & 0x03;
    if (kind === 0) {
      let length = tag >>> 2;
      if (length >= 60) {
        // 60..63: the length − 1 follows in 1..4 little-endian bytes.
        const lengthBytes = length - 59;
        if (end - position < lengthBytes) throw corrupt('a literal length is cut off');
        length = 0;
        for (let i = 0; i < lengthBytes; i++) length += bytes[position + i] * 2 ** (8 * i);
        position += lengthBytes;
      }
      length += 1;
      if (length > end - position) throw corrupt('a literal runs past the block');
      if (length > plainLength - out) throw corrupt('a literal overruns the stated plain length');
      plain.set(bytes.subarray(position, position + length), out);
      position += length;
      out += length;
      continue;
    }
    let length: number;
    let offset: number;
    if (kind === 1) {
      if (end - position < 1) throw corrupt('a copy offset is cut off');
      length = 4 + ((tag >>> 2) & 0x07);
      offset = ((tag >>> 5) << 8) | bytes[position];
      position += 1;
    } else if (kind === 2) {
      if (end - position < 2) throw corrupt('a copy offset is cut off');
      length = 1 + (tag >>> 2);
      offset = bytes[position] | (bytes[position + 1] << 8);
      position += 2;
    } else {
      if (end - position < 4) throw corrupt('a copy offset is cut off');
      length = 1 + (tag >>> 2);
      offset = (bytes[position] | (bytes[position + 1] << 8) | (bytes[position + 2] << 16) | (bytes[position + 3] << 24)) >>> 0;
      position += 4;
    }
    if (offset === 0 || offset > out) throw corrupt(`a copy reaches ${offset} bytes back from byte ${out}`);
    if (length > plainLength - out) throw corrupt('a copy overruns the stated plain length');
    // Byte by byte on purpose: a copy may overlap what it writes (offset < length repeats a run).
    for (let i = 0; i < length; i++, out++) plain[out] = plain[out - offset];
  }
  if (out !== plainLength) throw corrupt(`the block gives ${out} bytes, its preamble says ${plainLength}`);
  return plain;
}

/** Wraps raw snappy blocks in xerial framing, one chunk per block, as Java's writer does. */
export function xerialFrame(blocks: readonly Uint8Array[]): Uint8Array {
  const framed = new Uint8Array(xerialHeaderBytes + blocks.reduce((sum, block) => sum + 4 + block.length, 0));
  framed.set(xerialMagic, 0);
  framed[11] = 1; // version 1
  framed[15] = 1; // compatible with version 1
  let position = xerialHeaderBytes;
  for (const block of blocks) {
    framed[position] = block.length >>> 24;
    framed[position + 1] = block.length >>> 16;
    framed[position + 2] = block.length >>> 8;
    framed[position + 3] = block.length;
    framed.set(block, position + 4);
    position += 4 + block.length;
  }
  assert(position === framed.length, 'xerial framing size was computed wrongly');
  return framed;
}

/** Bits of the matcher's hash table: 16 K slots, plenty for a 32 KiB xerial chunk. */
const hashBits = 14;
/** The furthest back a 2-byte-offset copy reaches. */
const copyOffsetMax = 0xffff;

/** Every raw block for `plainLength` bytes fits in this (the reference's MaxCompressedLength). */
function blockBytesMax(plainLength: number): number {
  return 32 + plainLength + Math.floor(plainLength / 6);
}

function read32(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
}

function hash32(word: number): number {
  return Math.imul(word, 0x1e35a7bd) >>> (32 - hashBits);
}

/**
 * Compresses `plain` into one raw snappy block: the length preamble, then literals and copies
 * found by hashing 4-byte sequences (the reference encoder's greedy scheme, which skips ahead
 * faster the longer it finds nothing, so incompressible input costs little).
 */
export function snappyCompressBlock(plain: Uint8Array): Uint8Array {
  const out = new Uint8Array(blockBytesMax(plain.length));
  let op = 0;
  for (let rest = plain.length; ; rest = Math.floor(rest / 128)) {
    out[op++] = (rest & 0x7f) | (rest >= 0x80 ? 0x80 : 0);
    if (rest < 0x80) break;
  }
  const emitLiteral = (from: number, to: number): void => {
    const lengthMinusOne = to - from - 1;
    if (lengthMinusOne < 60) {
      out[op++] = lengthMinusOne << 2;
    } else {
      const lengthBytes = lengthMinusOne < 0x100 ? 1 : lengthMinusOne < 0x10000 ? 2 : lengthMinusOne < 0x1000000 ? 3 : 4;
      out[op++] = (59 + lengthBytes) << 2;
      for (let i = 0; i < lengthBytes; i++) out[op++] = (lengthMinusOne >>> (8 * i)) & 0xff;
    }
    out.set(plain.subarray(from, to), op);
    op += to - from;
  };
  const emitCopy = (offset: number, length: number): void => {
    // Copies of 64 at most with a 2-byte offset; a 1-byte-offset copy for the short near ones.
    while (length >= 68) {
      out[op++] = 2 | ((64 - 1) << 2);
      out[op++] = offset & 0xff;
      out[op++] = offset >>> 8;
      length -= 64;
    }
    if (length > 64) {
      out[op++] = 2 | ((60 - 1) << 2);
      out[op++] = offset & 0xff;
      out[op++] = offset >>> 8;
      length -= 60;
    }
    if (length <= 11 && offset < 2048) {
      out[op++] = 1 | ((length - 4) << 2) | ((offset >>> 8) << 5);
      out[op++] = offset & 0xff;
    } else {
      out[op++] = 2 | ((length - 1) << 2);
      out[op++] = offset & 0xff;
      out[op++] = offset >>> 8;
    }
  };
  const table = new Int32Array(1 << hashBits).fill(-1);
  let emitted = 0;
  let at = 0;
  let misses = 32;
  // A match needs 4 bytes to compare; the last few bytes always go out as a literal.
  const matchStartMax = plain.length - 4;
  while (at <= matchStartMax) {
    const word = read32(plain, at);
    const slot = hash32(word);
    const candidate = table[slot];
    table[slot] = at;
    if (candidate < 0 || at - candidate > copyOffsetMax || read32(plain, candidate) !== word) {
      at += misses++ >>> 5;
      continue;
    }
    if (at > emitted) emitLiteral(emitted, at);
    let length = 4;
    while (at + length < plain.length && plain[candidate + length] === plain[at + length]) length++;
    emitCopy(at - candidate, length);
    at += length;
    emitted = at;
    misses = 32;
  }
  if (emitted < plain.length) emitLiteral(emitted, plain.length);
  assert(op <= out.length, 'snappy block bound was computed wrongly');
  return out.subarray(0, op);
}

/** Java's SnappyOutputStream chunk size: plain input is compressed 32 KiB at a time. */
const xerialChunkBytes = 32 * 1024;

/**
 * The snappy codec for the registry: xerial-framed snappy in 32 KiB chunks, each compressed with
 * `rawCompress` (ours unless a test or an embedder passes another; `null`: read-only).
 */
export function snappyCodec(rawCompress: ((plain: Uint8Array) => Uint8Array) | null = snappyCompressBlock): Codec {
  const compress =
    rawCompress === null
      ? undefined
      : (plain: Uint8Array): Uint8Array => {
          const blocks: Uint8Array[] = [];
          for (let at = 0; at < plain.length; at += xerialChunkBytes) {
            blocks.push(rawCompress(plain.subarray(at, Math.min(plain.length, at + xerialChunkBytes))));
          }
          return xerialFrame(blocks);
        };
  return { codec: Compression.snappy, name: 'snappy', compress, decompress: snappyDecompress };
}
