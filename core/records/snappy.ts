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
// Compression is not here: an encoder is plugged in with snappyCodec(rawCompress) when a package
// provides one; its output is wrapped in xerial framing, which every Kafka reader accepts.

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

/** Java's SnappyOutputStream chunk size: plain input is compressed 32 KiB at a time. */
const xerialChunkBytes = 32 * 1024;

/**
 * The snappy codec for the registry. Without `rawCompress` it is read-only (batches from other
 * producers are accepted, our producer can't choose snappy); with it, our producer writes
 * xerial-framed snappy in 32 KiB chunks.
 */
export function snappyCodec(rawCompress?: (plain: Uint8Array) => Uint8Array): Codec {
  const compress =
    rawCompress === undefined
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
