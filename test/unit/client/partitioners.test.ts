// KafkaJS's Partitioners, as Lanes exports them for `createPartitioner`, must place every keyed
// message exactly where KafkaJS 2.2.4's own do (DefaultPartitioner: Java's murmur2; the legacy
// one: KafkaJS 1.x's floating-point murmur2, which differs from Java for most keys), honour an
// explicit partition, and spread keyless messages round-robin over the partitions with a leader.
// Method: fast-check keys and partition counts, KafkaJS's partitioners run beside ours.

import fc from 'fast-check';
import { Partitioners as KafkaJSPartitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { Partitioners } from '../../../actors/client/partitioners.js';
import type { PartitionMetadata } from '../../../actors/client/types.js';

function metadata(count: number, leaderless: readonly number[] = []): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: leaderless.includes(partitionId) ? -1 : 0, replicas: [0], isr: [0], offlineReplicas: [] }));
}

const keys = fc.oneof(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)));

describe('Partitioners (KafkaJS parity)', () => {
  for (const name of ['DefaultPartitioner', 'LegacyPartitioner', 'JavaCompatiblePartitioner'] as const) {
    it(`${name} puts every key where KafkaJS 2.2.4's ${name} does`, () => {
      const ours = Partitioners[name]();
      const theirs = KafkaJSPartitioners[name]();
      fc.assert(
        fc.property(keys, fc.integer({ min: 1, max: 64 }), (key, count) => {
          const args = { topic: 't', partitionMetadata: metadata(count), message: { key, value: null } };
          expect(ours(args)).toBe(theirs(args as never));
        }),
        { numRuns: 2_000 },
      );
    });
  }

  it('the legacy hash differs from Java’s for some keys, so the two are not interchangeable', () => {
    const legacy = Partitioners.LegacyPartitioner();
    const java = Partitioners.DefaultPartitioner();
    const differing = Array.from({ length: 100 }, (_, i) => `key-${i}`).filter(
      (key) => legacy({ topic: 't', partitionMetadata: metadata(1000), message: { key, value: null } }) !== java({ topic: 't', partitionMetadata: metadata(1000), message: { key, value: null } }),
    );
    expect(differing.length).toBeGreaterThan(50);
  });

  it('an explicit partition wins; keyless messages go round-robin over partitions with a leader', () => {
    for (const create of [Partitioners.DefaultPartitioner, Partitioners.LegacyPartitioner]) {
      const partition = create();
      expect(partition({ topic: 't', partitionMetadata: metadata(4), message: { key: 'k', value: null, partition: 3 } })).toBe(3);
      const chosen = Array.from({ length: 8 }, () => partition({ topic: 't', partitionMetadata: metadata(4, [1, 2]), message: { value: null } }));
      expect(new Set(chosen)).toEqual(new Set([0, 3]));
      // Alternating: each keyless message takes the next available partition.
      for (let i = 1; i < chosen.length; i++) expect(chosen[i]).not.toBe(chosen[i - 1]);
    }
  });
});
