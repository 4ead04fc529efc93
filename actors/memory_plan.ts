// The layout of the one shared WebAssembly.Memory, decided once on the main thread at start and
// handed to every shard. Everything that crosses threads lives here: rings, doorbells, the epoch
// words, the partition directory, and each shard's arena for in-memory segments.
//
//   [0, 64 KiB)            the WASM module's own static data (wasm/shared_memory.ts)
//   kernel tables          CRC-32C slicing tables, written once, read by every instance
//   epochs                 global epoch + reader slots (epochs.ts)
//   doorbells              one per shard and one for the host, each on its own cache line
//   directory              one 1 KiB slot per partition actor (shard/partition_directory.ts)
//   per shard              request ring (host → shard), reply ring (shard → host)
//   arenas                 the rest, split evenly: each shard's in-memory segments and indexes
//
// The memory is sized once and never grown (wasm/shared_memory.ts says why).
import { assert } from '../core/assert.js';
import { crc32cTableBytes } from '../wasm/kernels.js';
import { RegionAllocator } from '../wasm/shared_memory.js';
import { epochRegionBytes } from './epochs.js';
import { isPowerOfTwo, ringRegionBytes } from './ring/ring_layout.js';
import { PartitionDirectory } from './shard/partition_directory.js';

const cacheLine = 64;
const arenaBytesMin = 16 * 1024 * 1024;

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

export function planMemory(options: MemoryPlanOptions): MemoryPlan {
  assert(options.shards >= 1, 'at least one shard');
  assert(isPowerOfTwo(options.ringBytes), 'ring size must be a power of two');
  const regions = new RegionAllocator(options.memoryBytes);
  const take = (bytes: number) => regions.allocate(bytes, cacheLine).ptr;
  const crcTable = take(crc32cTableBytes);
  const epochs = take(epochRegionBytes);
  const hostDoorbell = take(cacheLine);
  const doorbells = Array.from({ length: options.shards }, () => take(cacheLine));
  const directory = take(PartitionDirectory.regionBytes(options.partitionsMax));
  const rings = Array.from({ length: options.shards }, () => ({
    requestRing: take(ringRegionBytes(options.ringBytes)),
    replyRing: take(ringRegionBytes(options.ringBytes)),
  }));
  const arenaBytes = Math.floor(regions.remainingBytes / options.shards / cacheLine) * cacheLine - cacheLine;
  if (arenaBytes < arenaBytesMin) {
    throw new RangeError(`memoryBytes ${options.memoryBytes} leaves ${arenaBytes} bytes per shard for logs; at least ${arenaBytesMin} are needed`);
  }
  const shards = rings.map((ring, i) => ({ ...ring, doorbell: doorbells[i], arena: regions.allocate(arenaBytes, cacheLine) }));
  return { memoryBytes: options.memoryBytes, ringBytes: options.ringBytes, crcTable, epochs, hostDoorbell, directory, partitionsMax: options.partitionsMax, shards };
}
