// A group's committed offsets, topic → partition → the last commit, held alike by classic and
// consumer-protocol groups (and carried from one to the other when a group changes protocol). An
// empty topic is never kept, so `size` is the number of topics with a commit and a group without
// members or commits can be dropped.
import type { OffsetCommitValue } from './group_record.js';

export class CommittedOffsets extends Map<string, Map<number, OffsetCommitValue>> {
  /** The partition's last commit, if any. */
  of(topic: string, partition: number): OffsetCommitValue | undefined {
    return this.get(topic)?.get(partition);
  }

  record(topic: string, partition: number, value: OffsetCommitValue): void {
    let partitions = this.get(topic);
    if (partitions === undefined) {
      partitions = new Map();
      this.set(topic, partitions);
    }
    partitions.set(partition, value);
  }

  /** Forgets the partition's commit; false when it had none. */
  remove(topic: string, partition: number): boolean {
    const partitions = this.get(topic);
    if (partitions === undefined || !partitions.delete(partition)) return false;
    if (partitions.size === 0) this.delete(topic);
    return true;
  }
}
