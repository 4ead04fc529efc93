// The sticky assignor ("sticky"), after Kafka's StickyAssignor: balance first, then keep as many
// previously owned partitions where they are as balance allows. Moving a partition costs its new
// owner a fetch from the committed offset and its old owner whatever it had cached, so a rebalance
// that moves 1 partition instead of 100 is the point of this assignor.
//
// Step 1, previous owners. A member's claim (its ownedPartitions) counts only for partitions that
// exist and that the member still subscribes to. When two members claim one partition the higher
// generation wins: the loser is a member that missed a rebalance and still believes in an old
// assignment. Two claims in the same generation cannot both be right, so neither is kept (Kafka
// does the same) and the partition is handed out afresh.
//
// Step 2, the target. Two paths:
//
// - Every member (with any subscribed topic at all) subscribes to the same topics, the common
//   case. With N partitions and M members, every member gets ⌊N/M⌋ and N mod M members get one
//   more. Each member keeps up to ⌊N/M⌋ of what it owns; the extra slots go first to members that
//   own more than that, so they keep one more; the remaining partitions are dealt round by round
//   to members below their quota. This keeps the most partitions possible:
//
//     kept = Σ min(owned_i, ⌊N/M⌋) + min(N mod M, #{i : owned_i > ⌊N/M⌋})
//
//   Example: C0 owns [t0p0, t0p1, t0p2], C1 owns [t0p3], C2 joins; 4 partitions over 3 members
//   is 1 each plus 1 extra. C0 owns more than 1, so it takes the extra slot and keeps t0p0, t0p1;
//   C1 keeps t0p3; t0p2 is dealt to C2. One partition moves, the fewest possible.
//
// - Subscriptions differ. "Balanced" then means Kafka's definition: no member with at least two
//   partitions more than another holds a partition of a topic that other member subscribes to (so
//   no single move could even the two out). Each member keeps everything it validly owns;
//   unowned partitions go to the least loaded subscriber, topics with the fewest subscribers first
//   (they have the fewest choices); then, topic by topic, a partition moves from the most loaded
//   holder to the least loaded subscriber until no such pair is two apart. A move prefers a
//   partition the holder did not own before this rebalance. Each move lowers Σ count², so this
//   ends; when it ends the definition holds by construction.

import { assert } from '../assert.js';
import {
  assertValidSpec,
  buildGroupAssignment,
  verifiedAssignment,
  type AssignmentSpec,
  type GroupAssignment,
  type PartitionAssignor,
} from './assignor.js';
import { subscriberListsOf, topicsByChoiceOf, type AssignmentKernel } from './assignment_kernel.js';
import { buildPartitionLayout, partitionIndexOf, partitionsByMemberOf, type PartitionLayout } from './partition_layout.js';

const nobody = -1;

export interface StickyPlan {
  readonly layout: PartitionLayout;
  /** Balanced target owner of every partition index (member index). */
  readonly owner: Int32Array;
  /** Validly owned before this rebalance (after step 1), or −1. */
  readonly previousOwner: Int32Array;
}

/** Step 1: who validly owns each partition now, by generation; see the file comment. */
export function resolvePreviousOwners(layout: PartitionLayout): Int32Array {
  const owner = new Int32Array(layout.partitionCount).fill(nobody);
  const generation = new Float64Array(layout.partitionCount).fill(-Infinity);
  const contested = new Uint8Array(layout.partitionCount);
  layout.members.forEach((member, m) => {
    const memberGeneration = member.generationId ?? -1;
    for (const { topic, partitions } of member.ownedPartitions ?? []) {
      const t = layout.topicIndex.get(topic);
      // A member keeps only what it still subscribes to; the rest it must give up.
      if (t === undefined || !layout.subscriptions[m].has(t)) continue;
      for (const partition of partitions) {
        const index = partitionIndexOf(layout, topic, partition);
        if (index === nobody) continue;
        if (memberGeneration > generation[index]) {
          owner[index] = m;
          generation[index] = memberGeneration;
          contested[index] = 0;
        } else if (memberGeneration === generation[index] && owner[index] !== m) {
          contested[index] = 1;
        }
      }
    }
  });
  for (let index = 0; index < owner.length; index++) if (contested[index] === 1) owner[index] = nobody;
  return owner;
}

function allSubscriptionsEqual(layout: PartitionLayout, eligible: readonly number[]): boolean {
  if (eligible.length === 0) return true;
  const first = layout.subscriptions[eligible[0]];
  return eligible.every((m) => {
    const topics = layout.subscriptions[m];
    if (topics.size !== first.size) return false;
    for (const t of topics) if (!first.has(t)) return false;
    return true;
  });
}

/** Step 2 when all eligible members subscribe to every numbered topic. */
function assignEqualSubscriptions(layout: PartitionLayout, previousOwner: Int32Array, eligible: readonly number[]): Int32Array {
  const partitionCount = layout.partitionCount;
  const memberCount = layout.members.length;
  const owner = new Int32Array(partitionCount).fill(nobody);
  if (eligible.length === 0) {
    assert(partitionCount === 0, `${partitionCount} partitions but no member subscribes`);
    return owner;
  }
  const quota = Math.floor(partitionCount / eligible.length);
  let extraSlots = partitionCount % eligible.length;

  const ownedBy: number[][] = layout.members.map(() => []);
  for (let index = 0; index < partitionCount; index++) {
    if (previousOwner[index] !== nobody) ownedBy[previousOwner[index]].push(index);
  }
  const target = new Int32Array(memberCount);
  for (const m of eligible) {
    target[m] = quota;
    if (ownedBy[m].length > quota && extraSlots > 0) {
      target[m] = quota + 1;
      extraSlots -= 1;
    }
  }
  for (const m of eligible) {
    if (extraSlots === 0) break;
    if (target[m] === quota) {
      target[m] = quota + 1;
      extraSlots -= 1;
    }
  }
  assert(extraSlots === 0, `${extraSlots} extra slots left over`);

  const count = new Int32Array(memberCount);
  for (const m of eligible) {
    const keep = Math.min(ownedBy[m].length, target[m]);
    for (let k = 0; k < keep; k++) owner[ownedBy[m][k]] = m;
    count[m] = keep;
  }

  // Deal what is left in rounds, one partition per needy member per round, so that consecutive
  // partitions of a topic (often similar in load) spread over members instead of piling up.
  let needy = eligible.filter((m) => count[m] < target[m]);
  let index = 0;
  while (needy.length > 0) {
    const stillNeedy: number[] = [];
    for (const m of needy) {
      while (owner[index] !== nobody) index += 1;
      assert(index < partitionCount, 'members want more partitions than exist');
      owner[index] = m;
      count[m] += 1;
      if (count[m] < target[m]) stillNeedy.push(m);
    }
    needy = stillNeedy;
  }
  while (index < partitionCount && owner[index] !== nobody) index += 1;
  assert(index === partitionCount, `partition ${index} left unassigned`);
  return owner;
}

/** The subscriber of topic t with the fewest partitions; ties go to the first in member order. */
function leastLoadedSubscriber(subscribers: readonly number[], count: Int32Array): number {
  let best = subscribers[0];
  for (const m of subscribers) if (count[m] < count[best]) best = m;
  return best;
}

/** Step 2 when subscriptions differ; see the file comment. */
function assignDifferentSubscriptions(layout: PartitionLayout, previousOwner: Int32Array): Int32Array {
  const topicCount = layout.topics.length;
  const owner = Int32Array.from(previousOwner);
  const count = new Int32Array(layout.members.length);
  for (const m of owner) if (m !== nobody) count[m] += 1;
  const subscribers: number[][] = layout.topics.map(() => []);
  layout.subscriptions.forEach((topics, m) => {
    for (const t of topics) subscribers[t].push(m);
  });

  const topicsByChoice = [...layout.topics.keys()].sort((a, b) => subscribers[a].length - subscribers[b].length || a - b);
  for (const t of topicsByChoice) {
    assert(subscribers[t].length > 0, `topic ${layout.topics[t]} is numbered but nobody subscribes`);
    for (let index = layout.topicBase[t]; index < layout.topicBase[t + 1]; index++) {
      if (owner[index] !== nobody) continue;
      const m = leastLoadedSubscriber(subscribers[t], count);
      owner[index] = m;
      count[m] += 1;
    }
  }

  // Every move lowers Σ count² by at least 2 and that sum starts below N², which bounds the loop.
  const movesMax = layout.partitionCount * layout.partitionCount;
  let moves = 0;
  let moved = true;
  while (moved) {
    moved = false;
    for (let t = 0; t < topicCount; t++) {
      for (;;) {
        const lo = leastLoadedSubscriber(subscribers[t], count);
        let chosen = nobody;
        let chosenCount = count[lo] + 1;
        let chosenWasOwned = true;
        for (let index = layout.topicBase[t]; index < layout.topicBase[t + 1]; index++) {
          const holderCount = count[owner[index]];
          const wasOwned = previousOwner[index] === owner[index];
          if (holderCount > chosenCount || (holderCount === chosenCount && chosen !== nobody && chosenWasOwned && !wasOwned)) {
            chosen = index;
            chosenCount = holderCount;
            chosenWasOwned = wasOwned;
          }
        }
        if (chosen === nobody) break;
        const hi = owner[chosen];
        assert(hi !== lo, 'a move must change owner');
        assert(count[hi] > count[lo] + 1, 'a move must narrow a gap of two or more');
        owner[chosen] = lo;
        count[hi] -= 1;
        count[lo] += 1;
        moved = true;
        moves += 1;
        assert(moves <= movesMax, `balancing did not settle after ${moves} moves`);
      }
    }
  }
  return owner;
}

/** Step 2 through an assignment kernel, on the flat encoding (core/assignors/assignment_kernel.ts). */
function assignWithKernel(kernel: AssignmentKernel, layout: PartitionLayout, previousOwner: Int32Array, eligible: readonly number[]): Int32Array {
  const memberCount = layout.members.length;
  if (allSubscriptionsEqual(layout, eligible)) return kernel.stickyEqual(previousOwner, memberCount, Int32Array.from(eligible));
  const lists = subscriberListsOf(layout);
  const topicsByChoice = topicsByChoiceOf(lists, layout.topics.length);
  return kernel.stickyDifferent({ previousOwner, memberCount, topicBase: layout.topicBase, ...lists, topicsByChoice });
}

/**
 * Steps 1 and 2, shared with cooperative-sticky. With a `kernel`, step 2 (the balancing, the
 * expensive part) runs in it; the result is the same owner array either way.
 */
export function planSticky(spec: AssignmentSpec, kernel: AssignmentKernel | null = null): StickyPlan {
  assertValidSpec(spec);
  const layout = buildPartitionLayout(spec);
  const previousOwner = resolvePreviousOwners(layout);
  const eligible = [...layout.members.keys()].filter((m) => layout.subscriptions[m].size > 0);
  let owner: Int32Array;
  if (kernel !== null) owner = assignWithKernel(kernel, layout, previousOwner, eligible);
  else if (allSubscriptionsEqual(layout, eligible)) owner = assignEqualSubscriptions(layout, previousOwner, eligible);
  else owner = assignDifferentSubscriptions(layout, previousOwner);
  assert(owner.length === layout.partitionCount, `step 2 returned ${owner.length} owners for ${layout.partitionCount} partitions`);
  for (let index = 0; index < owner.length; index++) {
    assert(owner[index] !== nobody, `partition ${index} has no target owner`);
    assert(layout.subscriptions[owner[index]].has(layout.topicOf[index]), `partition ${index} given to a non-subscriber`);
  }
  return { layout, owner, previousOwner };
}

export function assignSticky(spec: AssignmentSpec, kernel: AssignmentKernel | null = null): GroupAssignment {
  const plan = planSticky(spec, kernel);
  const assignment = buildGroupAssignment(spec, partitionsByMemberOf(plan.layout, plan.owner));
  return verifiedAssignment(spec, assignment, true);
}

/**
 * EAGER only: members revoke everything before rejoining, so the leader learns what they owned
 * from `ownedPartitions` (which the embedded client fills from its last assignment), and every
 * partition can move in one step.
 */
export const stickyAssignor: PartitionAssignor = {
  name: 'sticky',
  supportedProtocols: ['EAGER'],
  cooperative: false,
  assign: (spec) => assignSticky(spec),
};
