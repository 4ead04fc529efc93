// Kafka's RoundRobinAssignor ("roundrobin"), also what Lanes answers kafkajs's
// "RoundRobinAssigner" with.
//
// It lays out every partition of every subscribed topic (topics sorted by name, partitions in
// numeric order) and deals them to the sorted members (static members by group instance id first,
// then the rest by member id) like cards, skipping a member that does not subscribe to the
// partition's topic. When all members share a subscription the counts differ by at most one.
//
// Example: members C0 and C1 both subscribe to t0 and t1, with 3 partitions each:
//
//   C0: [t0p0, t0p2, t1p1]
//   C1: [t0p1, t1p0, t1p2]
//
// With different subscriptions the skipping can unbalance it. Members C0, C1, C2; topics t0, t1,
// t2 with 1, 2 and 3 partitions; C0 subscribes to t0, C1 to t0 and t1, C2 to all three. The deal
// runs t0p0→C0, t1p0→C1, t1p1→C2 (C0 skipped), then t2's three partitions all go to C2, the only
// member that wants them:
//
//   C0: [t0p0]
//   C1: [t1p0]
//   C2: [t1p1, t2p0, t2p1, t2p2]
//
// kafkajs's own RoundRobinAssigner deals over the topics in the order it was given them and never
// skips (it assumes equal subscriptions). With equal subscriptions and sorted topics both deal
// alike; either way members only apply what the leader sends, so kafkajs members accept ours.

import { assert } from '../assert.js';
import {
  assertValidSpec,
  buildGroupAssignment,
  compareMembers,
  compareStrings,
  existingTopics,
  verifiedAssignment,
  type AssignmentSpec,
  type GroupAssignment,
  type PartitionAssignor,
} from './assignor.js';
import { subscriptionBitsOf, wordsPerMemberFor, type AssignmentKernel } from './assignment_kernel.js';
import { buildPartitionLayout, partitionsByMemberOf } from './partition_layout.js';

export function assignRoundRobin(spec: AssignmentSpec): GroupAssignment {
  assertValidSpec(spec);
  const members = [...spec.members].sort(compareMembers);
  const subscriptions = members.map((member) => existingTopics(member, spec.partitionsPerTopic));
  const topics = new Set<string>();
  for (const subscribed of subscriptions) for (const topic of subscribed) topics.add(topic);

  const partitionsByMember = new Map<string, Map<string, number[]>>();
  for (const member of members) partitionsByMember.set(member.memberId, new Map());
  let cursor = 0;
  for (const topic of [...topics].sort(compareStrings)) {
    const partitionCount = spec.partitionsPerTopic.get(topic) as number;
    for (let partition = 0; partition < partitionCount; partition++) {
      // The topic came from some member's subscription, so a full turn always finds a taker.
      let skipped = 0;
      while (!subscriptions[cursor].has(topic)) {
        cursor = (cursor + 1) % members.length;
        skipped += 1;
        assert(skipped < members.length, `no member subscribes to ${topic}`);
      }
      const assigned = partitionsByMember.get(members[cursor].memberId) as Map<string, number[]>;
      const partitions = assigned.get(topic);
      if (partitions === undefined) assigned.set(topic, [partition]);
      else partitions.push(partition);
      cursor = (cursor + 1) % members.length;
    }
  }
  return verifiedAssignment(spec, buildGroupAssignment(spec, partitionsByMember), true);
}

/**
 * Round-robin through an assignment kernel, on the flat encoding: the layout's members and topics
 * are in the order assignRoundRobin deals over, and partition indexes follow topic order.
 */
export function assignRoundRobinWithKernel(spec: AssignmentSpec, kernel: AssignmentKernel): GroupAssignment {
  assertValidSpec(spec);
  const layout = buildPartitionLayout(spec);
  const words = wordsPerMemberFor(layout.topics.length);
  const owner = kernel.roundRobinOwners(layout.topicOf, layout.members.length, subscriptionBitsOf(layout), words);
  assert(owner.length === layout.partitionCount, `round-robin kernel returned ${owner.length} owners for ${layout.partitionCount} partitions`);
  return verifiedAssignment(spec, buildGroupAssignment(spec, partitionsByMemberOf(layout, owner)), true);
}

export const roundRobinAssignor: PartitionAssignor = {
  name: 'roundrobin',
  supportedProtocols: ['EAGER'],
  cooperative: false,
  assign: (spec) => assignRoundRobin(spec),
};
