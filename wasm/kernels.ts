// BatchKernels backed by the WASM kernels, for bytes that live in the shared WebAssembly.Memory.
//
// This wrapper owns the boundary: it checks every argument in TS and turns
// (Uint8Array, index) pairs into absolute pointers before calling in, so the kernels never see
// an out-of-range address. It falls back to the TS twin (core/records/batch_kernels.ts) when:
//   - the bytes are not views of this memory's buffer (a pooled socket Buffer, a heap array):
//     copying them in just to call WASM costs more than the work;
//   - the batch is compressed: the kernel returns UNSUPPORTED_COMPRESSION_TYPE and the TS twin
//     decompresses with the caller's `decompress` and checks the inner records;
//   - the range is below the per-size threshold, where the TS twin is at least as fast.
// On failure it throws the same LanesError as the TS twin: it re-runs the twin on the bytes, which
// yields the detailed message, and asserts that both agree on the code.
//
// One difference from the TS twin on failure: the WASM validateAndCopy copies while it checks (one
// read of the source for the CRC and the copy; the record walk then reads the copy), so a refused
// batch may leave scratch bytes in target.bytes[position, position + length), never outside it.
// The log reserves that range past its committed size and commits it only on success, so no
// reader sees them (wasm/assembly/record_batch.ts, validateAndCopy, says where this is checked).

import { InvariantError, verify } from '../core/assert.js';
import { isLanesError } from '../core/errors.js';
import { tsBatchKernels, type AppendTarget, type BatchKernels } from '../core/records/batch_kernels.js';
import { crc32c as crc32cTs } from '../core/records/crc32c.js';
import { BatchField, readInt32, validateRecordBatch, type ValidateOptions } from '../core/records/record_batch.js';
import { instantiateKernels, type KernelExports } from './loader.js';

/**
 * Bytes of CRC-32C tables the host reserves, 4-byte aligned: 8 slicing tables and 4 stream-shift
 * tables, 256 u32 each (wasm/assembly/crc32c.ts). createWasmBatchKernels checks the module agrees.
 */
export const crc32cTableBytes = 12 * 256 * 4;

/**
 * Below these sizes the TS twin runs even for bytes resident in the memory. Both are 0 because
 * WASM won at every size measured, down to the smallest batch: with the data resident, a call in
 * costs a few ns, less than the TS twin's per-byte work on even 100 B.
 * Measured (AMD EPYC, 2 cores, Node 20.20, three-stream CRC and fused validateAndCopy; medians;
 * WASM time / TS time):
 *   npx tsx bench/micro/crc32c.bench.ts    CRC-32C          100 B 0.67 · 1 KiB 0.44 · 16 KiB 0.38 · 1 MiB 0.37
 *   npx tsx bench/micro/kernels.bench.ts   validateAndCopy  100 B 0.48 · 261 B 0.51 · 1 KiB 0.43 · 16 KiB 0.39 · 1 MiB 0.39;
 *                                          1,000 one-record batches 0.45 (ranges of one view), 0.54 (a view each)
 * Re-run both after changing a kernel; raise a threshold only if a ratio goes above 1.
 */
export const crc32cWasmBytesMin = 0;
export const validateWasmBytesMin = 0;

const kafkaUnsupportedCompressionType = 76;
const uint32Max = 0xffff_ffff;

export interface WasmBatchKernelsOptions {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Start of the crc32cTableBytes (12 KiB) of CRC-32C tables in `memory` (a region from RegionAllocator). */
  crcTablePtr: number;
  /** Fill the tables now. Do it once, on the main thread, before any worker reads them. */
  initTable?: boolean;
}

export interface WasmBatchKernels extends BatchKernels {
  /** The raw exports, for callers that already hold pointers. */
  readonly exports: KernelExports;
  readonly memory: WebAssembly.Memory;
  /**
   * Index of the last entry of entries[0, 2·count) (pairs [relativeOffset, position]) whose
   * relativeOffset ≤ `relativeOffset`, or −1. `entries` must be a view of the memory.
   */
  indexLookup(entries: Uint32Array, count: number, relativeOffset: number): number;
}

/**
 * Where a view starts in the memory, or −1 when it is not a view of the memory's buffer,
 * remembered for the last view seen. Reading `.buffer` and `.byteOffset` costs ~10–15 ns each on
 * Node 20 (comparable to the kernel call on a 100 B batch), and callers pass the same large view
 * (a ring, a segment) with different ranges over and over. The answer for a given view object
 * never changes: a view of a SharedArrayBuffer cannot be detached or moved.
 */
class ViewPointerCache {
  #view: ArrayBufferView | null = null;
  #ptr = -1;
  constructor(private readonly buffer: ArrayBufferLike) {}

  ptrOf(view: ArrayBufferView): number {
    if (view === this.#view) return this.#ptr;
    const ptr = view.buffer === this.buffer ? view.byteOffset : -1;
    this.#view = view;
    this.#ptr = ptr;
    return ptr;
  }
}

function checkRange(what: string, bytes: Uint8Array, start: number, end: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end || end > bytes.length) {
    throw new RangeError(`${what}: range [${start}, ${end}) is not within 0..${bytes.length}`);
  }
}

/**
 * The TS twin's error for a batch the kernel rejected with `code`: the same LanesError the twin
 * throws, or an InvariantError when the twin disagrees (a bug in one of the two).
 */
function twinError(code: number, source: Uint8Array, start: number, length: number, options: ValidateOptions): Error {
  try {
    validateRecordBatch(source, start, length, { maxBatchBytes: options.maxBatchBytes, crc32c: crc32cTs });
  } catch (error) {
    if (isLanesError(error) && error.errorCode === code) return error;
    return new InvariantError(`WASM validation gave code ${code}, the TS twin threw ${String(error)}`);
  }
  return new InvariantError(`WASM validation gave code ${code}, the TS twin accepted the batch`);
}

/**
 * BatchKernels that run the WASM kernels on memory-resident bytes. One per thread, over that
 * thread's own instance of `module` on the shared `memory`.
 */
export function createWasmBatchKernels(options: WasmBatchKernelsOptions): WasmBatchKernels {
  const { module, memory, crcTablePtr } = options;
  const exports = instantiateKernels(module, memory);
  // Cached once: the memory is never grown (shared_memory.ts), so its buffer never changes. A
  // view of an older buffer would not be `===` and would take the TS path, which is still correct.
  const buffer = memory.buffer;
  if (exports.crc32cTableBytes() !== crc32cTableBytes) {
    throw new Error(`createWasmBatchKernels: the kernels' CRC-32C tables take ${exports.crc32cTableBytes()} bytes, the host reserves ${crc32cTableBytes}; rebuild (npm run build:wasm)`);
  }
  if (!Number.isSafeInteger(crcTablePtr) || crcTablePtr % 4 !== 0 || crcTablePtr <= 0 || crcTablePtr + crc32cTableBytes > buffer.byteLength) {
    throw new RangeError(`createWasmBatchKernels: crcTablePtr ${crcTablePtr} is not a 4-aligned ${crc32cTableBytes}-byte region of the memory`);
  }
  if (options.initTable === true) exports.crc32cInit(crcTablePtr);
  // The tables' own bytes are a CRC test vector that is always at hand: if they were never
  // filled, or were overwritten, the two implementations disagree here, at startup.
  const tableBytes = new Uint8Array(buffer, crcTablePtr, crc32cTableBytes);
  const tableCrcWasm = exports.crc32c(crcTablePtr, crcTablePtr, crc32cTableBytes) >>> 0;
  if (tableCrcWasm !== crc32cTs(tableBytes) || new Uint32Array(buffer, crcTablePtr, 2)[1] !== 0xf26b8303) {
    throw new Error(`createWasmBatchKernels: no CRC-32C tables at ${crcTablePtr}; pass initTable: true once, on the main thread`);
  }

  // One cache per argument position, so a ring view (source) and a segment view (target) used
  // alternately both stay hits.
  const crcViews = new ViewPointerCache(buffer);
  const sourceViews = new ViewPointerCache(buffer);
  const targetViews = new ViewPointerCache(buffer);
  const indexViews = new ViewPointerCache(buffer);

  const kernels: WasmBatchKernels = {
    name: 'wasm',
    exports,
    memory,

    crc32c(bytes, start, end) {
      checkRange('crc32c', bytes, start, end);
      const ptr = crcViews.ptrOf(bytes);
      if (ptr < 0 || end - start < crc32cWasmBytesMin) return crc32cTs(bytes, start, end);
      return exports.crc32c(crcTablePtr, ptr + start, end - start) >>> 0;
    },

    validateAndCopy(source, start, end, target, baseOffset, partitionLeaderEpoch, validateOptions) {
      const length = end - start;
      const sourcePtr = sourceViews.ptrOf(source);
      const targetPtr = targetViews.ptrOf(target.bytes);
      if (sourcePtr < 0 || targetPtr < 0 || length < validateWasmBytesMin) {
        return tsBatchKernels.validateAndCopy(source, start, end, target, baseOffset, partitionLeaderEpoch, validateOptions);
      }
      checkRange('validateAndCopy', source, start, end);
      checkTarget(target, length);
      // Plain ifs, not assert(…, `message`): the template would be built on every call.
      if (!Number.isSafeInteger(baseOffset)) throw new InvariantError(`int64 field value ${baseOffset} is not a safe integer`);
      if ((partitionLeaderEpoch | 0) !== partitionLeaderEpoch) throw new InvariantError(`partitionLeaderEpoch ${partitionLeaderEpoch} is not an int32`);
      const maxBatchBytes = validateOptions.maxBatchBytes;
      if (!(maxBatchBytes >= 0)) throw new RangeError(`validateAndCopy: maxBatchBytes must be ≥ 0, got ${maxBatchBytes}`);
      const src = sourcePtr + start;
      const dst = targetPtr + target.position;
      if (dst + length > src && src + length > dst) {
        throw new InvariantError(`validateAndCopy: source [${src}, +${length}) and target [${dst}, +${length}) overlap`);
      }
      const baseOffsetHi = Math.floor(baseOffset / 0x1_0000_0000);
      const baseOffsetLo = baseOffset - baseOffsetHi * 0x1_0000_0000;
      const code = exports.validateAndCopy(
        crcTablePtr,
        src,
        length,
        dst,
        baseOffsetHi | 0,
        baseOffsetLo >>> 0,
        partitionLeaderEpoch,
        Math.min(Math.floor(maxBatchBytes), uint32Max) >>> 0,
      );
      if (code === 0) {
        // Paired check under LANES_VERIFY (the test suite): the copy, as patched, passes the TS
        // twin too. The patch touches no CRC-covered byte, so the CRC must still hold.
        if (verify) checkCopyWithTwin(target, length, validateOptions.maxBatchBytes);
        return readInt32(source, start + BatchField.recordCount);
      }
      if (code === kafkaUnsupportedCompressionType) {
        // Compressed: only the TS twin can decompress. It re-checks the header, which is cheap
        // next to inflating the records.
        return tsBatchKernels.validateAndCopy(source, start, end, target, baseOffset, partitionLeaderEpoch, validateOptions);
      }
      throw twinError(code, source, start, length, validateOptions);
    },

    indexLookup(entries, count, relativeOffset) {
      const ptr = indexViews.ptrOf(entries);
      if (ptr < 0) throw new TypeError('indexLookup: entries must be a view of the shared memory');
      if (!Number.isInteger(count) || count < 0 || 2 * count > entries.length) {
        throw new RangeError(`indexLookup: count ${count} is not within 0..${entries.length / 2} entries`);
      }
      if (!Number.isInteger(relativeOffset) || relativeOffset < 0 || relativeOffset > uint32Max) {
        throw new RangeError(`indexLookup: relativeOffset ${relativeOffset} is not a u32`);
      }
      return exports.indexLookup(ptr, count, relativeOffset);
    },
  };
  return kernels;
}

function checkCopyWithTwin(target: AppendTarget, length: number, maxBatchBytes: number): void {
  try {
    validateRecordBatch(target.bytes, target.position, length, { maxBatchBytes, crc32c: crc32cTs });
  } catch (error) {
    throw new InvariantError(`WASM validateAndCopy accepted a batch whose copy the TS twin rejects: ${String(error)}`);
  }
}

function checkTarget(target: AppendTarget, length: number): void {
  const { bytes, position } = target;
  if (!Number.isInteger(position) || position < 0 || position + length > bytes.length) {
    throw new RangeError(`validateAndCopy: ${length} bytes at target position ${position} do not fit ${bytes.length}`);
  }
}
