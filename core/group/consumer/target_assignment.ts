// The target assignment of a consumer group, computed by the coordinator (KIP-848's server-side
// assignors). Two, by Kafka's names:
//
//   uniform (the default)  balanced and sticky: every member keeps as much of its previous
//                          target as balance allows (Lanes runs its sticky assignor with the
//                          previous target as what each member owns, which is the same contract
//                          as Kafka's UniformAssignor: balance first, then fewest moves)
//   range                  Kafka's range, topic by topic, for co-partitioned consumers
//
// Members choose through ServerAssignor; the group uses the one most members ask for (ties:
// the name first in `consumerAssignorNames`), else the broker's default. Large groups run the
// assignment through the injected kernel (core/assignors/kernel_choice.ts), same result.

import type { AssignorMember } from '../../assignors/assignor.js';
import type { KernelSource } from '../../assignors/kernel_choice.js';
import { assignorFor } from '../../assignors/registry.js';
import { assert } from '../../assert.js';
import { toAssignment, type ConsumerGroup, type TopicAssignment } from './consumer_group.js';

/** Kafka's server-side assignor names, the default first (group.consumer.assignors). */
export const consumerAssignorNames = ['uniform', 'range'] as const;
export type ConsumerAssignorName = (typeof consumerAssignorNames)[number];

export function isConsumerAssignorName(name: string): name is ConsumerAssignorName {
  return (consumerAssignorNames as readonly string[]).includes(name);
}

/** Lanes's classic assignor that computes each server-side one. */
const classicAssignorOf: Record<ConsumerAssignorName, string> = { uniform: 'sticky', range: 'range' };

/** The assignor most members name (ties: the earlier in consumerAssignorNames), else `fallback`. */
export function preferredAssignor(group: ConsumerGroup, fallback: ConsumerAssignorName): ConsumerAssignorName {
  const votes = new Map<string, number>();
  for (const member of group.members.values()) {
    if (member.serverAssignor !== null) votes.set(member.serverAssignor, (votes.get(member.serverAssignor) ?? 0) + 1);
  }
  let best: ConsumerAssignorName = fallback;
  let bestVotes = 0;
  for (const name of consumerAssignorNames) {
    const count = votes.get(name) ?? 0;
    if (count > bestVotes) {
      best = name;
      bestVotes = count;
    }
  }
  return best;
}

/**
 * Every member's new target. `subscribed` gives each member's resolved topics (names that exist
 * and regex matches); `partitionsPerTopic` holds exactly the subscribed topics' partition counts.
 */
export function computeTarget(
  group: ConsumerGroup,
  assignorName: ConsumerAssignorName,
  subscribed: ReadonlyMap<string, readonly string[]>,
  partitionsPerTopic: ReadonlyMap<string, number>,
  kernel?: KernelSource,
): Map<string, TopicAssignment> {
  const assignor = assignorFor(classicAssignorOf[assignorName], kernel);
  assert(assignor !== undefined, `no assignor behind ${assignorName}`);
  const members: AssignorMember[] = [...group.members.values()].map((member) => ({
    memberId: member.memberId,
    groupInstanceId: member.instanceId,
    topics: subscribed.get(member.memberId) ?? [],
    // The previous target as what the member owns, all of one generation: they never conflict.
    ownedPartitions: [...(group.target.get(member.memberId) ?? new Map<string, readonly number[]>())]
      .filter(([topic]) => partitionsPerTopic.has(topic))
      .map(([topic, partitions]) => ({ topic, partitions: partitions.filter((p) => p < (partitionsPerTopic.get(topic) as number)) })),
    generationId: 1,
    rackId: member.rackId,
  }));
  const assignment = assignor.assign({ members, partitionsPerTopic });
  const target = new Map<string, TopicAssignment>();
  for (const [memberId, topics] of assignment) target.set(memberId, toAssignment([...topics]));
  return target;
}
