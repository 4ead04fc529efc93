// A small shared memory with the kernels instantiated on it, for the WASM tests: one per build
// (debug, with AssemblyScript asserts on, and release, as shipped).

import { validateRecordBatch } from '../../../core/records/record_batch.js';
import { crc32c } from '../../../core/records/crc32c.js';
import { compileKernels } from '../../../wasm/loader.js';
import { createWasmBatchKernels, crc32cTableBytes, type WasmBatchKernels } from '../../../wasm/kernels.js';
import { createSharedMemory, RegionAllocator, type Region } from '../../../wasm/shared_memory.js';
import { codeOf } from '../../support/error_code.js';

export const builds = ['debug', 'release'] as const;
export type Build = (typeof builds)[number];

export interface Harness {
  build: Build;
  memory: WebAssembly.Memory;
  kernels: WasmBatchKernels;
  tablePtr: number;
  /** Where tests put source bytes. */
  source: Region;
  /** Where validateAndCopy writes. */
  target: Region;
  bytes: Uint8Array;
}

const scratchBytes = 1024 * 1024;

export function createHarness(build: Build): Harness {
  const memory = createSharedMemory(4 * 1024 * 1024);
  const allocator = RegionAllocator.forMemory(memory);
  const table = allocator.allocate(crc32cTableBytes);
  const source = allocator.allocate(scratchBytes);
  const target = allocator.allocate(scratchBytes);
  const module = compileKernels({ debug: build === 'debug' });
  const kernels = createWasmBatchKernels({ module, memory, crcTablePtr: table.ptr, initTable: true });
  return { build, memory, kernels, tablePtr: table.ptr, source, target, bytes: new Uint8Array(memory.buffer) };
}

/** Copies `data` into the source region at `misalign` past its (64-aligned) start; returns the view. */
export function placeSource(harness: Harness, data: Uint8Array, misalign: number): Uint8Array {
  const view = new Uint8Array(harness.memory.buffer, harness.source.ptr + misalign, data.length);
  view.set(data);
  return view;
}

/** The code the TS twin gives: 0 when it accepts, else the LanesError's Kafka code. */
export function twinCode(data: Uint8Array, maxBatchBytes: number): number {
  return codeOf(() => validateRecordBatch(data, 0, data.length, { maxBatchBytes, crc32c })) ?? 0;
}
