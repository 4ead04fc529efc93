// The one shared WebAssembly.Memory and the host-side layout of it. Main thread, at startup.
//
//   [0, moduleStaticBytes)     the kernels' static data (data segments, re-applied by every
//                              instantiation on the memory); nothing else goes here
//   [moduleStaticBytes, end)   regions handed out in order by RegionAllocator: rings, kernel
//                              tables, per-shard arenas. The layout is decided once and passed
//                              to workers as plain pointers.
//
// The memory is sized once: initial = maximum, never grown. Growing a shared memory creates a new,
// longer SharedArrayBuffer, and every typed-array view made before keeps the old length in every
// thread, so views would silently stop short of new regions.

import { assert } from '../core/assert.js';

export const wasmPageBytes = 64 * 1024;

/** Reserved below the first region for the module's static data; loader.ts checks it fits. */
export const moduleStaticBytes = 64 * 1024;

/**
 * The largest memory we create: 65,535 pages, one page short of wasm32's 4 GiB. With every byte
 * below 2^32 − 64 KiB, `ptr + length` of any range in it fits a u32, so the kernels' address
 * arithmetic cannot wrap.
 */
export const sharedMemoryBytesMax = 65_535 * wasmPageBytes;

/** A range of the shared memory: [ptr, ptr + bytes). */
export interface Region {
  readonly ptr: number;
  readonly bytes: number;
}

/**
 * A shared WebAssembly.Memory of exactly `bytes` (a whole number of 64 KiB pages, more than the
 * static reserve, at most sharedMemoryBytesMax), with initial = maximum so it never grows.
 * Its `buffer` is a SharedArrayBuffer; Memory is structured-cloneable, so it goes to workers in
 * workerData as is.
 */
export function createSharedMemory(bytes: number): WebAssembly.Memory {
  if (!Number.isSafeInteger(bytes) || bytes % wasmPageBytes !== 0) {
    throw new RangeError(`createSharedMemory: bytes must be a whole number of ${wasmPageBytes}-byte pages, got ${bytes}`);
  }
  if (bytes <= moduleStaticBytes) {
    throw new RangeError(`createSharedMemory: ${bytes} bytes leaves nothing above the ${moduleStaticBytes}-byte static reserve`);
  }
  if (bytes > sharedMemoryBytesMax) {
    throw new RangeError(`createSharedMemory: ${bytes} bytes exceeds the ${sharedMemoryBytesMax}-byte maximum (addresses must fit a u32)`);
  }
  const pages = bytes / wasmPageBytes;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  assert(memory.buffer instanceof SharedArrayBuffer, 'a shared WebAssembly.Memory has a SharedArrayBuffer');
  assert(memory.buffer.byteLength === bytes, 'the memory has the size asked for');
  return memory;
}

function isPowerOfTwo(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0 && (value & (value - 1)) === 0;
}

/**
 * A bump allocator over the shared memory, used once at startup on the main thread to place
 * long-lived regions. Nothing is ever freed: the regions live as long as the broker. It hands out
 * offsets only; it never touches the memory, so it works before anything is instantiated.
 */
export class RegionAllocator {
  readonly memoryBytes: number;
  readonly start: number;
  #next: number;

  constructor(memoryBytes: number, start: number = moduleStaticBytes) {
    if (!Number.isSafeInteger(memoryBytes) || memoryBytes <= 0) {
      throw new RangeError(`RegionAllocator: memoryBytes must be a positive integer, got ${memoryBytes}`);
    }
    if (!Number.isSafeInteger(start) || start < moduleStaticBytes || start > memoryBytes) {
      throw new RangeError(`RegionAllocator: start must be in [${moduleStaticBytes}, ${memoryBytes}], got ${start}`);
    }
    this.memoryBytes = memoryBytes;
    this.start = start;
    this.#next = start;
  }

  static forMemory(memory: WebAssembly.Memory): RegionAllocator {
    return new RegionAllocator(memory.buffer.byteLength);
  }

  /** The first byte not yet handed out. */
  get next(): number {
    return this.#next;
  }

  get remainingBytes(): number {
    return this.memoryBytes - this.#next;
  }

  /**
   * The next `bytes` at an `align`-byte boundary (a power of two; 64, a cache line, by default,
   * so regions written by different threads never share a line). Throws a RangeError naming the
   * shortfall when the memory is exhausted: a startup configuration error, not a runtime one.
   */
  allocate(bytes: number, align = 64): Region {
    if (!Number.isSafeInteger(bytes) || bytes <= 0) {
      throw new RangeError(`RegionAllocator.allocate: bytes must be a positive integer, got ${bytes}`);
    }
    if (!isPowerOfTwo(align)) throw new RangeError(`RegionAllocator.allocate: align must be a power of two, got ${align}`);
    const ptr = Math.ceil(this.#next / align) * align;
    if (ptr + bytes > this.memoryBytes) {
      throw new RangeError(
        `RegionAllocator.allocate: ${bytes} bytes at alignment ${align} do not fit: ` +
          `${this.memoryBytes - this.#next} of ${this.memoryBytes} bytes remain`,
      );
    }
    assert(ptr >= this.#next, 'regions never overlap the previous one');
    assert(ptr % align === 0, 'the region is aligned');
    this.#next = ptr + bytes;
    return { ptr, bytes };
  }
}
