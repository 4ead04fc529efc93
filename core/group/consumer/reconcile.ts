// Incremental reconciliation of one member towards its target assignment, after Kafka's
// CurrentAssignmentBuilder. The rule that keeps a partition from being consumed twice: a member
// is given a partition only once no other member holds it (assigned or pending revocation), and
// a member that must give partitions up first keeps its epoch and is asked to revoke them; it
// moves on only after a heartbeat whose owned partitions no longer include them.
//
//   STABLE ──target epoch moved──▶ next assignment
//   UNREVOKED_PARTITIONS ──owned partitions reported without the revoked ones──▶ next assignment
//   UNRELEASED_PARTITIONS ──every heartbeat──▶ next assignment (picks up partitions now free)
//
// "Next assignment": kept = assigned ∩ target; to revoke = assigned − target; to add = target −
// assigned, minus partitions another member still holds (unreleased). Anything to revoke: stay at
// the current epoch in UNREVOKED_PARTITIONS holding only `kept`. Else move to the target epoch
// with kept ∪ to add, UNRELEASED_PARTITIONS while some partition is still held elsewhere.

import { emptyAssignment, toAssignment, type ConsumerMember, type TopicAssignment } from './consumer_group.js';

/** Who holds a partition now (assigned or pending revocation), or undefined if free. */
export type OwnerOf = (topic: string, partition: number) => string | undefined;

/**
 * The member after one reconciliation step. `owned` is what the member reported owning in this
 * heartbeat (null: not reported, so a revocation cannot be confirmed).
 */
export function reconcile(
  member: ConsumerMember,
  targetEpoch: number,
  target: TopicAssignment,
  ownerOf: OwnerOf,
  owned: TopicAssignment | null,
): ConsumerMember {
  switch (member.state) {
    case 'STABLE':
      return member.memberEpoch === targetEpoch ? member : nextAssignment(member, member.memberEpoch, targetEpoch, target, ownerOf);
    case 'UNREVOKED_PARTITIONS':
      if (owned === null || ownsAny(owned, member.pendingRevocation)) return member;
      return nextAssignment(member, Math.min(member.memberEpoch + 1, targetEpoch), targetEpoch, target, ownerOf);
    case 'UNRELEASED_PARTITIONS':
      return nextAssignment(member, member.memberEpoch, targetEpoch, target, ownerOf);
  }
}

function nextAssignment(
  member: ConsumerMember,
  memberEpoch: number,
  targetEpoch: number,
  target: TopicAssignment,
  ownerOf: OwnerOf,
): ConsumerMember {
  const kept: [string, number[]][] = [];
  const revoke: [string, number[]][] = [];
  const add: [string, number[]][] = [];
  let unreleased = false;
  const topics = new Set([...target.keys(), ...member.assigned.keys()]);
  for (const topic of topics) {
    const targeted = new Set(target.get(topic) ?? []);
    const current = member.assigned.get(topic) ?? [];
    const keptHere = current.filter((partition) => targeted.has(partition));
    const currentSet = new Set(current);
    kept.push([topic, keptHere]);
    revoke.push([topic, current.filter((partition) => !targeted.has(partition))]);
    const pending: number[] = [];
    for (const partition of targeted) {
      if (currentSet.has(partition)) continue;
      const owner = ownerOf(topic, partition);
      if (owner !== undefined && owner !== member.memberId) unreleased = true;
      // A partition this member is itself still revoking is not free either: it comes back
      // once the revocation is confirmed.
      else if (owner === member.memberId) unreleased = true;
      else pending.push(partition);
    }
    add.push([topic, pending]);
  }
  const toRevoke = toAssignment(revoke);
  if (toRevoke.size > 0) {
    return {
      ...member,
      state: 'UNREVOKED_PARTITIONS',
      previousMemberEpoch: member.memberEpoch,
      memberEpoch,
      assigned: toAssignment(kept),
      pendingRevocation: toRevoke,
    };
  }
  return {
    ...member,
    state: unreleased ? 'UNRELEASED_PARTITIONS' : 'STABLE',
    previousMemberEpoch: member.memberEpoch,
    memberEpoch: targetEpoch,
    assigned: toAssignment([...kept, ...add]),
    pendingRevocation: emptyAssignment,
  };
}

function ownsAny(owned: TopicAssignment, revoked: TopicAssignment): boolean {
  for (const [topic, partitions] of revoked) {
    const ownedHere = owned.get(topic);
    if (ownedHere !== undefined && partitions.some((partition) => ownedHere.includes(partition))) return true;
  }
  return false;
}

/** Kafka's isSubset: every partition reported owned is assigned (null: unknown, so not a subset). */
export function isSubset(owned: TopicAssignment | null, assigned: TopicAssignment): boolean {
  if (owned === null) return false;
  for (const [topic, partitions] of owned) {
    const assignedHere = assigned.get(topic) ?? [];
    if (!partitions.every((partition) => assignedHere.includes(partition))) return false;
  }
  return true;
}
