// The layout of the one shared WebAssembly.Memory, decided once on the main thread at start and
// handed to every shard. Everything that crosses threads lives here: rings, doorbells, the epoch
// words, the partition directory, and each shard's arena for in-memory segments.
//
//   [0, 64 KiB)            reserved for the WASM module's own static data
//   kernel tables          CRC-32C slicing tables, written once, read by every instance
//   epochs                 global epoch + reader slots (epochs.ts)
//   doorbells              one per shard and one for the host, each on its own cache line
//   directory              one 1 KiB slot per partition actor (shard/partition_directory.ts)
//   per shard              request ring (host → shard), reply ring (shard → host), arena
//
// The memory is sized once and never grown: growing a shared memory makes new buffers that
// existing views in other threads do not see (toolchain.md §2, pitfall 4).
import { assert } from '../core/assert.js';
import { epochRegionBytes } from './epochs.js';
import { ringRegionBytes, isPowerOfTwo } from './ring/ring_layout.js';
import { PartitionDirectory } from './shard/partition_directory.js';

export const wasmPageBytes = 64 * 1024;
export const wasmStaticBytes = 64 * 1024;
export const crcTableBytes = 8 * 1024;
const cacheLine = 64;

export interface MemoryPlanOptions {
  shards: number;
  memoryBytes: number;
  partitionsMax: number;
  ringBytes: number;
}

export interface ShardRegions {
  requestRing: number;
  replyRing: number;
  doorbell: number;
  arena: { ptr: number; bytes: number };
}

export interface MemoryPlan {
  memoryBytes: number;
  ringBytes: number;
  crcTable: number;
  epochs: number;
  hostDoorbell: number;
  directory: number;
  partitionsMax: number;
  shards: ShardRegions[];
}

function align(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}

export function planMemory(options: MemoryPlanOptions): MemoryPlan {
  assert(options.shards >= 1, 'at least one shard');
  assert(isPowerOfTwo(options.ringBytes), 'ring size must be a power of two');
  assert(options.memoryBytes % wasmPageBytes === 0, 'memory is a whole number of wasm pages');
  let next = wasmStaticBytes;
  const take = (bytes: number): number => {
    const at = align(next, cacheLine);
    next = at + bytes;
    return at;
  };
  const crcTable = take(crcTableBytes);
  const epochs = take(epochRegionBytes);
  const hostDoorbell = take(cacheLine);
  const doorbells = Array.from({ length: options.shards }, () => take(cacheLine));
  const directory = take(PartitionDirectory.regionBytes(options.partitionsMax));
  const rings = Array.from({ length: options.shards }, () => ({
    requestRing: take(ringRegionBytes(options.ringBytes)),
    replyRing: take(ringRegionBytes(options.ringBytes)),
  }));
  const fixedEnd = align(next, cacheLine);
  const arenaBytes = Math.floor((options.memoryBytes - fixedEnd) / options.shards / cacheLine) * cacheLine;
  assert(arenaBytes >= 16 * 1024 * 1024, `memory of ${options.memoryBytes} bytes leaves only ${arenaBytes} per shard arena`);
  const shards = rings.map((ring, i) => ({
    ...ring,
    doorbell: doorbells[i],
    arena: { ptr: fixedEnd + i * arenaBytes, bytes: arenaBytes },
  }));
  return {
    memoryBytes: options.memoryBytes,
    ringBytes: options.ringBytes,
    crcTable,
    epochs,
    hostDoorbell,
    directory,
    partitionsMax: options.partitionsMax,
    shards,
  };
}
