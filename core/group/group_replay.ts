// Loading the coordinator's state from its records, after Kafka's GroupCoordinatorShard.replay:
// each OffsetCommit record sets or (null value) deletes one committed offset, each GroupMetadata
// record replaces a group's membership (null: the group was deleted). Also the durable view of
// the groups (`snapshotOf`): what replaying the records must rebuild, for tests and compaction.

import { assertNever, verify } from '../assert.js';
import { compareNumbers, type CoordinatorState } from './coordinator_state.js';
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
      if (record.value === null) group.deleteCommittedOffset(record.topic, record.partition);
      else group.setCommittedOffset(record.topic, record.partition, record.value);
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
    default:
      assertNever(record, 'group record');
  }
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
