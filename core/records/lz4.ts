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
// Compression is not here: an encoder is plugged in with lz4Codec(frameCompress) when a package
// provides one (it must write the frame format, as lz4js's compress does).

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

/**
 * The lz4 codec for the registry. Without `frameCompress` it is read-only; with it, our producer
 * writes whatever frame it returns (independent blocks, as Kafka's Java reader requires).
 */
export function lz4Codec(frameCompress?: (plain: Uint8Array) => Uint8Array): Codec {
  return { codec: Compression.lz4, name: 'lz4', compress: frameCompress, decompress: lz4Decompress };
}
