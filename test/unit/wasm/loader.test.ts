import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../../core/assert.js';
import { ErrorCode, isLanesError, type LanesError } from '../../../core/errors.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { crc32c } from '../../../core/records/crc32c.js';
import { compileKernels, instantiateKernels, kernelsWasmPath } from '../../../wasm/loader.js';
import { createWasmBatchKernels, crc32cTableBytes } from '../../../wasm/kernels.js';
import { createSharedMemory, moduleStaticBytes, RegionAllocator, sharedMemoryBytesMax, wasmPageBytes } from '../../../wasm/shared_memory.js';

const MiB = 1024 * 1024;
const ascii = (s: string) => new TextEncoder().encode(s);
const records = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ key: null, value: ascii(`value-${i}`), timestamp: 1_700_000_000_000 + i }));

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('createSharedMemory', () => {
  it('creates a shared memory of exactly the size asked, with initial = maximum', () => {
    const memory = createSharedMemory(2 * MiB);
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(memory.buffer.byteLength).toBe(2 * MiB);
    expect(() => memory.grow(1)).toThrow(RangeError); // maximum reached: it can never grow
  });

  it('refuses sizes that are not whole pages, fit no region, or exceed u32 addresses', () => {
    expect(() => createSharedMemory(MiB + 1)).toThrow(/whole number of 65536-byte pages/);
    expect(() => createSharedMemory(moduleStaticBytes)).toThrow(/leaves nothing above/);
    expect(() => createSharedMemory(sharedMemoryBytesMax + wasmPageBytes)).toThrow(/exceeds/);
    expect(() => createSharedMemory(Number.NaN)).toThrow(RangeError);
  });
});

describe('RegionAllocator', () => {
  it('hands out aligned, non-overlapping regions above the static reserve', () => {
    const allocator = new RegionAllocator(MiB);
    const first = allocator.allocate(10);
    expect(first.ptr).toBe(moduleStaticBytes);
    const second = allocator.allocate(100);
    expect(second.ptr).toBe(moduleStaticBytes + 64); // the default alignment is a cache line
    const third = allocator.allocate(8, 4096);
    expect(third.ptr % 4096).toBe(0);
    expect(third.ptr).toBeGreaterThanOrEqual(second.ptr + second.bytes);
    const fourth = allocator.allocate(3, 1);
    expect(fourth.ptr).toBe(third.ptr + 8);
    expect(allocator.next).toBe(fourth.ptr + 3);
    expect(allocator.remainingBytes).toBe(MiB - allocator.next);
  });

  it('fails on exhaustion with the shortfall, and leaves its state unchanged', () => {
    const allocator = new RegionAllocator(moduleStaticBytes + 1024);
    allocator.allocate(1000);
    const error = caught(() => allocator.allocate(64)) as Error;
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/64 bytes at alignment 64 do not fit: 24 of 66560 bytes remain/);
    expect(allocator.next).toBe(moduleStaticBytes + 1000);
    expect(allocator.allocate(24, 8).ptr).toBe(moduleStaticBytes + 1000); // what is left still fits exactly
  });

  it('refuses bad arguments: alignment not a power of two, empty regions, a start inside the reserve', () => {
    const allocator = new RegionAllocator(MiB);
    expect(() => allocator.allocate(8, 48)).toThrow(/power of two/);
    expect(() => allocator.allocate(0)).toThrow(/positive integer/);
    expect(() => new RegionAllocator(MiB, 1024)).toThrow(/start must be in/);
  });
});

describe('compileKernels / instantiateKernels', () => {
  it('finds the release and debug builds from the package root', () => {
    expect(kernelsWasmPath()).toMatch(/wasm\/build\/kernels\.wasm$/);
    expect(kernelsWasmPath({ debug: true })).toMatch(/wasm\/build\/kernels\.debug\.wasm$/);
    const exported = WebAssembly.Module.exports(compileKernels()).map((entry) => entry.name);
    expect(exported).toEqual(expect.arrayContaining(['crc32cInit', 'crc32c', 'validateRecordBatch', 'validateAndCopy', 'indexLookup', 'staticEnd']));
  });

  it('refuses a memory that is not shared, or that has no room above the static reserve', () => {
    const module = compileKernels();
    const plain = new WebAssembly.Memory({ initial: 2, maximum: 2 });
    expect(() => instantiateKernels(module, plain)).toThrow(/must be shared/);
    const onePage = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    expect(() => instantiateKernels(module, onePage)).toThrow(/leaves nothing above the 65536-byte static reserve/);
  });

  it('keeps the static data of both builds inside the reserve', () => {
    const memory = createSharedMemory(MiB);
    for (const debug of [false, true]) {
      const exports = instantiateKernels(compileKernels({ debug }), memory);
      expect(exports.staticEnd()).toBeLessThanOrEqual(moduleStaticBytes);
    }
  });

  it('turns a debug-build assertion into an InvariantError with its message', () => {
    const memory = createSharedMemory(MiB);
    const exports = instantiateKernels(compileKernels({ debug: true }), memory);
    const error = caught(() => exports.indexLookup(moduleStaticBytes + 2, 1, 0));
    expect(error).toBeInstanceOf(InvariantError);
    expect((error as Error).message).toMatch(/indexLookup: entries must be 4-byte aligned \(wasm\/assembly\/offset_index\.ts:\d+:\d+\)/);
  });

  it('shares Module and Memory with a worker, whose own instance reads what the main thread wrote', async () => {
    const memory = createSharedMemory(MiB);
    const allocator = RegionAllocator.forMemory(memory);
    const table = allocator.allocate(crc32cTableBytes);
    const data = allocator.allocate(9);
    const module = compileKernels();
    createWasmBatchKernels({ module, memory, crcTablePtr: table.ptr, initTable: true });
    new Uint8Array(memory.buffer, data.ptr, 9).set(ascii('123456789'));
    // Plain JS on purpose: the worker uses nothing but what crossed in workerData.
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { module, memory, table, ptr } = workerData;
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      parentPort.postMessage(instance.exports.crc32c(table, ptr, 9) >>> 0);`;
    const worker = new Worker(source, { eval: true, workerData: { module, memory, table: table.ptr, ptr: data.ptr } });
    const result = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(result).toBe(0xe3069283);
  });
});

describe('createWasmBatchKernels', () => {
  function setup(options: { debug?: boolean } = {}) {
    const memory = createSharedMemory(4 * MiB);
    const allocator = RegionAllocator.forMemory(memory);
    const table = allocator.allocate(crc32cTableBytes);
    const source = allocator.allocate(MiB);
    const target = allocator.allocate(MiB);
    const module = compileKernels(options);
    const kernels = createWasmBatchKernels({ module, memory, crcTablePtr: table.ptr, initTable: true });
    const place = (bytes: Uint8Array) => {
      const view = new Uint8Array(memory.buffer, source.ptr, bytes.length);
      view.set(bytes);
      return view;
    };
    return { memory, module, table, kernels, place, target: new Uint8Array(memory.buffer, target.ptr, MiB) };
  }

  it('computes the published CRC-32C check values on resident and on ordinary bytes', () => {
    const { kernels, place } = setup();
    expect(kernels.crc32c(place(ascii('123456789')), 0, 9)).toBe(0xe3069283);
    expect(kernels.crc32c(place(new Uint8Array(32).fill(0xff)), 0, 32)).toBe(0x62a8ab43);
    expect(kernels.crc32c(ascii('123456789'), 0, 9)).toBe(0xe3069283); // not resident: the TS twin
    // Alternating views: the wrapper remembers the last view's pointer, never a stale one.
    const heapView = new Uint8Array(64).fill(7);
    const residentView = place(new Uint8Array(64).fill(7));
    for (const view of [heapView, residentView, heapView, residentView]) expect(kernels.crc32c(view, 3, 60)).toBe(crc32c(heapView, 3, 60));
  });

  it('runs the kernel for resident bytes and the twin otherwise, and reports a disagreement as a bug', () => {
    const { kernels, place, target, memory, table } = setup();
    const batch = encodeRecordBatch(records(2));
    const resident = place(batch);
    const options = { maxBatchBytes: MiB };
    // Damage the slice every 8-byte step reads: only the WASM path reads the tables in memory.
    const slice7 = new Uint32Array(memory.buffer, table.ptr + 7 * 1024, 256);
    const saved = slice7.slice();
    for (let i = 0; i < 256; i++) slice7[i] ^= 1;
    const probe = place(new Uint8Array(64).fill(0x5a));
    expect(kernels.crc32c(probe, 0, 64)).not.toBe(crc32c(probe));
    expect(kernels.crc32c(probe.slice(), 0, 64)).toBe(crc32c(probe));
    const resident2 = place(batch);
    const error = caught(() => kernels.validateAndCopy(resident2, 0, batch.length, { bytes: target, position: 0 }, 0, 0, options));
    expect(error).toBeInstanceOf(InvariantError);
    expect((error as Error).message).toMatch(/WASM validation gave code 2, the TS twin accepted the batch/);
    slice7.set(saved);
    expect(kernels.validateAndCopy(resident, 0, batch.length, { bytes: target, position: 0 }, 0, 0, options)).toBe(2);
  });

  it('refuses tables that were never filled, or a misplaced table pointer', () => {
    const { memory, module, table } = setup();
    // A second instance over the same tables, as a worker would: no initTable needed.
    expect(createWasmBatchKernels({ module, memory, crcTablePtr: table.ptr }).crc32c(ascii('a'), 0, 1)).toBe(crc32c(ascii('a')));
    expect(() => createWasmBatchKernels({ module, memory, crcTablePtr: table.ptr + crc32cTableBytes })).toThrow(/no CRC-32C tables/);
    expect(() => createWasmBatchKernels({ module, memory, crcTablePtr: table.ptr + 2 })).toThrow(/is not a 4-aligned 12288-byte region/);
    expect(() => createWasmBatchKernels({ module, memory, crcTablePtr: memory.buffer.byteLength - 4 })).toThrow(RangeError);
  });

  it('copies and patches a valid resident batch, leaving the source as it was', () => {
    const { kernels, place, target } = setup({ debug: true });
    const batch = encodeRecordBatch(records(3));
    const view = place(batch);
    const count = kernels.validateAndCopy(view, 0, view.length, { bytes: target, position: 8 }, 2 ** 40 + 5, 7, { maxBatchBytes: MiB });
    expect(count).toBe(3);
    expect(Buffer.from(view).equals(Buffer.from(batch))).toBe(true);
    const copy = target.subarray(8, 8 + batch.length);
    expect(Buffer.from(copy).readBigInt64BE(0)).toBe(2n ** 40n + 5n);
    expect(Buffer.from(copy).readInt32BE(12)).toBe(7);
    expect(Buffer.from(copy.subarray(16)).equals(Buffer.from(batch.subarray(16)))).toBe(true);
  });

  it('throws the TS twin’s LanesError for a corrupt resident batch; only its target range may hold scratch', () => {
    const { kernels, place, target } = setup({ debug: true });
    const batch = encodeRecordBatch(records(2));
    batch[batch.length - 1] ^= 0xff; // breaks the CRC
    const view = place(batch);
    target.fill(0);
    const error = caught(() => kernels.validateAndCopy(view, 0, view.length, { bytes: target, position: 8 }, 0, 0, { maxBatchBytes: MiB }));
    expect(isLanesError(error)).toBe(true);
    expect((error as LanesError).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect((error as LanesError).message).toMatch(/CRC-32C mismatch/);
    // The kernel copies while it checks the CRC, so the refused batch's range holds its unpatched
    // bytes (the log never commits that range); nothing outside the range is written.
    expect(target.subarray(0, 8).every((byte) => byte === 0)).toBe(true);
    expect(target.subarray(8 + batch.length).every((byte) => byte === 0)).toBe(true);
    expect(Buffer.from(target.subarray(8, 8 + batch.length)).equals(Buffer.from(batch))).toBe(true);
    const tooLarge = caught(() => kernels.validateAndCopy(place(encodeRecordBatch(records(2))), 0, view.length, { bytes: target, position: 0 }, 0, 0, { maxBatchBytes: 70 }));
    expect((tooLarge as LanesError).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });

  it('hands a compressed batch to the TS twin, which decompresses with the caller’s function', () => {
    const { kernels, place, target } = setup();
    // An identity "gzip": enough to prove the delegation; real codecs live with the producer.
    const identity = (_codec: number, bytes: Uint8Array) => bytes;
    const batch = encodeRecordBatch(records(4), { compression: 1, compress: identity });
    const view = place(batch);
    const count = kernels.validateAndCopy(view, 0, view.length, { bytes: target, position: 0 }, 10, 1, { maxBatchBytes: MiB, decompress: identity });
    expect(count).toBe(4);
    expect(Buffer.from(target.subarray(0, batch.length)).readBigInt64BE(0)).toBe(10n);
    const unsupported = caught(() => kernels.validateAndCopy(view, 0, view.length, { bytes: target, position: 0 }, 10, 1, { maxBatchBytes: MiB }));
    expect((unsupported as LanesError).errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  });

  it('falls back to the TS twin when either side is not in the memory', () => {
    const { kernels, place, target } = setup();
    const batch = encodeRecordBatch(records(2));
    const heapTarget = new Uint8Array(batch.length);
    expect(kernels.validateAndCopy(place(batch), 0, batch.length, { bytes: heapTarget, position: 0 }, 3, 0, { maxBatchBytes: MiB })).toBe(2);
    expect(kernels.validateAndCopy(batch, 0, batch.length, { bytes: target, position: 0 }, 3, 0, { maxBatchBytes: MiB })).toBe(2);
    expect(Buffer.from(heapTarget).equals(Buffer.from(target.subarray(0, batch.length)))).toBe(true);
  });

  it('validates arguments before calling in', () => {
    const { kernels, place, target, memory } = setup();
    const batch = encodeRecordBatch(records(1));
    const view = place(batch);
    const copy = (position: number, end = view.length, baseOffset = 0, epoch = 0) =>
      kernels.validateAndCopy(view, 0, end, { bytes: target, position }, baseOffset, epoch, { maxBatchBytes: MiB });
    expect(() => copy(target.length - 10)).toThrow(/do not fit/);
    expect(() => copy(0, view.length + 1)).toThrow(/not within/);
    expect(() => copy(0, view.length, 2 ** 53)).toThrow(InvariantError);
    expect(() => copy(0, view.length, 0, 2 ** 31)).toThrow(InvariantError);
    const overlapping = new Uint8Array(memory.buffer, view.byteOffset + 4, batch.length);
    expect(() => kernels.validateAndCopy(view, 0, view.length, { bytes: overlapping, position: 0 }, 0, 0, { maxBatchBytes: MiB })).toThrow(/overlap/);
    expect(() => kernels.crc32c(view, 5, 4)).toThrow(RangeError);
    expect(() => kernels.indexLookup(new Uint32Array(4), 1, 0)).toThrow(/view of the shared memory/);
    expect(() => kernels.indexLookup(new Uint32Array(memory.buffer, 1 << 20, 4), 3, 0)).toThrow(/count 3/);
  });
});
