import { describe, expect, it } from 'vitest';
import { Arena } from '../../../actors/shard/arena.js';
import { PartitionDirectory, directorySegmentsMax } from '../../../actors/shard/partition_directory.js';

describe('Arena', () => {
  it('hands out aligned, disjoint blocks and reuses freed ones of the same size', () => {
    const buffer = new SharedArrayBuffer(1 << 20);
    const arena = new Arena(buffer, { ptr: 4096, bytes: 64 * 1024 });
    const a = arena.allocate(1000)!;
    const b = arena.allocate(1000)!;
    expect(a.byteOffset % 64).toBe(0);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 1000);
    a.fill(7);
    arena.free(a);
    const c = arena.allocate(1000)!;
    expect(c.byteOffset).toBe(a.byteOffset);
    expect(arena.bytesInUse).toBe(2 * 1024);
  });

  it('returns null when exhausted instead of overrunning its region', () => {
    const arena = new Arena(new SharedArrayBuffer(1 << 20), { ptr: 0, bytes: 4096 });
    expect(arena.allocate(4096)).not.toBeNull();
    expect(arena.allocate(64)).toBeNull();
  });
});

describe('PartitionDirectory', () => {
  it('round-trips a published slot and reports unpublished slots as absent', () => {
    const buffer = new SharedArrayBuffer(PartitionDirectory.regionBytes(4));
    const directory = new PartitionDirectory(buffer, 0, 4);
    expect(directory.read(2)).toBeNull();
    const snapshot = {
      highWatermark: 12_345_678_901,
      logStartOffset: 100,
      lastStableOffset: 12_345_000_000,
      lastAbortedOffset: 12_000_000_000,
      segments: [
        { baseOffset: 100, bytesPtr: 65536, capacity: 8 << 20, committedBytes: 8_000_000, indexPtr: 4096, indexCount: 17 },
        { baseOffset: 9_000_000, bytesPtr: 9 << 20, capacity: 8 << 20, committedBytes: 123, indexPtr: 8192, indexCount: 0 },
      ],
    };
    directory.publish(2, snapshot);
    expect(directory.read(2)).toEqual(snapshot);
    directory.clear(2);
    expect(directory.read(2)).toBeNull();
  });

  it('refuses more segments than a slot holds', () => {
    const directory = new PartitionDirectory(new SharedArrayBuffer(PartitionDirectory.regionBytes(1)), 0, 1);
    const segment = { baseOffset: 0, bytesPtr: 0, capacity: 0, committedBytes: 0, indexPtr: 0, indexCount: 0 };
    expect(() => directory.publish(0, { highWatermark: 0, logStartOffset: 0, lastStableOffset: 0, lastAbortedOffset: -1, segments: Array(directorySegmentsMax + 1).fill(segment) })).toThrow();
  });
});
