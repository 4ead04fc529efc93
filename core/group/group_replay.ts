// Loading the coordinator's state from its records, after Kafka's GroupCoordinatorShard.replay:
// each OffsetCommit record sets or (null value) deletes one committed offset, each GroupMetadata
// record replaces a group's membership (null: the group was deleted). Also the durable view of
// the groups (`snapshotOf`): what replaying the records must rebuild, for tests and compaction.

import { assertNever, verify } from '../assert.js';
import { compareNumbers, consumerRebalanceKey, consumerSessionKey, type CoordinatorState } from './coordinator_state.js';
import { ConsumerGroup, toAssignment } from './consumer/consumer_group.js';
import { ClassicGroup } from './group.js';
import type { GroupMetadataValue, GroupRecord } from './group_record.js';
import type { GroupState } from './group_state.js';

/**
 * Applies records in log order (after compaction or not). As Kafka does on load, a group with
 * members comes back Stable with the members as they were, and each member's session timer
 * starts at `s.nowMs`: members that are really gone expire then.
 */
export function replayRecords(s: CoordinatorState, records: Iterable<GroupRecord>): void {
  for (const record of records) applyRecord(s, record);
  // Vacant groups are forgotten once, at the end, not after each record: then a group's state
  // depends only on its latest metadata record and the latest record of each of its offsets,
  // whatever their order — what compaction (offsets_compaction.ts) relies on.
  for (const group of s.consumerGroups.values()) {
    // Offsets are replayed by group id into a classic group; a consumer group takes them back.
    const classic = s.groups.get(group.groupId);
    if (classic !== undefined && classic.members.size === 0) {
      for (const [topic, partitions] of classic.offsets) group.offsets.set(topic, partitions);
      s.groups.delete(group.groupId);
    }
    for (const member of group.members.values()) {
      s.schedule(consumerSessionKey(group.groupId, member.memberId), s.nowMs + s.config.consumerSessionTimeoutMs, {
        kind: 'consumerSession',
        groupId: group.groupId,
        memberId: member.memberId,
      });
      if (member.state === 'UNREVOKED_PARTITIONS') {
        s.schedule(consumerRebalanceKey(group.groupId, member.memberId), s.nowMs + member.rebalanceTimeoutMs, {
          kind: 'consumerRebalance',
          groupId: group.groupId,
          memberId: member.memberId,
          memberEpoch: member.memberEpoch,
        });
      }
    }
    if (verify) group.checkInvariants();
  }
  for (const group of s.groups.values()) s.forgetIfVacant(group);
  for (const group of s.groups.values()) {
    for (const member of group.members.values()) s.scheduleSession(group, member);
    if (verify) group.checkInvariants();
  }
}

function applyRecord(s: CoordinatorState, record: GroupRecord): void {
  switch (record.type) {
    case 'OffsetCommit': {
      const group = s.groups.get(record.groupId) ?? s.createGroup(record.groupId);
      if (record.value === null) group.offsets.remove(record.topic, record.partition);
      else group.offsets.record(record.topic, record.partition, record.value);
      return;
    }
    case 'GroupMetadata': {
      const previous = s.groups.get(record.groupId);
      const group = new ClassicGroup(record.groupId, s.nowMs);
      if (previous !== undefined) for (const [topic, partitions] of previous.offsets) group.offsets.set(topic, partitions);
      s.groups.set(record.groupId, group);
      if (record.value !== null) loadGroupMetadata(group, record.value);
      return;
    }
    case 'ConsumerGroup': {
      if (record.value === null) {
        s.consumerGroups.delete(record.groupId);
        return;
      }
      const group = consumerGroupFor(s, record.groupId);
      group.groupEpoch = record.value.groupEpoch;
      group.assignmentEpoch = record.value.assignmentEpoch;
      group.stateTimestampMs = record.value.stateTimestampMs;
      group.subscriptionMetadata = new Map(record.value.subscriptionMetadata);
      return;
    }
    case 'ConsumerMember': {
      const group = consumerGroupFor(s, record.groupId);
      if (group.members.has(record.memberId)) group.remove(record.memberId);
      if (record.value === null) return;
      const { target, ...stored } = record.value;
      group.put({
        ...stored,
        memberId: record.memberId,
        assigned: toAssignment(stored.assigned),
        pendingRevocation: toAssignment(stored.pendingRevocation),
      });
      const targeted = toAssignment(target);
      if (targeted.size > 0) group.target.set(record.memberId, targeted);
      return;
    }
    default:
      assertNever(record, 'group record');
  }
}

function consumerGroupFor(s: CoordinatorState, groupId: string): ConsumerGroup {
  let group = s.consumerGroups.get(groupId);
  if (group === undefined) {
    group = new ConsumerGroup(groupId, s.nowMs);
    s.consumerGroups.set(groupId, group);
  }
  return group;
}

function loadGroupMetadata(group: ClassicGroup, value: GroupMetadataValue): void {
  group.generationId = value.generationId;
  group.stateTimestampMs = value.currentStateTimestampMs;
  for (const stored of value.members) {
    group.add({
      memberId: stored.memberId,
      groupInstanceId: stored.groupInstanceId,
      clientId: stored.clientId,
      clientHost: stored.clientHost,
      protocolType: value.protocolType,
      sessionTimeoutMs: stored.sessionTimeoutMs,
      rebalanceTimeoutMs: stored.rebalanceTimeoutMs,
      protocols: stored.protocols,
      assignment: stored.assignment,
      joinRequestId: null,
      syncRequestId: null,
    });
  }
  // A record's leader and type win over what adding the members inferred.
  group.protocolType = value.protocolType === '' ? null : value.protocolType;
  group.leaderId = value.leader;
  if (group.members.size > 0) {
    group.protocolName = value.protocolName;
    // Loaded groups with members resume Stable, without passing through a rebalance.
    group.state = 'Stable';
    group.previousState = 'Empty';
  }
}

export interface GroupSnapshot {
  readonly groupId: string;
  readonly state: GroupState;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly leaderId: string | null;
  readonly members: readonly {
    readonly memberId: string;
    readonly groupInstanceId: string | null;
    readonly clientId: string;
    readonly clientHost: string;
    readonly sessionTimeoutMs: number;
    readonly rebalanceTimeoutMs: number;
    readonly protocols: readonly { readonly name: string; readonly metadata: Uint8Array }[];
    readonly assignment: Uint8Array;
  }[];
  readonly offsets: readonly {
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    readonly leaderEpoch: number;
    readonly metadata: string | null;
    readonly commitTimestampMs: number;
  }[];
}

export function snapshotOf(group: ClassicGroup): GroupSnapshot {
  const offsets = [];
  for (const topic of [...group.offsets.keys()].sort()) {
    const partitions = group.offsets.get(topic) ?? new Map();
    for (const partition of [...partitions.keys()].sort(compareNumbers)) {
      offsets.push({ topic, partition, ...partitions.get(partition) });
    }
  }
  return {
    groupId: group.groupId,
    state: group.state,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leaderId: group.leaderId,
    members: [...group.members.values()].map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      sessionTimeoutMs: member.sessionTimeoutMs,
      rebalanceTimeoutMs: member.rebalanceTimeoutMs,
      protocols: member.protocols.map((protocol) => ({ name: protocol.name, metadata: protocol.metadata })),
      assignment: member.assignment,
    })),
    offsets,
  };
}
