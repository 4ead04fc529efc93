// The durable view of a consumer-protocol group: what replaying its records must rebuild (the
// replay and compaction tests compare it before and after).

import { compareNumbers } from '../coordinator_state.js';
import type { ConsumerMemberValue } from '../group_record.js';
import type { ConsumerGroup, ConsumerMember } from './consumer_group.js';
import { memberValue } from './consumer_heartbeat.js';

export interface ConsumerGroupSnapshot {
  readonly groupId: string;
  readonly groupEpoch: number;
  readonly assignmentEpoch: number;
  readonly subscriptionMetadata: readonly (readonly [string, number])[];
  readonly members: readonly (readonly [string, ConsumerMemberValue])[];
  readonly offsets: readonly { readonly topic: string; readonly partition: number; readonly offset: number }[];
}

export function consumerSnapshotOf(group: ConsumerGroup): ConsumerGroupSnapshot {
  const offsets = [];
  for (const topic of [...group.offsets.keys()].sort()) {
    const partitions = group.offsets.get(topic) ?? new Map();
    for (const partition of [...partitions.keys()].sort(compareNumbers)) offsets.push({ topic, partition, offset: partitions.get(partition).offset as number });
  }
  return {
    groupId: group.groupId,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    subscriptionMetadata: [...group.subscriptionMetadata],
    members: [...group.members.keys()].sort().map((memberId) => [memberId, memberValue(group, group.members.get(memberId) as ConsumerMember)] as const),
    offsets,
  };
}
