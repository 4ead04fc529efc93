// The throughput-critical operations on record batches, behind one interface with two
// implementations: this plain-TS one (the test oracle and fallback) and the WASM one in
// wasm/kernels.ts, which works on bytes that live in the shared WebAssembly.Memory. The log calls
// only this interface, so which implementation runs is the caller's choice, per size.

import { crc32c } from './crc32c.js';
import { patchBatch, validateRecordBatch, type ValidateOptions } from './record_batch.js';

export interface AppendTarget {
  /** Where the batch is copied to (a segment buffer, or a write buffer in front of a file). */
  bytes: Uint8Array;
  /** Byte position in `bytes` where the batch starts. */
  position: number;
}

export interface BatchKernels {
  readonly name: string;
  /** CRC-32C of bytes[start, end). */
  crc32c(bytes: Uint8Array, start: number, end: number): number;
  /**
   * Validates the batch in source[start, end) (see validateRecordBatch for the checks and codes),
   * copies it to target.bytes at target.position and patches baseOffset and partitionLeaderEpoch
   * in the copy. Throws a LanesError when the batch is invalid; the target range may then hold
   * scratch bytes (the WASM kernel validates while it copies), so callers pass a range no reader
   * can see yet — the log reserves past its committed size. The source is never modified.
   * Returns the record count.
   */
  validateAndCopy(
    source: Uint8Array,
    start: number,
    end: number,
    target: AppendTarget,
    baseOffset: number,
    partitionLeaderEpoch: number,
    options: ValidateOptions,
  ): number;
}

export const tsBatchKernels: BatchKernels = {
  name: 'ts',
  crc32c,
  validateAndCopy(source, start, end, target, baseOffset, partitionLeaderEpoch, options) {
    const recordCount = validateRecordBatch(source, start, end - start, { crc32c, ...options });
    target.bytes.set(source.subarray(start, end), target.position);
    patchBatch(target.bytes, target.position, baseOffset, partitionLeaderEpoch);
    return recordCount;
  },
};
