// The compression codecs of RecordBatch v2, behind one registry keyed by the codec number in the
// batch attributes (bits 0–2). Compression covers only the records section; the 61-byte header
// stays plain. Three parties use it: the batch builder (compress), the broker's validation of a
// produced batch (decompress, to check offset deltas), and the record reader (decompress).
//
// Built in: gzip both ways (node:zlib), snappy and lz4 both ways (snappy.ts, lz4.ts: our own
// code). zstd comes from a WASM package, so it is registered by the thread setup in actors/
// (actors/zstd_codec.ts); a codec nobody registered is refused with UNSUPPORTED_COMPRESSION_TYPE
// (76), which is what Kafka answers for a codec it can't read.
//
// The registry is module state, so each worker thread has its own: a codec must be registered
// in every thread that reads or validates batches (register at import time of the codec module).
//
// Every decompression is bounded (decompressedRecordsBytesMax in core/limits.ts): a batch whose
// records would inflate beyond it is refused with CORRUPT_MESSAGE before the memory is claimed.

import { gunzipSync, gzipSync } from 'node:zlib';
import { assert } from '../assert.js';
import { ErrorCode, isLanesError, LanesError } from '../errors.js';
import { decompressedRecordsBytesMax, recordBatchBytesMaxDefault } from '../limits.js';
import { crc32c } from './crc32c.js';
import { Compression, type CompressionCodec, type ValidateOptions } from './record_batch.js';
import { lz4Codec } from './lz4.js';
import { snappyCodec } from './snappy.js';

/** One codec's two directions, over a whole records section. */
export interface Codec {
  readonly codec: CompressionCodec;
  /** Kafka's name for it (compression.type): gzip, snappy, lz4, zstd. */
  readonly name: string;
  /**
   * Compresses a records section; absent for read-only codecs (e.g. a decompress-only zstd),
   * which then can be consumed but not produced.
   */
  readonly compress?: (plain: Uint8Array) => Uint8Array;
  /**
   * Decompresses a records section. Must not produce (or allocate for) more than
   * `plainBytesMax` bytes: throw instead. Any throw is reported as CORRUPT_MESSAGE.
   */
  readonly decompress: (blob: Uint8Array, plainBytesMax: number) => Uint8Array;
}

const gzipCodec: Codec = {
  codec: Compression.gzip,
  name: 'gzip',
  compress: (plain) => asPlainView(gzipSync(plain)),
  // maxOutputLength makes zlib stop (RangeError) once the output would pass the bound, so a bomb
  // costs at most plainBytesMax bytes. Several concatenated gzip members decode as one stream,
  // as Java's GZIPInputStream does.
  decompress: (blob, plainBytesMax) => asPlainView(gunzipSync(blob, { maxOutputLength: Math.max(plainBytesMax, 1) })),
};

const builtInCodecs: readonly Codec[] = [gzipCodec, snappyCodec(), lz4Codec()];
const codecs = new Map<number, Codec>(builtInCodecs.map((codec) => [codec.codec, codec]));

/**
 * Adds or replaces the codec for its number (snappy, lz4, zstd; gzip may be overridden, none may
 * not). Per thread: see the module comment.
 */
export function registerCodec(codec: Codec): void {
  assert(codec.codec !== Compression.none, 'codec 0 (none) is not a codec');
  assert(codec.codec > 0 && codec.codec <= Compression.zstd, `codec number ${codec.codec} is not one of Kafka's`);
  codecs.set(codec.codec, codec);
}

/**
 * Removes a codec number's codec; a built-in one comes back (embedders that want to refuse a
 * codec register one whose functions throw UNSUPPORTED_COMPRESSION_TYPE instead).
 */
export function unregisterCodec(codec: CompressionCodec): void {
  const builtIn = builtInCodecs.find((entry) => entry.codec === codec);
  if (builtIn === undefined) codecs.delete(codec);
  else codecs.set(codec, builtIn);
}

/** The codec for a number, if one is registered. `none` is never registered. */
export function codecFor(codec: number): Codec | undefined {
  return codecs.get(codec);
}

function unsupported(codec: number, direction: string): LanesError {
  return new LanesError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `compression codec ${codec} cannot ${direction} here (no codec registered)`);
}

/** Compresses a records section for the batch builder. `none` returns the input itself. */
export function compress(codec: number, plain: Uint8Array): Uint8Array {
  if (codec === Compression.none) return plain;
  const entry = codecs.get(codec);
  if (entry?.compress === undefined) throw unsupported(codec, 'compress');
  return entry.compress(plain);
}

/**
 * Decompresses a records section, for validation and reading. Throws UNSUPPORTED_COMPRESSION_TYPE
 * for a codec nobody registered, and CORRUPT_MESSAGE when the blob is not valid for its codec or
 * would inflate past `plainBytesMax`.
 */
export function decompress(codec: number, blob: Uint8Array, plainBytesMax = decompressedRecordsBytesMax): Uint8Array {
  assert(plainBytesMax >= 0, 'plainBytesMax is a byte count');
  if (codec === Compression.none) return blob;
  const entry = codecs.get(codec);
  if (entry === undefined) throw unsupported(codec, 'decompress');
  let plain: Uint8Array;
  try {
    plain = entry.decompress(blob, plainBytesMax);
  } catch (error) {
    if (isLanesError(error)) throw error;
    throw new LanesError(
      ErrorCode.CORRUPT_MESSAGE,
      `${entry.name} records of ${blob.length} bytes do not decompress within ${plainBytesMax} bytes: ${String(error)}`,
      { cause: error },
    );
  }
  // Paired with the codec's own bound: a plugged-in codec that ignores plainBytesMax must still
  // not hand the caller more than it allowed.
  if (plain.length > plainBytesMax) {
    throw new LanesError(ErrorCode.CORRUPT_MESSAGE, `${entry.name} records decompress to ${plain.length} bytes, over ${plainBytesMax}`);
  }
  return plain;
}

/**
 * Validation options for the broker's append path: the TS CRC and the registry's bounded
 * decompress. Callers pass their own `crc32c` (the WASM kernel) by spreading over this.
 */
export function defaultValidateOptions(maxBatchBytes = recordBatchBytesMaxDefault): ValidateOptions {
  assert(Number.isSafeInteger(maxBatchBytes) && maxBatchBytes > 0, `maxBatchBytes ${maxBatchBytes} must be a positive integer`);
  return { maxBatchBytes, crc32c, decompress: (codec, blob) => decompress(codec, blob) };
}

/**
 * A Buffer from zlib is a Uint8Array subclass whose slice() shares memory, unlike
 * Uint8Array.slice(). Callers get a plain Uint8Array view so the semantics are the usual ones.
 */
function asPlainView(buffer: Uint8Array): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}
