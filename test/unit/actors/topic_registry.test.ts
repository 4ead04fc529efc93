import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TopicRegistry } from '../../../actors/host/topic_registry.js';
import { shardForGroup, shardForPartition } from '../../../actors/host/shard_router.js';
import { ErrorCode } from '../../../core/errors.js';
import { codeOf } from '../../support/error_code.js';

const config = { retentionMs: -1, retentionBytes: -1, segmentBytes: 1 << 20, segmentMs: 604_800_000, maxMessageBytes: 1 << 20 };

/** Reserve then commit: what the broker does once every partition is open. */
function add(registry: TopicRegistry, name: string, partitions: number) {
  const entry = registry.reserveTopic(name, partitions, config);
  registry.commit(entry.name);
  return entry;
}

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
    expect(codeOf(() => add(registry, 'bad name', 1))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(codeOf(() => add(registry, '..', 1))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    add(registry, 'orders', 2);
    expect(codeOf(() => add(registry, 'orders', 2))).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(codeOf(() => add(registry, 'empty', 0))).toBe(ErrorCode.INVALID_PARTITIONS);
  });

  it('keeps names starting with "__" for internal topics (Kafka\'s rule), saying so', () => {
    const registry = new TopicRegistry({ shardCount: 1, actorIdsMax: 16, dataDir: null });
    for (const name of ['__consumer_offsets', '__anything']) {
      expect(() => add(registry, name, 1)).toThrow(/reserved: names starting with "__" are for internal topics/);
      expect(codeOf(() => add(registry, name, 1))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    }
    expect(add(registry, '_single', 1).name).toBe('_single');
  });

  it('saves and shows a topic only when committed; an aborted one leaves no trace and frees its ids', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lanes-topics-'));
    try {
      const registry = new TopicRegistry({ shardCount: 2, actorIdsMax: 4, dataDir });
      const reserved = registry.reserveTopic('orders', 4, config);
      expect(registry.get('orders')).toBeUndefined();
      expect(codeOf(() => registry.reserveTopic('orders', 1, config))).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
      expect(new TopicRegistry({ shardCount: 2, actorIdsMax: 4, dataDir }).list()).toEqual([]);
      registry.abort(reserved.name);
      expect(registry.list()).toEqual([]);
      add(registry, 'orders', 3);
      registry.reserveGrowth('orders', 4);
      expect(registry.get('orders')!.partitions).toHaveLength(3);
      registry.abort('orders');
      expect(new TopicRegistry({ shardCount: 2, actorIdsMax: 4, dataDir }).get('orders')!.partitions).toHaveLength(3);
      // The cap is 4 actor ids: the aborted growth gave its one back.
      const orders = registry.get('orders')!.partitions.map((p) => p.actorId);
      expect(orders).not.toContain(add(registry, 'more', 1).partitions[0].actorId);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('gives every partition its own actor id, reuses ids of deleted topics, and stops at the cap', () => {
    const registry = new TopicRegistry({ shardCount: 2, actorIdsMax: 4, dataDir: null });
    const a = add(registry, 'a', 3);
    expect(a.partitions.map((p) => p.actorId)).toEqual([0, 1, 2]);
    expect(codeOf(() => add(registry, 'b', 2))).toBe(ErrorCode.INVALID_PARTITIONS);
    registry.remove('a');
    const b = add(registry, 'b', 4);
    expect(new Set(b.partitions.map((p) => p.actorId))).toEqual(new Set([0, 1, 2, 3]));
  });

  it('survives a restart from its file, with placement recomputed for a new shard count', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lanes-topics-'));
    try {
      const first = new TopicRegistry({ shardCount: 2, actorIdsMax: 16, dataDir });
      add(first, 'orders', 4);
      first.reserveGrowth('orders', 6);
      first.commit('orders');
      const second = new TopicRegistry({ shardCount: 3, actorIdsMax: 16, dataDir });
      const orders = second.get('orders')!;
      expect(orders.partitions.map((p) => p.actorId)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(orders.partitions.map((p) => p.shard)).toEqual(orders.partitions.map((p) => shardForPartition('orders', p.partition, 3)));
      expect(add(second, 'next', 1).partitions[0].actorId).toBe(6);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('gives each topic a random id that survives a restart; a re-created name gets a new one', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lanes-topics-'));
    try {
      const registry = new TopicRegistry({ shardCount: 1, actorIdsMax: 8, dataDir });
      const first = add(registry, 'orders', 1);
      expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const reopened = new TopicRegistry({ shardCount: 1, actorIdsMax: 8, dataDir });
      expect(reopened.get('orders')?.id).toBe(first.id);
      expect(reopened.getById(first.id)?.name).toBe('orders');
      reopened.remove('orders');
      expect(reopened.getById(first.id)).toBeUndefined();
      const again = add(reopened, 'orders', 1);
      expect(again.id).not.toBe(first.id);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps a topic\'s id when its configs are replaced, and both its id and its configs across a restart', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lanes-topics-'));
    try {
      const registry = new TopicRegistry({ shardCount: 1, actorIdsMax: 8, dataDir });
      const { id } = add(registry, 'orders', 1);
      const changed = registry.setConfig('orders', { ...config, retentionMs: 5000 }, { 'retention.ms': '5000' });
      expect(changed.id).toBe(id);
      expect(registry.getById(id)?.overrides).toEqual({ 'retention.ms': '5000' });
      const reopened = new TopicRegistry({ shardCount: 1, actorIdsMax: 8, dataDir });
      expect(reopened.get('orders')).toMatchObject({ id, overrides: { 'retention.ms': '5000' }, config: { retentionMs: 5000 } });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('never hands out an id twice, even when the generator repeats itself', () => {
    const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
    const registry = new TopicRegistry({ shardCount: 1, actorIdsMax: 8, dataDir: null, newTopicId: () => ids.shift()! });
    expect([add(registry, 'a', 1).id, add(registry, 'b', 1).id]).toEqual(['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']);
  });

  it('gives the topics of a catalogue saved before ids existed an id on load, and saves it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lanes-topics-'));
    try {
      const partitions = [{ partition: 0, actorId: 0, shard: 0 }];
      writeFileSync(join(dataDir, 'topics.json'), JSON.stringify({ version: 1, topics: [{ name: 'old', config, partitions }] }));
      const id = new TopicRegistry({ shardCount: 1, actorIdsMax: 8, dataDir }).get('old')?.id;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(new TopicRegistry({ shardCount: 1, actorIdsMax: 8, dataDir }).get('old')?.id).toBe(id);
      writeFileSync(join(dataDir, 'topics.json'), JSON.stringify({ version: 1, topics: [{ name: 'bad', id: 'not-a-uuid', config, partitions }] }));
      expect(() => new TopicRegistry({ shardCount: 1, actorIdsMax: 8, dataDir })).toThrow(/invalid or repeated id/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
