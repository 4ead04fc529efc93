// Compiles the AssemblyScript kernels once and instantiates them on the shared memory.
//
// The main thread calls compileKernels() once; the WebAssembly.Module and the WebAssembly.Memory
// are both structured-cloneable, so each shard worker receives them (and region pointers, as plain
// numbers) through workerData and calls instantiateKernels(module, memory) for its own instance.
// Instances share nothing but the memory: the kernels keep no state of their own.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert, InvariantError } from '../core/assert.js';
import { moduleStaticBytes, sharedMemoryBytesMax } from './shared_memory.js';

/** The kernels' exports, as the host calls them: every pointer a byte offset into the memory. */
export interface KernelExports {
  /** End of the module's static data (`__heap_base`); must be ≤ moduleStaticBytes. */
  staticEnd(): number;
  /** Bytes of CRC-32C tables crc32cInit writes (wasm/kernels.ts's crc32cTableBytes must match). */
  crc32cTableBytes(): number;
  /** Fills the CRC-32C tables (crc32cTableBytes() bytes) at `table` (4-byte aligned). */
  crc32cInit(table: number): void;
  /** CRC-32C of [src, src + length), as an i32: take `>>> 0` for the unsigned value. */
  crc32c(table: number, src: number, length: number): number;
  crc32cUpdate(table: number, crc: number, src: number, length: number): number;
  /** crc32cUpdate over [src, src + length) that also copies those bytes to dst, in one pass. */
  crc32cCopy(table: number, crc: number, src: number, dst: number, length: number): number;
  /** Kafka's error code for the batch at [src, src + length); 76 for any compressed batch. */
  validateRecordBatch(table: number, src: number, length: number, maxBatchBytes: number): number;
  validateAndCopy(
    table: number,
    src: number,
    length: number,
    target: number,
    baseOffsetHi: number,
    baseOffsetLo: number,
    leaderEpoch: number,
    maxBatchBytes: number,
  ): number;
  /** Index of the last [relativeOffset, position] entry with relativeOffset ≤ the target, or −1. */
  indexLookup(entries: number, count: number, relativeOffset: number): number;
}

const exportNames: readonly (keyof KernelExports)[] = [
  'staticEnd',
  'crc32cTableBytes',
  'crc32cInit',
  'crc32c',
  'crc32cUpdate',
  'crc32cCopy',
  'validateRecordBatch',
  'validateAndCopy',
  'indexLookup',
];

export interface CompileKernelsOptions {
  /** Load kernels.debug.wasm (AssemblyScript asserts on; the property tests use it). */
  debug?: boolean;
}

/**
 * The package root: the nearest directory above this file with our package.json. Walking up
 * makes the lookup work both from source (wasm/loader.ts) and compiled (dist/wasm/loader.js).
 */
function packageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
      if (name === 'lanes') return directory;
    }
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  throw new Error(`wasm/loader: no package.json of "lanes" above ${fileURLToPath(import.meta.url)}`);
}

/** Absolute path of the built kernels (release by default). */
export function kernelsWasmPath(options: CompileKernelsOptions = {}): string {
  return join(packageRoot(), 'wasm', 'build', options.debug === true ? 'kernels.debug.wasm' : 'kernels.wasm');
}

/** Reads and compiles the kernels. Synchronous: it runs once at startup (~7.7 KB release module). */
export function compileKernels(options: CompileKernelsOptions = {}): WebAssembly.Module {
  const path = kernelsWasmPath(options);
  if (!existsSync(path)) throw new Error(`wasm/loader: ${path} is missing; run \`npm run build:wasm\``);
  const module = new WebAssembly.Module(readFileSync(path));
  const exported = new Set(WebAssembly.Module.exports(module).map((descriptor) => descriptor.name));
  for (const name of exportNames) {
    if (!exported.has(name)) throw new Error(`wasm/loader: ${path} does not export ${name}; rebuild it (npm run build:wasm)`);
  }
  return module;
}

/** Reads an AssemblyScript string (UTF-16LE, its byte length in the u32 before it) for abort(). */
function readAssemblyScriptString(buffer: ArrayBufferLike, ptr: number): string {
  if (ptr < 4 || ptr >= buffer.byteLength) return `<string at ${ptr}>`;
  const bytes = new Uint8Array(buffer);
  const length = bytes[ptr - 4] | (bytes[ptr - 3] << 8) | (bytes[ptr - 2] << 16) | (bytes[ptr - 1] << 24);
  let text = '';
  for (let i = 0; i + 1 < length && ptr + i + 1 < buffer.byteLength && i < 2048; i += 2) {
    text += String.fromCharCode(bytes[ptr + i] | (bytes[ptr + i + 1] << 8));
  }
  return text;
}

/**
 * Instantiates the kernels on `memory` for this thread. Refuses, with a message that says why, a
 * memory that is not shared, too small for the static reserve, or too big for u32 addresses; and
 * a module whose static data does not fit below moduleStaticBytes.
 */
export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const buffer: ArrayBufferLike = memory.buffer;
  if (!(buffer instanceof SharedArrayBuffer)) {
    throw new TypeError('instantiateKernels: the memory must be shared (new WebAssembly.Memory({ …, shared: true }))');
  }
  if (buffer.byteLength <= moduleStaticBytes) {
    throw new RangeError(
      `instantiateKernels: a memory of ${buffer.byteLength} bytes leaves nothing above the ${moduleStaticBytes}-byte static reserve`,
    );
  }
  if (buffer.byteLength > sharedMemoryBytesMax) {
    throw new RangeError(`instantiateKernels: a memory of ${buffer.byteLength} bytes exceeds ${sharedMemoryBytesMax} (u32 addresses)`);
  }
  // The debug build imports abort() for its asserts; the release build (noAssert) imports only
  // the memory, and extra imports are ignored.
  const abort = (message: number, file: number, line: number, column: number): never => {
    const text = readAssemblyScriptString(memory.buffer, message);
    const where = readAssemblyScriptString(memory.buffer, file);
    throw new InvariantError(`wasm kernel assertion failed: ${text} (${where}:${line}:${column})`);
  };
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, { env: { memory, abort } });
  } catch (error) {
    throw new Error(`instantiateKernels: the memory does not fit the kernels' import (${String(error)})`, { cause: error });
  }
  const exports = instance.exports as unknown as KernelExports;
  const staticEnd = exports.staticEnd();
  assert(staticEnd <= moduleStaticBytes, `the kernels' static data ends at ${staticEnd}, above the ${moduleStaticBytes}-byte reserve`);
  return exports;
}
