// The leader's half of a rebalance: decode every member's subscription from the JoinGroup
// response, run the group's assignor, encode each member's assignment for SyncGroup. Also the
// metadata snapshot the leader keeps, so that a partition count change (or a subscribed topic
// appearing) makes it start a new rebalance, as Java's ConsumerCoordinator does.

import { assert } from '../assert.js';
import { compareStrings, memberFromSubscription, toTopicPartitions, type AssignorMember, type PartitionAssignor } from '../assignors/assignor.js';
import {
  consumerProtocolVersionMax,
  decodeStickyUserData,
  decodeSubscription,
  encodeAssignment,
  type ConsumerProtocolSubscription,
} from '../assignors/consumer_protocol.js';
import type { JoinGroupResponseMember, SyncGroupAssignment } from '../group/group_api.js';

export interface LeaderAssignment {
  readonly assignments: SyncGroupAssignment[];
  /** Every topic some member subscribes to, sorted. */
  readonly groupTopics: string[];
  /** topic → partition count for the group's topics that exist, as the assignor saw them. */
  readonly metadataSnapshot: Map<string, number>;
}

/** Assignors whose members may carry StickyAssignorUserData (Java's sticky, librdkafka's both). */
const stickyUserDataProtocols: ReadonlySet<string> = new Set(['sticky', 'cooperative-sticky']);

/**
 * Runs `assignor` over the members. Throws LanesError(INCONSISTENT_GROUP_PROTOCOL) when a member's
 * metadata cannot be decoded: that member does not speak the protocol the group chose.
 */
export function assignAsLeader(
  assignor: PartitionAssignor,
  members: readonly JoinGroupResponseMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): LeaderAssignment {
  assert(members.length > 0, 'the leader is one of the members it assigns');
  const subscriptions = members.map((member) => decodeSubscription(member.metadata));
  const assignorMembers = members.map((member, i) => assignorMemberOf(assignor.name, member, subscriptions[i]));
  const groupTopics = [...new Set(subscriptions.flatMap((subscription) => subscription.topics))].sort(compareStrings);
  const metadataSnapshot = metadataSnapshotOf(groupTopics, partitionsPerTopic);
  const assignment = assignor.assign({ members: assignorMembers, partitionsPerTopic: metadataSnapshot });
  // Every member understands an assignment of the lowest subscription version in the group.
  const version = Math.min(consumerProtocolVersionMax, ...subscriptions.map((subscription) => subscription.version));
  const assignments = members.map((member) => {
    const memberAssignment = assignment.get(member.memberId);
    assert(memberAssignment !== undefined, `the assignor left out member ${member.memberId}`);
    return { memberId: member.memberId, assignment: encodeAssignment({ version, assignedPartitions: toTopicPartitions(memberAssignment) }) };
  });
  return { assignments, groupTopics, metadataSnapshot };
}

/**
 * The assignor's view of one member. Subscriptions older than v2 carry no generation, and an eager
 * Java StickyAssignor member reports what it held only in its user data, so for the sticky
 * protocols the user data fills those gaps (core/assignors/README.md). User data that does not
 * parse is ignored: it only costs stickiness, never correctness.
 */
function assignorMemberOf(protocolName: string, member: JoinGroupResponseMember, subscription: ConsumerProtocolSubscription): AssignorMember {
  const base = memberFromSubscription(member.memberId, member.groupInstanceId, subscription);
  if (!stickyUserDataProtocols.has(protocolName) || subscription.userData === null) return base;
  const needsGeneration = subscription.version < 2;
  const needsOwned = subscription.ownedPartitions.length === 0;
  if (!needsGeneration && !needsOwned) return base;
  let userData;
  try {
    userData = decodeStickyUserData(subscription.userData);
  } catch {
    return base;
  }
  return {
    ...base,
    ownedPartitions: needsOwned ? userData.previousAssignment : base.ownedPartitions,
    generationId: needsGeneration ? userData.generationId : base.generationId,
  };
}

/** Partition counts of `topics` that exist in `partitionsPerTopic`. */
export function metadataSnapshotOf(topics: Iterable<string>, partitionsPerTopic: ReadonlyMap<string, number>): Map<string, number> {
  const snapshot = new Map<string, number>();
  for (const topic of topics) {
    const count = partitionsPerTopic.get(topic);
    if (count !== undefined) snapshot.set(topic, count);
  }
  return snapshot;
}

export function sameMetadataSnapshot(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [topic, count] of a) if (b.get(topic) !== count) return false;
  return true;
}
