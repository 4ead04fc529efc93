// What the producers of a scenario write, as rates per partition rather than records: each
// producer's keys are hashed once with Kafka's partitioner (murmur2 over the key bytes, modulo
// the partition count), which gives every partition its share of the producer's rate. A
// partition's log end offset is then a piecewise-linear function of time, changing slope only
// when partitions are added (keys rehash over the new count, as Kafka's partitioner does). This
// is what lets an hour at a million records a second cost a few thousand steps.

import { assert } from '../assert.js';
import { partitionForKey } from '../client/partitioner.js';
import { partitionName } from './report.js';
import type { KeyDistribution, ProducerSpec, Scenario } from './scenario.js';

/** The key of rank `index` (0-based): the bytes the partitioner hashes. */
export function labKey(index: number): string {
  return `key-${index}`;
}

/** Each partition's share (summing to 1) of a producer's records, over `partitions` partitions. */
export function partitionShares(keys: KeyDistribution, partitions: number): number[] {
  const shares = new Array<number>(partitions).fill(0);
  const add = (keyIndex: number, weight: number) => {
    shares[partitionForKey(labKey(keyIndex), partitions)] += weight;
  };
  switch (keys.kind) {
    case 'none':
      // Null keys: the sticky partitioner fills one batch per partition in turn; over any stretch
      // longer than a few batches that is an even spread.
      return shares.fill(1 / partitions);
    case 'uniform':
      for (let index = 0; index < keys.count; index++) add(index, 1 / keys.count);
      return shares;
    case 'zipf': {
      let total = 0;
      for (let rank = 1; rank <= keys.count; rank++) total += rank ** -keys.exponent;
      for (let rank = 1; rank <= keys.count; rank++) add(rank - 1, rank ** -keys.exponent / total);
      return shares;
    }
    case 'hot':
      if (keys.count === 1) {
        add(0, 1);
        return shares;
      }
      add(0, keys.hotShare);
      for (let index = 1; index < keys.count; index++) add(index, (1 - keys.hotShare) / (keys.count - 1));
      return shares;
  }
}

interface PartitionLine {
  /** Records in the log at `sinceMs`. */
  base: number;
  sinceMs: number;
  /** Records per ms from `sinceMs` on. */
  ratePerMs: number;
}

/** Every partition's log end offset over time. */
export class Production {
  private readonly counts = new Map<string, number>();
  private readonly lines = new Map<string, PartitionLine>();
  private readonly producers: readonly ProducerSpec[];
  private readonly sharesCache = new Map<string, number[]>();

  constructor(scenario: Scenario) {
    this.producers = scenario.producers;
    for (const topic of scenario.topics) this.counts.set(topic.name, topic.partitions);
    for (const topic of scenario.topics) this.retopic(topic.name, 0);
  }

  partitionCount(topic: string): number | undefined {
    return this.counts.get(topic);
  }

  partitionCounts(): ReadonlyMap<string, number> {
    return this.counts;
  }

  /** Every partition's name ("topic-p"), topics in scenario order, partitions ascending. */
  partitionNames(): string[] {
    return [...this.counts].flatMap(([topic, count]) => Array.from({ length: count }, (_, partition) => partitionName(topic, partition)));
  }

  /** Records produced to the partition by `atMs` (fractional: the integer part is the log end offset). */
  logEnd(partition: string, atMs: number): number {
    const line = this.lines.get(partition);
    if (line === undefined) return 0;
    return line.base + line.ratePerMs * Math.max(0, atMs - line.sinceMs);
  }

  /** The topic grows to `partitions` partitions at `atMs`; keyed records rehash over the new count. */
  addPartitions(topic: string, partitions: number, atMs: number): void {
    const now = this.counts.get(topic);
    assert(now !== undefined && partitions > now, `addPartitions ${topic} to ${partitions}`);
    this.counts.set(topic, partitions);
    this.retopic(topic, atMs);
  }

  private retopic(topic: string, atMs: number): void {
    const count = this.counts.get(topic) ?? 0;
    const rates = new Array<number>(count).fill(0);
    this.producers.forEach((producer, index) => {
      if (producer.topic !== topic) return;
      const cacheKey = `${index}/${count}`;
      let shares = this.sharesCache.get(cacheKey);
      if (shares === undefined) {
        shares = partitionShares(producer.keys, count);
        this.sharesCache.set(cacheKey, shares);
      }
      for (let partition = 0; partition < count; partition++) rates[partition] += (producer.ratePerSec / 1000) * shares[partition];
    });
    for (let partition = 0; partition < count; partition++) {
      const name = partitionName(topic, partition);
      this.lines.set(name, { base: this.logEnd(name, atMs), sinceMs: atMs, ratePerMs: rates[partition] });
    }
  }
}
