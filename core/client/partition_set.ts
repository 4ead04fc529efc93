// A set of (topic, partition) pairs: what a member owns, was assigned, must revoke. Listings come
// out sorted (topics as Java compares strings, partitions ascending) so that callbacks, requests
// and test expectations are deterministic whatever order partitions arrived in.

import { assert } from '../assert.js';
import { compareStrings } from '../assignors/assignor.js';
import type { TopicPartitions } from '../assignors/consumer_protocol.js';

export class PartitionSet {
  private readonly partitionsByTopic = new Map<string, Set<number>>();
  private count = 0;

  static of(list: readonly TopicPartitions[]): PartitionSet {
    const set = new PartitionSet();
    for (const { topic, partitions } of list) for (const partition of partitions) set.add(topic, partition);
    return set;
  }

  get size(): number {
    return this.count;
  }

  has(topic: string, partition: number): boolean {
    return this.partitionsByTopic.get(topic)?.has(partition) ?? false;
  }

  add(topic: string, partition: number): void {
    assert(Number.isInteger(partition) && partition >= 0, `${topic}: partition ${partition} is not a partition index`);
    let partitions = this.partitionsByTopic.get(topic);
    if (partitions === undefined) {
      partitions = new Set();
      this.partitionsByTopic.set(topic, partitions);
    }
    if (partitions.has(partition)) return;
    partitions.add(partition);
    this.count++;
  }

  delete(topic: string, partition: number): void {
    const partitions = this.partitionsByTopic.get(topic);
    if (partitions === undefined || !partitions.delete(partition)) return;
    this.count--;
    if (partitions.size === 0) this.partitionsByTopic.delete(topic);
    assert(this.count >= 0, 'partition count went negative');
  }

  addAll(other: PartitionSet): void {
    other.forEach((topic, partition) => this.add(topic, partition));
  }

  deleteAll(other: PartitionSet): void {
    other.forEach((topic, partition) => this.delete(topic, partition));
  }

  /** The members of this set that are not in `other`. */
  minus(other: PartitionSet): PartitionSet {
    const result = new PartitionSet();
    this.forEach((topic, partition) => {
      if (!other.has(topic, partition)) result.add(topic, partition);
    });
    return result;
  }

  /** The members of this set whose topic satisfies `keep`. */
  filterTopics(keep: (topic: string) => boolean): PartitionSet {
    const result = new PartitionSet();
    this.forEach((topic, partition) => {
      if (keep(topic)) result.add(topic, partition);
    });
    return result;
  }

  topics(): string[] {
    return [...this.partitionsByTopic.keys()].sort(compareStrings);
  }

  forEach(visit: (topic: string, partition: number) => void): void {
    for (const [topic, partitions] of this.partitionsByTopic) for (const partition of partitions) visit(topic, partition);
  }

  copy(): PartitionSet {
    const result = new PartitionSet();
    result.addAll(this);
    return result;
  }

  /** Sorted topics, each with its partitions ascending; topics without partitions left out. */
  toList(): TopicPartitions[] {
    return this.topics().map((topic) => ({
      topic,
      partitions: [...(this.partitionsByTopic.get(topic) as Set<number>)].sort((a, b) => a - b),
    }));
  }
}
