import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TopicRegistry } from '../../../actors/host/topic_registry.js';
import { shardForGroup, shardForPartition } from '../../../actors/host/shard_router.js';
import { ErrorCode } from '../../../core/errors.js';
import { codeOf } from '../../support/error_code.js';

const config = { retentionMs: -1, retentionBytes: -1, segmentBytes: 1 << 20, maxMessageBytes: 1 << 20 };

describe('shard placement', () => {
  it('is a pure function of the ids and the shard count', () => {
    expect(shardForPartition('orders', 3, 4)).toBe(shardForPartition('orders', 3, 4));
    expect(shardForGroup('order-processor', 2)).toBe(shardForGroup('order-processor', 2));
  });

  it('spreads one topic’s partitions over every shard', () => {
    const shards = new Set(Array.from({ length: 8 }, (_, p) => shardForPartition('orders', p, 4)));
    expect(shards).toEqual(new Set([0, 1, 2, 3]));
  });
});

describe('TopicRegistry', () => {
  it('refuses illegal names, duplicates and zero partitions with Kafka codes', () => {
    const registry = new TopicRegistry({ shardCount: 2, actorIdsMax: 16, dataDir: null });
    expect(codeOf(() => registry.add('bad name', 1, config))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(codeOf(() => registry.add('..', 1, config))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    registry.add('orders', 2, config);
    expect(codeOf(() => registry.add('orders', 2, config))).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(codeOf(() => registry.add('empty', 0, config))).toBe(ErrorCode.INVALID_PARTITIONS);
  });

  it('gives every partition its own actor id, reuses ids of deleted topics, and stops at the cap', () => {
    const registry = new TopicRegistry({ shardCount: 2, actorIdsMax: 4, dataDir: null });
    const a = registry.add('a', 3, config);
    expect(a.partitions.map((p) => p.actorId)).toEqual([0, 1, 2]);
    expect(codeOf(() => registry.add('b', 2, config))).toBe(ErrorCode.INVALID_PARTITIONS);
    registry.remove('a');
    const b = registry.add('b', 4, config);
    expect(new Set(b.partitions.map((p) => p.actorId))).toEqual(new Set([0, 1, 2, 3]));
  });

  it('survives a restart from its file, with placement recomputed for a new shard count', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lanes-topics-'));
    try {
      const first = new TopicRegistry({ shardCount: 2, actorIdsMax: 16, dataDir });
      first.add('orders', 4, config);
      first.grow('orders', 6);
      const second = new TopicRegistry({ shardCount: 3, actorIdsMax: 16, dataDir });
      const orders = second.get('orders')!;
      expect(orders.partitions.map((p) => p.actorId)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(orders.partitions.map((p) => p.shard)).toEqual(orders.partitions.map((p) => shardForPartition('orders', p.partition, 3)));
      expect(second.add('next', 1, config).partitions[0].actorId).toBe(6);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
