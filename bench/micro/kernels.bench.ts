// Batch kernels, WASM beside the TS twin in one run: validateAndCopy by batch size, the append
// shapes a shard sees (one big batch, many small ones), and the offset-index lookup.
//
//   npx tsx bench/micro/kernels.bench.ts
//
// All bytes live in the shared WebAssembly.Memory (source batches as in a request ring, targets
// as in a segment arena), so this measures the case the WASM path exists for. CRC alone is in
// crc32c.bench.ts. Each task repeats its operation to ~64 KiB of work per sample; times are per
// operation as named in the row: the median sample, best of two rounds.

import { Bench } from 'tinybench';
import { tsBatchKernels } from '../../core/records/batch_kernels.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import type { RecordInput } from '../../core/records/record.js';
import { compileKernels } from '../../wasm/loader.js';
import { createWasmBatchKernels, crc32cTableBytes } from '../../wasm/kernels.js';
import { createSharedMemory, RegionAllocator } from '../../wasm/shared_memory.js';
import { printMachineFacts } from '../support/machine.js';
import { sink, timePerOp } from '../support/time_per_op.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const maxBatchBytes = 2 * MiB;

printMachineFacts('Batch kernels: WASM vs TS twin, data resident in the shared memory', 'npx tsx bench/micro/kernels.bench.ts');

const memory = createSharedMemory(64 * MiB);
const allocator = RegionAllocator.forMemory(memory);
const table = allocator.allocate(crc32cTableBytes);
const sourceRegion = allocator.allocate(2 * MiB);
const targetRegion = allocator.allocate(2 * MiB);
const indexRegion = allocator.allocate(8 * MiB, 4096);
const kernels = createWasmBatchKernels({ module: compileKernels(), memory, crcTablePtr: table.ptr, initTable: true });
const target = { bytes: new Uint8Array(memory.buffer, targetRegion.ptr, targetRegion.bytes), position: 0 };

const record = (valueBytes: number, i: number): RecordInput => ({
  key: null,
  value: new Uint8Array(valueBytes).fill(97 + (i % 26)),
  timestamp: 1_700_000_000_000 + i,
});
/** A record of 100 bytes on the wire: length varint (1) + body (99). */
const record100 = (i: number) => record(91, i);

/** A batch of exactly `bytes` when small (one record), else of 100 B records, about `bytes`. */
function batchOfAbout(bytes: number): Uint8Array {
  if (bytes <= 200) {
    for (let value = 0; value < bytes; value++) {
      const batch = encodeRecordBatch([record(value, 0)]);
      if (batch.length >= bytes) return batch;
    }
  }
  const count = Math.max(1, Math.round((bytes - 61) / 100));
  return encodeRecordBatch(Array.from({ length: count }, (_, i) => record100(i)));
}

/** Each batch gets its own place in the source region (a fresh region per section). */
let sourceNext = 0;
function resident(bytes: Uint8Array): Uint8Array {
  if (sourceNext + bytes.length > sourceRegion.bytes) sourceNext = 0;
  const view = new Uint8Array(memory.buffer, sourceRegion.ptr + sourceNext, bytes.length);
  view.set(bytes);
  sourceNext += Math.ceil(bytes.length / 64) * 64;
  return view;
}

function formatNs(ns: number): string {
  if (ns >= 10_000_000) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 10_000) return `${(ns / 1000).toFixed(1)} µs`;
  return `${ns.toFixed(1)} ns`;
}

function formatBytes(bytes: number): string {
  return bytes >= MiB ? `${(bytes / MiB).toFixed(2)} MiB` : bytes >= KiB ? `${(bytes / KiB).toFixed(1)} KiB` : `${bytes} B`;
}

async function compare(rows: { label: string; ts: () => number; wasm: () => number; workBytes: number }[]): Promise<void> {
  console.log('| case | TS twin | WASM | WASM / TS |');
  console.log('|---|---:|---:|---:|');
  for (const row of rows) {
    const repeat = Math.max(1, Math.floor((64 * KiB) / row.workBytes));
    // Two rounds, TS and WASM alternating, best of each: a burst of load from another process
    // then has to hit both rounds of one side to skew the ratio.
    let ts = Infinity;
    let wasm = Infinity;
    for (let round = 0; round < 2; round++) {
      const bench = new Bench({ time: 300, warmupTime: 100 });
      const tsRound = timePerOp(bench, 'ts', repeat, row.ts);
      const wasmRound = timePerOp(bench, 'wasm', repeat, row.wasm);
      await bench.run();
      ts = Math.min(ts, tsRound());
      wasm = Math.min(wasm, wasmRound());
    }
    console.log(`| ${row.label} | ${formatNs(ts)} | ${formatNs(wasm)} | ${(wasm / ts).toFixed(2)} |`);
  }
}

// 1. validateAndCopy by batch size: validation (header, CRC, record walk), copy, patch.
console.log('\n## validateAndCopy, one batch per op');
await compare(
  [100, 256, 512, 768, KiB, 4 * KiB, 16 * KiB, MiB].map((size) => {
    const batch = batchOfAbout(size);
    const source = resident(batch);
    const count = encodeRecordCount(batch);
    const options = { maxBatchBytes };
    return {
      label: `${formatBytes(batch.length)} (${count} record${count === 1 ? '' : 's'})`,
      ts: () => tsBatchKernels.validateAndCopy(source, 0, source.length, target, 1000, 0, options),
      wasm: () => kernels.validateAndCopy(source, 0, source.length, target, 1000, 0, options),
      workBytes: batch.length,
    };
  }),
);

function encodeRecordCount(batch: Uint8Array): number {
  return (batch[57] << 24) | (batch[58] << 16) | (batch[59] << 8) | batch[60];
}

// 2. The shapes of a shard's appends: one batch of 1,000 records, or 1,000 one-record batches
// back to back in a ring (read as ranges of one view, or as one subarray view per batch).
console.log('\n## validateAndCopy of 1,000 records of 100 B, per 1,000 records');
{
  const big = batchOfAbout(61 + 1000 * 100);
  sourceNext = 0;
  const bigSource = resident(big);
  const small = encodeRecordBatch([record100(0)]);
  const ringBytes = 1000 * small.length;
  const ring = resident(new Uint8Array(ringBytes));
  for (let i = 0; i < 1000; i++) ring.set(small, i * small.length);
  const views = Array.from({ length: 1000 }, (_, i) => ring.subarray(i * small.length, (i + 1) * small.length));
  const options = { maxBatchBytes };
  // Appends go one after another into the target, as into a segment. Written out once per
  // implementation so neither call site is polymorphic (V8 shares feedback between closures of
  // one function literal).
  const appendRangesTs = () => {
    let count = 0;
    for (let i = 0; i < 1000; i++) {
      target.position = i * small.length;
      count += tsBatchKernels.validateAndCopy(ring, i * small.length, (i + 1) * small.length, target, i, 0, options);
    }
    return count;
  };
  const appendRangesWasm = () => {
    let count = 0;
    for (let i = 0; i < 1000; i++) {
      target.position = i * small.length;
      count += kernels.validateAndCopy(ring, i * small.length, (i + 1) * small.length, target, i, 0, options);
    }
    return count;
  };
  const appendViewsTs = () => {
    let count = 0;
    for (let i = 0; i < 1000; i++) {
      target.position = i * small.length;
      count += tsBatchKernels.validateAndCopy(views[i], 0, small.length, target, i, 0, options);
    }
    return count;
  };
  const appendViewsWasm = () => {
    let count = 0;
    for (let i = 0; i < 1000; i++) {
      target.position = i * small.length;
      count += kernels.validateAndCopy(views[i], 0, small.length, target, i, 0, options);
    }
    return count;
  };
  await compare([
    {
      label: `1 batch of 1,000 records (${formatBytes(big.length)})`,
      ts: () => tsBatchKernels.validateAndCopy(bigSource, 0, big.length, target, 0, 0, options),
      wasm: () => kernels.validateAndCopy(bigSource, 0, big.length, target, 0, 0, options),
      workBytes: big.length,
    },
    { label: `1,000 batches of 1 record (${small.length} B each), ranges of one ring view`, ts: appendRangesTs, wasm: appendRangesWasm, workBytes: ringBytes },
    { label: `1,000 batches of 1 record (${small.length} B each), a view per batch`, ts: appendViewsTs, wasm: appendViewsWasm, workBytes: ringBytes },
  ]);
}

// 3. Offset-index lookup: 1M entries (8 MiB), random targets. The TS side is the same binary
// search over a Uint32Array (core/log/offset_index.ts's lookupIndexEntry was not in the tree yet).
console.log('\n## offset-index lookup, 1M entries, random targets, per lookup');
{
  const entryCount = 1 << 20;
  const entries = new Uint32Array(memory.buffer, indexRegion.ptr, entryCount * 2);
  for (let i = 0; i < entryCount; i++) {
    entries[2 * i] = i * 41;
    entries[2 * i + 1] = i * 4096;
  }
  const targets = Uint32Array.from({ length: 4096 }, (_, i) => ((i * 2654435761) >>> 0) % (entryCount * 41));
  let next = 0;
  const lookupTs = (relativeOffset: number): number => {
    let low = 0;
    let high = entryCount;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (entries[2 * middle] <= relativeOffset) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  };
  await compare([
    { label: 'lookup (TS search vs WasmBatchKernels.indexLookup)', ts: () => lookupTs(targets[next++ & 4095]), wasm: () => kernels.indexLookup(entries, entryCount, targets[next++ & 4095]), workBytes: 64 },
    { label: 'lookup (TS search vs raw export)', ts: () => lookupTs(targets[next++ & 4095]), wasm: () => kernels.exports.indexLookup(indexRegion.ptr, entryCount, targets[next++ & 4095]), workBytes: 64 },
  ]);
}
if (sink() === 0.5) console.log(sink()); // keeps the results observable, so no call is dead code
