// CRC-32C, WASM slicing-by-8 beside the TS slicing-by-8 twin, in one run, at 100 B … 1 MiB.
//
//   npx tsx bench/micro/crc32c.bench.ts
//
// The bytes live in the shared WebAssembly.Memory, as a batch in a ring or segment does. Columns:
//   TS heap       core/records/crc32c.ts over a copy in an ordinary ArrayBuffer
//   TS shared     the same function over the resident bytes (what the fallback path runs)
//   WASM          BatchKernels.crc32c from wasm/kernels.ts (argument checks + one call in)
//   WASM raw      the export called directly with pointers
// Each task repeats the CRC enough times per sample to take ~64 KiB of work; times are per CRC.

import { Bench } from 'tinybench';
import { crc32c } from '../../core/records/crc32c.js';
import { compileKernels } from '../../wasm/loader.js';
import { createWasmBatchKernels, crc32cTableBytes } from '../../wasm/kernels.js';
import { createSharedMemory, RegionAllocator } from '../../wasm/shared_memory.js';
import { printMachineFacts } from '../support/machine.js';
import { sink, timePerOp } from '../support/time_per_op.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const sizes = [100, KiB, 16 * KiB, MiB];

printMachineFacts('CRC-32C: WASM vs TS (slicing-by-8 both), bytes resident in the shared memory', 'npx tsx bench/micro/crc32c.bench.ts');

const memory = createSharedMemory(8 * MiB);
const allocator = RegionAllocator.forMemory(memory);
const table = allocator.allocate(crc32cTableBytes);
const data = allocator.allocate(MiB + 64);
const kernels = createWasmBatchKernels({ module: compileKernels(), memory, crcTablePtr: table.ptr, initTable: true });
const resident = new Uint8Array(memory.buffer, data.ptr + 3, MiB); // +3: not word-aligned, like a batch after a header
for (let i = 0; i < resident.length; i++) resident[i] = (i * 2654435761) >>> 24;
const heap = resident.slice();

function formatNs(ns: number): string {
  return ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${ns.toFixed(1)} ns`;
}

console.log('| size | TS heap | TS shared | WASM | WASM raw | WASM / TS shared | WASM GB/s |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (const size of sizes) {
  const repeat = Math.max(1, Math.floor((64 * KiB) / size));
  const bench = new Bench({ time: 400, warmupTime: 100 });
  const tsHeap = timePerOp(bench, 'ts-heap', repeat, () => crc32c(heap, 0, size));
  const tsShared = timePerOp(bench, 'ts-shared', repeat, () => crc32c(resident, 0, size));
  const wasm = timePerOp(bench, 'wasm', repeat, () => kernels.crc32c(resident, 0, size));
  const raw = timePerOp(bench, 'wasm-raw', repeat, () => kernels.exports.crc32c(table.ptr, resident.byteOffset, size));
  await bench.run();
  const ratio = wasm() / tsShared();
  console.log(
    `| ${size >= KiB ? `${size / KiB} KiB` : `${size} B`} | ${formatNs(tsHeap())} | ${formatNs(tsShared())} | ${formatNs(wasm())} | ` +
      `${formatNs(raw())} | ${ratio.toFixed(2)} | ${(size / wasm()).toFixed(2)} |`,
  );
}
if (sink() === 0.5) console.log(sink()); // keeps the results observable, so no call is dead code
