// Kafka's RangeAssignor ("range"), librdkafka's default first choice.
//
// It works one topic at a time: the members subscribed to the topic are sorted (static members by
// group instance id first, then the rest by member id), the partitions are laid out in numeric
// order, and each member takes a contiguous range of ⌊n / m⌋ partitions; the first n mod m members
// take one more.
//
// Example: members C0 and C1 both subscribe to topics t0 and t1, with 3 partitions each
// (t0p0, t0p1, t0p2, t1p0, t1p1, t1p2). Per topic 3 / 2 = 1 rem 1, so C0 takes two and C1 one:
//
//   C0: [t0p0, t0p1, t1p0, t1p1]
//   C1: [t0p2, t1p2]
//
// Because every topic favours the same first members, C0 ends with 4 partitions and C1 with 2: the
// imbalance grows with the number of topics. That is the price of range's one property that users
// rely on: with equal partition counts, partition k of every topic lands on the same member, which
// is what co-partitioned joins need.

import { assert } from '../assert.js';
import {
  assertValidSpec,
  buildGroupAssignment,
  compareMembers,
  existingTopics,
  verifiedAssignment,
  type AssignmentSpec,
  type AssignorMember,
  type GroupAssignment,
  type PartitionAssignor,
} from './assignor.js';
import { subscriberListsOf, type AssignmentKernel } from './assignment_kernel.js';
import { buildPartitionLayout, partitionsByMemberOf } from './partition_layout.js';

export function assignRange(spec: AssignmentSpec): GroupAssignment {
  assertValidSpec(spec);
  const subscribersByTopic = new Map<string, AssignorMember[]>();
  for (const member of spec.members) {
    for (const topic of existingTopics(member, spec.partitionsPerTopic)) {
      const subscribers = subscribersByTopic.get(topic);
      if (subscribers === undefined) subscribersByTopic.set(topic, [member]);
      else subscribers.push(member);
    }
  }

  const partitionsByMember = new Map<string, Map<string, number[]>>();
  for (const member of spec.members) partitionsByMember.set(member.memberId, new Map());
  for (const [topic, subscribers] of subscribersByTopic) {
    subscribers.sort(compareMembers);
    const partitionCount = spec.partitionsPerTopic.get(topic) as number;
    const perMember = Math.floor(partitionCount / subscribers.length);
    const membersWithExtra = partitionCount % subscribers.length;
    let next = 0;
    subscribers.forEach((member, i) => {
      const start = perMember * i + Math.min(i, membersWithExtra);
      const length = perMember + (i < membersWithExtra ? 1 : 0);
      assert(start === next, `${topic}: range of member ${i} starts at ${start}, expected ${next}`);
      next = start + length;
      if (length === 0) return;
      const partitions = new Array<number>(length);
      for (let k = 0; k < length; k++) partitions[k] = start + k;
      (partitionsByMember.get(member.memberId) as Map<string, number[]>).set(topic, partitions);
    });
    assert(next === partitionCount, `${topic}: ranges cover ${next} of ${partitionCount} partitions`);
  }
  return verifiedAssignment(spec, buildGroupAssignment(spec, partitionsByMember), true);
}

/**
 * Range through an assignment kernel, on the flat encoding: the layout numbers members in the
 * order assignRange sorts each topic's subscribers into, so the ranges come out the same.
 */
export function assignRangeWithKernel(spec: AssignmentSpec, kernel: AssignmentKernel): GroupAssignment {
  assertValidSpec(spec);
  const layout = buildPartitionLayout(spec);
  const owner = kernel.rangeOwners(layout.topicBase, subscriberListsOf(layout));
  assert(owner.length === layout.partitionCount, `range kernel returned ${owner.length} owners for ${layout.partitionCount} partitions`);
  return verifiedAssignment(spec, buildGroupAssignment(spec, partitionsByMemberOf(layout, owner)), true);
}

export const rangeAssignor: PartitionAssignor = {
  name: 'range',
  supportedProtocols: ['EAGER'],
  cooperative: false,
  assign: (spec) => assignRange(spec),
};
