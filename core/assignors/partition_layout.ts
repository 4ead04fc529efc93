// Dense numbering of members and partitions for the sticky assignors, which touch every partition
// several times: typed arrays indexed by partition number beat maps keyed by "topic-partition"
// strings by an order of magnitude at 10,000 partitions.
//
//   topics (sorted)      t0            t1       t2
//   partition index      0 1 2 3       4 5      6 7 8
//   topicBase            [0,           4,       6,       9]   (one more entry than topics)
//
// Only topics some member subscribes to (and that exist) are numbered; members are numbered in
// Kafka's member order (compareMembers), so ties broken "by lowest index" are deterministic.

import { assert } from '../assert.js';
import { compareMembers, compareStrings, existingTopics, type AssignmentSpec, type AssignorMember } from './assignor.js';

export interface PartitionLayout {
  /** Members in Kafka's order; a member's index is its position here. */
  readonly members: readonly AssignorMember[];
  /** Sorted union of the existing topics members subscribe to. */
  readonly topics: readonly string[];
  readonly topicIndex: ReadonlyMap<string, number>;
  /** Partitions of topic t are the indexes [topicBase[t], topicBase[t + 1]). */
  readonly topicBase: Int32Array;
  /** Topic of each partition index. */
  readonly topicOf: Int32Array;
  readonly partitionCount: number;
  /** Per member, the indexes of the topics it subscribes to (existing ones only). */
  readonly subscriptions: readonly ReadonlySet<number>[];
}

export function buildPartitionLayout(spec: AssignmentSpec): PartitionLayout {
  const members = [...spec.members].sort(compareMembers);
  const topicSets = members.map((member) => existingTopics(member, spec.partitionsPerTopic));
  const union = new Set<string>();
  for (const topics of topicSets) for (const topic of topics) union.add(topic);
  const topics = [...union].sort(compareStrings);
  const topicIndex = new Map(topics.map((topic, t) => [topic, t]));

  const topicBase = new Int32Array(topics.length + 1);
  topics.forEach((topic, t) => {
    topicBase[t + 1] = topicBase[t] + (spec.partitionsPerTopic.get(topic) as number);
  });
  const partitionCount = topicBase[topics.length];
  const topicOf = new Int32Array(partitionCount);
  for (let t = 0; t < topics.length; t++) topicOf.fill(t, topicBase[t], topicBase[t + 1]);

  const subscriptions = topicSets.map((topicSet) => new Set([...topicSet].map((topic) => topicIndex.get(topic) as number)));
  return { members, topics, topicIndex, topicBase, topicOf, partitionCount, subscriptions };
}

/** The index of (topic, partition), or −1 when the layout does not hold it. */
export function partitionIndexOf(layout: PartitionLayout, topic: string, partition: number): number {
  const t = layout.topicIndex.get(topic);
  if (t === undefined) return -1;
  if (!Number.isInteger(partition) || partition < 0) return -1;
  const index = layout.topicBase[t] + partition;
  return index < layout.topicBase[t + 1] ? index : -1;
}

/**
 * Turns an owner per partition index (−1 = nobody) into per-member lists in the shape
 * buildGroupAssignment takes. Partitions come out ascending because indexes are visited in order.
 */
export function partitionsByMemberOf(layout: PartitionLayout, owner: Int32Array): Map<string, Map<string, number[]>> {
  assert(owner.length === layout.partitionCount, `owner has ${owner.length} entries for ${layout.partitionCount} partitions`);
  const byMember = layout.members.map(() => new Map<string, number[]>());
  for (let index = 0; index < owner.length; index++) {
    const m = owner[index];
    if (m === -1) continue;
    assert(m >= 0 && m < layout.members.length, `partition ${index} owned by unknown member ${m}`);
    const t = layout.topicOf[index];
    const topic = layout.topics[t];
    const partitions = byMember[m].get(topic);
    const partition = index - layout.topicBase[t];
    if (partitions === undefined) byMember[m].set(topic, [partition]);
    else partitions.push(partition);
  }
  return new Map(layout.members.map((member, m) => [member.memberId, byMember[m]]));
}
