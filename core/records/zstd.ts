// zstd for Kafka batches (codec 4): the frame walking and the decompression bound are ours, the
// entropy coding comes from an engine (libzstd built to WASM, registered per thread by
// actors/zstd_codec.ts), which only ever sees one frame at a time.
//
// A records section is one or more zstd frames back to back (RFC 8878 §3.1), possibly with
// skippable frames between them:
//   magic 28 B5 2F FD, frame header descriptor, [window descriptor], [dictionary id],
//   [frame content size], blocks of [3-byte little-endian header: last flag, type, size][data],
//   [content checksum u32 if flagged].
// Skippable frames (magic 0x184D2A50..5F, then a u32 size) are skipped.
//
// The bound: walking a frame's block headers costs nothing and tells how much it can decode to
// (a raw or RLE block states its plain size; a compressed block gives at most 128 KiB), and the
// header may state the content size outright (librdkafka and `ZSTD_compress` write it; Java's
// streaming zstd-jni doesn't). So each frame is refused before the engine runs when its stated
// size is over what is left of the bound, and otherwise decoded into a buffer no larger than
// min(stated or block-derived size, what is left): a bomb can't make the engine allocate past the
// bound, and an engine that needs more room than it was given fails, which is CORRUPT_MESSAGE.

import { ErrorCode, LanesError } from '../errors.js';
import type { Codec } from './compression.js';
import { Compression } from './record_batch.js';

/** What a zstd library provides; the frame walker above it enforces the bound. */
export interface ZstdEngine {
  /** Compresses `plain` into one zstd frame (that states its content size). */
  compress(plain: Uint8Array): Uint8Array;
  /**
   * Decompresses exactly one frame, into a buffer of `capacity` bytes at most: throws if the
   * frame decodes to more, or is not valid zstd.
   */
  decompressFrame(frame: Uint8Array, capacity: number): Uint8Array;
}

const frameMagic = 0xfd2fb528;
const skippableMagicMask = 0xfffffff0;
const skippableMagic = 0x184d2a50;
/** RFC 8878 §3.1.1.2.4: a block never decodes to more than 128 KiB. */
const blockPlainBytesMax = 128 * 1024;
/** Bytes of the frame content size field by FCS flag (with the single-segment flag for flag 0). */
const contentSizeFieldBytes = [0, 2, 4, 8];
const dictionaryIdFieldBytes = [0, 1, 2, 4];

function corrupt(message: string): LanesError {
  return new LanesError(ErrorCode.CORRUPT_MESSAGE, `zstd: ${message}`);
}

function readUint32LE(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

/** One frame located in a blob: where it ends, and what it may decode to. */
export interface ZstdFrame {
  readonly end: number;
  /** The content size its header states, or null when it states none. */
  readonly contentBytes: number | null;
  /** What its blocks can decode to at most (exact when every block is raw or RLE). */
  readonly plainBytesMax: number;
}

/**
 * Reads the frame starting at `start` (its magic already checked) up to its end, without
 * decoding: header fields, then block headers, skipping each block's data.
 */
export function walkZstdFrame(blob: Uint8Array, start: number): ZstdFrame {
  let position = start + 4;
  if (position >= blob.length) throw corrupt('a frame header is cut off');
  const descriptor = blob[position++];
  const contentSizeFlag = descriptor >>> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  const hasChecksum = (descriptor & 0x04) !== 0;
  if ((descriptor & 0x08) !== 0) throw corrupt('the reserved frame header bit is set');
  const contentSizeBytes = contentSizeFlag === 0 && singleSegment ? 1 : contentSizeFieldBytes[contentSizeFlag];
  const headerRest = (singleSegment ? 0 : 1) + dictionaryIdFieldBytes[descriptor & 0x03] + contentSizeBytes;
  if (blob.length - position < headerRest) throw corrupt('a frame header is cut off');
  position += headerRest - contentSizeBytes;
  let contentBytes: number | null = null;
  if (contentSizeBytes > 0) {
    contentBytes = 0;
    for (let i = 0; i < contentSizeBytes; i++) contentBytes += blob[position + i] * 2 ** (8 * i);
    if (contentSizeBytes === 2) contentBytes += 256;
    position += contentSizeBytes;
  }
  let plainBytesMax = 0;
  for (;;) {
    if (blob.length - position < 3) throw corrupt('a block header is cut off');
    const header = blob[position] | (blob[position + 1] << 8) | (blob[position + 2] << 16);
    position += 3;
    const last = (header & 1) !== 0;
    const type = (header >>> 1) & 0x03;
    const size = header >>> 3;
    if (type === 3) throw corrupt('a block of the reserved type');
    if (size > blockPlainBytesMax) throw corrupt(`a block of ${size} bytes, over 128 KiB`);
    // Raw: `size` bytes follow and are the plain bytes. RLE: one byte follows, repeated `size`
    // times. Compressed: `size` bytes follow, decoding to 128 KiB at most.
    const dataBytes = type === 1 ? 1 : size;
    if (blob.length - position < dataBytes) throw corrupt('a block runs past the blob');
    position += dataBytes;
    plainBytesMax += type === 2 ? blockPlainBytesMax : size;
    if (last) break;
  }
  if (hasChecksum) {
    if (blob.length - position < 4) throw corrupt('the content checksum is cut off');
    position += 4;
  }
  return { end: position, contentBytes, plainBytesMax };
}

/**
 * Decompresses a zstd records section (frames back to back) into at most `plainBytesMax` bytes,
 * one frame at a time through `engine`.
 */
export function zstdDecompress(engine: ZstdEngine, blob: Uint8Array, plainBytesMax: number): Uint8Array {
  if (blob.length === 0) throw corrupt('no frame');
  const parts: Uint8Array[] = [];
  let total = 0;
  let position = 0;
  while (position < blob.length) {
    if (blob.length - position < 4) throw corrupt('a frame magic is cut off');
    const magic = readUint32LE(blob, position);
    if ((magic & skippableMagicMask) >>> 0 === skippableMagic) {
      if (blob.length - position < 8) throw corrupt('a skippable frame size is cut off');
      const size = readUint32LE(blob, position + 4);
      if (size > blob.length - position - 8) throw corrupt('a skippable frame runs past the blob');
      position += 8 + size;
      continue;
    }
    if (magic !== frameMagic) throw corrupt(`frame magic 0x${magic.toString(16)} is not zstd's`);
    const frame = walkZstdFrame(blob, position);
    const left = plainBytesMax - total;
    if (frame.contentBytes !== null && frame.contentBytes > left) {
      throw corrupt(`a frame of ${frame.contentBytes} plain bytes is over the bound (${left} left of ${plainBytesMax})`);
    }
    const capacity = Math.min(frame.contentBytes ?? frame.plainBytesMax, left);
    const plain = engine.decompressFrame(blob.subarray(position, frame.end), capacity);
    if (plain.length > capacity) throw corrupt(`the engine returned ${plain.length} bytes for a buffer of ${capacity}`);
    if (frame.contentBytes !== null && plain.length !== frame.contentBytes) {
      throw corrupt(`a frame decodes to ${plain.length} bytes, its header says ${frame.contentBytes}`);
    }
    parts.push(plain);
    total += plain.length;
    position = frame.end;
  }
  if (parts.length === 1) return parts[0];
  const plain = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    plain.set(part, at);
    at += part.length;
  }
  return plain;
}

/** The zstd codec for the registry, over an engine. */
export function zstdCodec(engine: ZstdEngine): Codec {
  return {
    codec: Compression.zstd,
    name: 'zstd',
    compress: (plain) => engine.compress(plain),
    decompress: (blob, plainBytesMax) => zstdDecompress(engine, blob, plainBytesMax),
  };
}
