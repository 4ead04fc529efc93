// The consumer-protocol groups as the rest of the coordinator sees them: ConsumerGroupDescribe,
// the classic APIs meeting a consumer group id (a group id is one or the other: JoinGroup takes
// over an empty consumer group and is refused INCONSISTENT_GROUP_PROTOCOL by one with members),
// DeleteGroups, and the member-epoch checks of OffsetCommit and OffsetFetch (v9+).

import { ErrorCode } from '../../errors.js';
import type { CoordinatorState } from '../coordinator_state.js';
import type { DescribedConsumerGroup } from '../group_api.js';
import type { ClassicGroup } from '../group.js';
import { emptyAssignment, type ConsumerGroup } from './consumer_group.js';
import { topicPartitions } from './consumer_heartbeat.js';
import { preferredAssignor } from './target_assignment.js';

/** Kafka's consumerGroupDescribe: unknown and classic ids are GROUP_ID_NOT_FOUND. */
export function describeConsumerGroup(s: CoordinatorState, groupId: string): DescribedConsumerGroup {
  const group = s.consumerGroups.get(groupId);
  const empty = { groupId, groupState: 'Dead', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [] };
  if (groupId === '') return { ...empty, errorCode: ErrorCode.INVALID_GROUP_ID, errorMessage: "GroupId can't be empty." };
  if (group === undefined) {
    const message = s.groups.has(groupId) ? `Group ${groupId} is not a consumer group.` : `Group ${groupId} not found.`;
    return { ...empty, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: message };
  }
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    groupId,
    groupState: group.state(),
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    assignorName: preferredAssignor(group, s.config.consumerAssignor),
    members: [...group.members.values()].map((member) => ({
      memberId: member.memberId,
      instanceId: member.instanceId,
      rackId: member.rackId,
      memberEpoch: member.memberEpoch,
      clientId: member.clientId,
      clientHost: member.clientHost,
      subscribedTopicNames: member.subscribedTopicNames,
      subscribedTopicRegex: member.subscribedTopicRegex,
      assignment: topicPartitions(member.assigned),
      targetAssignment: topicPartitions(group.target.get(member.memberId) ?? emptyAssignment),
    })),
  };
}

/**
 * A classic JoinGroup for an id a consumer group holds: refused while it has members (Lanes does
 * not mix the protocols in one group), else the empty consumer group gives way to a classic one
 * that keeps its offsets. Returns the error code to answer, or NONE to go on with the join.
 */
export function yieldToClassicJoin(s: CoordinatorState, groupId: string): number {
  const group = s.consumerGroups.get(groupId);
  if (group === undefined) return ErrorCode.NONE;
  if (group.members.size > 0) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
  const classic = s.createGroup(groupId);
  for (const [topic, partitions] of group.offsets) classic.offsets.set(topic, partitions);
  deleteConsumerGroupRecords(s, group);
  return ErrorCode.NONE;
}

/** DeleteGroups of a consumer group: only an empty one, with its offsets. */
export function deleteConsumerGroup(s: CoordinatorState, group: ConsumerGroup, deleteOffsets: (holder: ClassicGroup | ConsumerGroup) => void): number {
  if (group.members.size > 0) return ErrorCode.NON_EMPTY_GROUP;
  deleteOffsets(group);
  deleteConsumerGroupRecords(s, group);
  return ErrorCode.NONE;
}

function deleteConsumerGroupRecords(s: CoordinatorState, group: ConsumerGroup): void {
  s.consumerGroups.delete(group.groupId);
  s.record({ type: 'ConsumerGroup', groupId: group.groupId, value: null });
}

/**
 * Kafka's ConsumerGroup.validateOffsetCommit: epoch −1 without members is a simple commit;
 * anyone else must be a member (UNKNOWN_MEMBER_ID) at its current epoch (STALE_MEMBER_EPOCH).
 */
export function validateConsumerOffsetCommit(group: ConsumerGroup, memberId: string, memberEpoch: number): number {
  if (memberEpoch < 0 && group.members.size === 0) return ErrorCode.NONE;
  const member = group.members.get(memberId);
  if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (memberEpoch !== member.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
  return ErrorCode.NONE;
}

/** Kafka's ConsumerGroup.validateOffsetFetch (v9+): no member id and epoch −1 is an admin fetch. */
export function validateConsumerOffsetFetch(group: ConsumerGroup, memberId: string | null, memberEpoch: number): number {
  if (memberEpoch < 0 && (memberId === null || memberId === '')) return ErrorCode.NONE;
  const member = group.members.get(memberId ?? '');
  if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (memberEpoch !== member.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
  return ErrorCode.NONE;
}
