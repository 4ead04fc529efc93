// The partitioner must put a key where Kafka's Java client (and kafkajs's DefaultPartitioner) puts
// it, and must spread keyless records the documented ways. Expected hashes come from two sources:
// Kafka's own UtilsTest vectors, hard-coded, and kafkajs's murmur2 (a port of the Java code) run
// on the same input in the test.

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey, Partitioner, toPositive } from '../../../core/client/partitioner.js';
import { LanesError } from '../../../core/errors.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

const textEncoder = new TextEncoder();

/** A deterministic uint32 stream (xorshift32) standing in for the producer's randomness. */
function seededUint32(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

describe('murmur2', () => {
  it("matches the vectors of Kafka's UtilsTest.testMurmur2", () => {
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, expected] of vectors) expect(murmur2(textEncoder.encode(key)), key).toBe(expected);
  });

  it("matches kafkajs's default murmur2 for every tail length and for bytes above 0x7f", () => {
    const keys: Uint8Array[] = [new Uint8Array(0)];
    for (let length = 1; length <= 13; length++) {
      keys.push(Uint8Array.from({ length }, (_, i) => (i * 37 + length * 101) & 0xff));
      keys.push(new Uint8Array(length).fill(0xff));
    }
    for (const word of ['user-42', 'order:2024-01-01', 'ключ', '键', '🔑emoji']) keys.push(textEncoder.encode(word));
    for (const key of keys) expect(murmur2(key), Buffer.from(key).toString('hex')).toBe(kafkajsMurmur2(Buffer.from(key)));
  });

  it('toPositive clears the sign bit rather than negating', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-0x80000000)).toBe(0);
    expect(toPositive(5)).toBe(5);
  });
});

describe('keyed partitioning', () => {
  it('puts a key in toPositive(murmur2(key)) % partitionCount, like the Java client', () => {
    // murmur2("foobar") is -790332482 (Kafka's vector); the sign bit is cleared, then the modulo.
    const positive = -790332482 & 0x7fffffff;
    expect(positive).toBe(1357151166);
    for (const count of [1, 2, 3, 6, 7, 12, 100]) expect(partitionForKey('foobar', count)).toBe(positive % count);
  });

  it('a string key and its UTF-8 bytes go to the same partition', () => {
    expect(partitionForKey('ключ-7', 12)).toBe(partitionForKey(textEncoder.encode('ключ-7'), 12));
  });

  it('ignores availability: a keyed record never moves because a partition has no leader', () => {
    const partitioner = new Partitioner({ randomUint32: seededUint32(1) });
    const home = partitionForKey('foobar', 6);
    const others = [0, 1, 2, 3, 4, 5].filter((partition) => partition !== home);
    expect(partitioner.partition({ topic: 't', partitionCount: 6, key: 'foobar', availablePartitions: others })).toBe(home);
  });

  it('an explicit partition wins over the key, and an out-of-range one is refused', () => {
    const partitioner = new Partitioner({ randomUint32: seededUint32(1) });
    expect(partitioner.partition({ topic: 't', partitionCount: 6, key: 'foobar', partition: 5 })).toBe(5);
    expect(() => partitioner.partition({ topic: 't', partitionCount: 6, partition: 6 })).toThrow(LanesError);
    expect(() => partitioner.partition({ topic: 't', partitionCount: 6, partition: -1 })).toThrow(LanesError);
  });
});

describe('sticky partitioning of keyless records (KIP-480)', () => {
  it('keeps one partition until its batch is closed, then moves to a different one', () => {
    const partitioner = new Partitioner({ randomUint32: seededUint32(7) });
    const input = { topic: 'events', partitionCount: 8 };
    const first = partitioner.partition(input);
    for (let i = 0; i < 50; i++) expect(partitioner.partition(input)).toBe(first);
    partitioner.batchClosed({ ...input, partition: first });
    const second = partitioner.partition(input);
    expect(second).not.toBe(first);
    for (let i = 0; i < 50; i++) expect(partitioner.partition(input)).toBe(second);
  });

  it('closing a batch of another partition does not move the sticky one', () => {
    const partitioner = new Partitioner({ randomUint32: seededUint32(3) });
    const input = { topic: 'events', partitionCount: 8 };
    const current = partitioner.partition(input);
    partitioner.batchClosed({ ...input, partition: (current + 1) % 8 });
    expect(partitioner.partition(input)).toBe(current);
  });

  it('sticks per topic', () => {
    const partitioner = new Partitioner({ randomUint32: seededUint32(11) });
    const a = partitioner.partition({ topic: 'a', partitionCount: 16 });
    partitioner.batchClosed({ topic: 'b', partitionCount: 16, partition: a });
    expect(partitioner.partition({ topic: 'a', partitionCount: 16 })).toBe(a);
  });

  it('uses only available partitions, and leaves one that became unavailable', () => {
    const partitioner = new Partitioner({ randomUint32: seededUint32(5) });
    const first = partitioner.partition({ topic: 't', partitionCount: 4, availablePartitions: [1, 3] });
    expect([1, 3]).toContain(first);
    const other = first === 1 ? 3 : 1;
    expect(partitioner.partition({ topic: 't', partitionCount: 4, availablePartitions: [other] })).toBe(other);
  });

  it('with a single partition, closing its batch keeps it', () => {
    const partitioner = new Partitioner({ randomUint32: seededUint32(5) });
    expect(partitioner.partition({ topic: 't', partitionCount: 1 })).toBe(0);
    partitioner.batchClosed({ topic: 't', partitionCount: 1, partition: 0 });
    expect(partitioner.partition({ topic: 't', partitionCount: 1 })).toBe(0);
  });

  it('leaves a partition that no longer exists after the count shrank', () => {
    // Not a Kafka operation (partition counts only grow), but a stale cache must not point past the end.
    const partitioner = new Partitioner({ randomUint32: () => 0xffffffff });
    expect(partitioner.partition({ topic: 't', partitionCount: 8 })).toBe(7); // 0xffffffff % 8
    expect(partitioner.partition({ topic: 't', partitionCount: 4 })).toBeLessThan(4);
  });
});

describe('round-robin partitioning of keyless records', () => {
  it('visits every partition in turn', () => {
    const partitioner = new Partitioner({ nullKeyStrategy: 'round-robin', randomUint32: () => 5 });
    const seen = Array.from({ length: 8 }, () => partitioner.partition({ topic: 't', partitionCount: 4 }));
    expect(seen).toEqual([1, 2, 3, 0, 1, 2, 3, 0]);
  });

  it('visits only available partitions when some are', () => {
    const partitioner = new Partitioner({ nullKeyStrategy: 'round-robin', randomUint32: () => 0 });
    const seen = Array.from({ length: 4 }, () => partitioner.partition({ topic: 't', partitionCount: 6, availablePartitions: [2, 5] }));
    expect(seen).toEqual([2, 5, 2, 5]);
  });

  it('refuses an unknown strategy naming the option', () => {
    expect(() => new Partitioner({ nullKeyStrategy: 'random' as 'sticky', randomUint32: () => 0 })).toThrow(/nullKeyStrategy/);
  });
});
