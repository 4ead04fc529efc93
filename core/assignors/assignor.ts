// What every assignor takes and returns, and the checks they share.
//
// With the classic group protocol the broker does not assign partitions: the member the
// coordinator elects leader runs the assignor named by the group's protocol over every member's
// subscription and sends the result back in SyncGroup. In Lanes that leader is the embedded client
// (or a test). Assignors are pure: the same spec always yields the same assignment, whatever the
// order of `members`, because each one sorts members and topics itself.

import { assert, verify } from '../assert.js';
import type { ConsumerProtocolSubscription, TopicPartitions } from './consumer_protocol.js';

/**
 * Kafka's RebalanceProtocol. EAGER: every member revokes everything before it rejoins.
 * COOPERATIVE (KIP-429): members keep what they own while rejoining and revoke only what the
 * assignment takes away, then rejoin once more so the freed partitions can be handed out.
 */
export type RebalanceProtocol = 'EAGER' | 'COOPERATIVE';

export interface AssignorMember {
  readonly memberId: string;
  /** Static membership (KIP-345): when set, members are ordered by it rather than by member id. */
  readonly groupInstanceId?: string | null;
  readonly topics: readonly string[];
  /** Partitions the member holds now (subscription v1+); used by the sticky assignors only. */
  readonly ownedPartitions?: readonly TopicPartitions[];
  /** The generation `ownedPartitions` belong to (subscription v2+); −1 or absent when unknown. */
  readonly generationId?: number;
  /** Carried for rack-aware assignment (subscription v3+); no Lanes assignor uses it yet. */
  readonly rackId?: string | null;
}

export interface AssignmentSpec {
  readonly members: readonly AssignorMember[];
  /** Partition count of every topic that exists; subscribed topics missing here are skipped. */
  readonly partitionsPerTopic: ReadonlyMap<string, number>;
}

/** topic → partitions, topics in sorted order, partitions ascending; topics with none left out. */
export type MemberAssignment = Map<string, number[]>;

/** memberId → its assignment; every member of the spec is present, possibly with nothing. */
export type GroupAssignment = Map<string, MemberAssignment>;

export interface PartitionAssignor {
  /** The protocol name members list in JoinGroup. */
  readonly name: string;
  /** Supported rebalance protocols, preferred first (Kafka's `supportedProtocols()`). */
  readonly supportedProtocols: readonly RebalanceProtocol[];
  /** True when the assignor supports COOPERATIVE, i.e. it never moves a partition in one step. */
  readonly cooperative: boolean;
  assign(spec: AssignmentSpec): GroupAssignment;
}

/**
 * Java's String.compareTo: UTF-16 code units, no locale. Kafka sorts member ids and topic names
 * this way, and so must we to hand out the same partitions as a Java leader would.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Kafka's member order (MemberInfo.compareTo): static members first, by group instance id, then
 * dynamic members by member id. Instance ids survive restarts while member ids do not, so static
 * members keep their place, and with it their partitions, across restarts.
 */
export function compareMembers(a: AssignorMember, b: AssignorMember): number {
  const aInstance = a.groupInstanceId ?? null;
  const bInstance = b.groupInstanceId ?? null;
  if (aInstance !== null && bInstance !== null) return compareStrings(aInstance, bInstance);
  if (aInstance !== null) return -1;
  if (bInstance !== null) return 1;
  return compareStrings(a.memberId, b.memberId);
}

/** Preconditions every assignor asserts: a spec that breaks one is a bug in the caller. */
export function assertValidSpec(spec: AssignmentSpec): void {
  const memberIds = new Set<string>();
  for (const member of spec.members) {
    assert(!memberIds.has(member.memberId), `member ${member.memberId} appears twice`);
    memberIds.add(member.memberId);
  }
  for (const [topic, count] of spec.partitionsPerTopic) {
    assert(Number.isInteger(count), `topic ${topic}: partition count ${count} is not an integer`);
    assert(count >= 0, `topic ${topic}: partition count ${count} is negative`);
  }
}

/**
 * The topics a member subscribes to that exist, deduplicated. Kafka skips subscribed topics the
 * metadata does not know (they may not be created yet): the member is simply not assigned them.
 */
export function existingTopics(member: AssignorMember, partitionsPerTopic: ReadonlyMap<string, number>): Set<string> {
  const topics = new Set<string>();
  for (const topic of member.topics) if (partitionsPerTopic.has(topic)) topics.add(topic);
  return topics;
}

/**
 * Builds a GroupAssignment from per-member lists of (topic, partition), sorting topics and
 * partitions so that results compare equal whatever order the algorithm produced them in.
 */
export function buildGroupAssignment(
  spec: AssignmentSpec,
  partitionsByMember: ReadonlyMap<string, Map<string, number[]>>,
): GroupAssignment {
  const result: GroupAssignment = new Map();
  for (const member of spec.members) {
    const unsorted = partitionsByMember.get(member.memberId);
    const sorted: MemberAssignment = new Map();
    if (unsorted !== undefined) {
      for (const topic of [...unsorted.keys()].sort(compareStrings)) {
        const partitions = unsorted.get(topic) as number[];
        if (partitions.length > 0) sorted.set(topic, partitions.sort((a, b) => a - b));
      }
    }
    result.set(member.memberId, sorted);
  }
  return result;
}

/**
 * The postconditions of every assignor: each member of the spec is present; a partition goes to
 * at most one member (exactly one when `complete`), only to a member subscribed to its topic, and
 * only if it exists; partitions are sorted. Walks the whole assignment, so callers run it when
 * `verify` is on.
 */
export function assertValidAssignment(spec: AssignmentSpec, assignment: GroupAssignment, complete: boolean): void {
  assert(assignment.size === spec.members.length, `assignment has ${assignment.size} members, spec ${spec.members.length}`);
  const ownerByPartition = new Map<string, string>();
  for (const member of spec.members) {
    const memberAssignment = assignment.get(member.memberId);
    assert(memberAssignment !== undefined, `member ${member.memberId} is missing from the assignment`);
    const subscribed = existingTopics(member, spec.partitionsPerTopic);
    for (const [topic, partitions] of memberAssignment) {
      assert(subscribed.has(topic), `member ${member.memberId} was assigned ${topic} without subscribing to it`);
      const count = spec.partitionsPerTopic.get(topic) as number;
      partitions.forEach((partition, i) => {
        assert(partition >= 0 && partition < count, `${topic}-${partition} does not exist`);
        if (i > 0) assert(partitions[i - 1] < partition, `${member.memberId}: ${topic} partitions are not ascending`);
        const key = `${topic}\u0000${partition}`;
        const other = ownerByPartition.get(key);
        assert(other === undefined, `${topic}-${partition} assigned to both ${other} and ${member.memberId}`);
        ownerByPartition.set(key, member.memberId);
      });
    }
  }
  if (!complete) return;
  const subscribedTopics = new Set<string>();
  for (const member of spec.members) for (const topic of existingTopics(member, spec.partitionsPerTopic)) subscribedTopics.add(topic);
  let expected = 0;
  for (const topic of subscribedTopics) expected += spec.partitionsPerTopic.get(topic) as number;
  assert(ownerByPartition.size === expected, `${ownerByPartition.size} of ${expected} subscribed partitions assigned`);
}

/** Runs assertValidAssignment when costly checks are on; returns the assignment for chaining. */
export function verifiedAssignment(spec: AssignmentSpec, assignment: GroupAssignment, complete: boolean): GroupAssignment {
  if (verify) assertValidAssignment(spec, assignment, complete);
  return assignment;
}

/** A member's assignment as the ConsumerProtocolAssignment wants it. */
export function toTopicPartitions(assignment: MemberAssignment): TopicPartitions[] {
  return [...assignment].map(([topic, partitions]) => ({ topic, partitions }));
}

/** The assignor's view of a member, from its decoded JoinGroup metadata. */
export function memberFromSubscription(
  memberId: string,
  groupInstanceId: string | null,
  subscription: ConsumerProtocolSubscription,
): AssignorMember {
  return {
    memberId,
    groupInstanceId,
    topics: subscription.topics,
    ownedPartitions: subscription.ownedPartitions,
    generationId: subscription.generationId,
    rackId: subscription.rackId,
  };
}

/**
 * The protocol a consumer uses, given the assignors it offers (Kafka's ConsumerCoordinator rule):
 * COOPERATIVE only when every offered assignor supports it, because the group may select any of
 * them and an eager assignor can move a partition in one step.
 */
export function rebalanceProtocolFor(assignors: readonly PartitionAssignor[]): RebalanceProtocol {
  assert(assignors.length > 0, 'a consumer offers at least one assignor');
  return assignors.every((assignor) => assignor.supportedProtocols.includes('COOPERATIVE')) ? 'COOPERATIVE' : 'EAGER';
}
