// The cooperative sticky assignor ("cooperative-sticky"), KIP-429 over the classic protocol.
//
// The broker does nothing special: cooperation lives in the leader and the members. Members keep
// consuming what they own while they rejoin and report it in ownedPartitions. The leader computes
// the sticky target, then withholds every partition whose owner would change: the old owner finds
// it missing from its assignment, revokes it (commits, stops fetching) and rejoins at once; in that
// follow-up rebalance nobody claims the partition any more, so it goes to its new owner. A
// partition is therefore never assigned to one member while another still holds it.
//
// Example: C0 owns t0p0…t0p3 in generation 5 and C1 joins. The target is C0 [t0p0, t0p1] and
// C1 [t0p2, t0p3], but C0 still holds t0p2 and t0p3, so generation 6 assigns C0 [t0p0, t0p1] and
// C1 nothing. C0 revokes t0p2 and t0p3 and rejoins; generation 7 assigns C1 [t0p2, t0p3].
//
// "Still holds" is read from the raw claims, every member's ownedPartitions whatever its
// generation or subscription: a member that lost a generation contest, or unsubscribed from the
// topic, may still be consuming until it sees an assignment without the partition. Withholding on
// any claim costs at most one extra rebalance and never lets two members consume one partition.

import { assert, verify } from '../assert.js';
import {
  buildGroupAssignment,
  verifiedAssignment,
  type AssignmentSpec,
  type GroupAssignment,
  type PartitionAssignor,
} from './assignor.js';
import type { AssignmentKernel } from './assignment_kernel.js';
import { partitionIndexOf, partitionsByMemberOf, type PartitionLayout } from './partition_layout.js';
import { planSticky } from './sticky.js';

const nobody = -1;
const severalClaimants = -2;

/** Per partition index: the one member claiming it, nobody, or severalClaimants. */
function claimantsOf(layout: PartitionLayout): Int32Array {
  const claimant = new Int32Array(layout.partitionCount).fill(nobody);
  layout.members.forEach((member, m) => {
    for (const { topic, partitions } of member.ownedPartitions ?? []) {
      for (const partition of partitions) {
        const index = partitionIndexOf(layout, topic, partition);
        if (index === nobody) continue;
        if (claimant[index] === nobody) claimant[index] = m;
        else if (claimant[index] !== m) claimant[index] = severalClaimants;
      }
    }
  });
  return claimant;
}

/** With a `kernel`, the sticky target's balancing runs in it (same result; see planSticky). */
export function assignCooperativeSticky(spec: AssignmentSpec, kernel: AssignmentKernel | null = null): GroupAssignment {
  const { layout, owner: target } = planSticky(spec, kernel);
  const claimant = claimantsOf(layout);
  const owner = Int32Array.from(target);
  for (let index = 0; index < owner.length; index++) {
    if (claimant[index] !== nobody && claimant[index] !== target[index]) owner[index] = nobody;
  }
  if (verify) {
    for (let index = 0; index < owner.length; index++) {
      if (owner[index] === nobody) continue;
      const claimed = claimant[index];
      assert(claimed === nobody || claimed === owner[index], `partition ${index} handed over while still claimed`);
    }
  }
  const assignment = buildGroupAssignment(spec, partitionsByMemberOf(layout, owner));
  return verifiedAssignment(spec, assignment, false);
}

/**
 * Kafka lists COOPERATIVE first and EAGER as well: in an eager group every member has revoked
 * everything before it rejoins, nothing is claimed, and this assignor behaves like sticky.
 */
export const cooperativeStickyAssignor: PartitionAssignor = {
  name: 'cooperative-sticky',
  supportedProtocols: ['COOPERATIVE', 'EAGER'],
  cooperative: true,
  assign: (spec) => assignCooperativeSticky(spec),
};
