// Assignment kernels: the integer core of the assignors in core/assignors, on a flat encoding.
//
// The host (wasm/assignment_kernel.ts) interns members and topics to indexes in TypeScript
// (core/assignors/partition_layout.ts): members in Kafka's order, topics sorted, every partition
// a dense index with the partitions of topic t at [topicBase[t], topicBase[t + 1]). Everything
// here is i32 arrays at byte offsets the host chose; no strings, no allocation, no statics. The
// answer is an owner (member index, or −1) per partition index, written to `owner`.
//
// Each function is a line-by-line port of its TS twin and must stay one: the property tests
// require the same owner array for the same input (test/property/assignors/assignment_kernel.*).
// Ties are broken exactly as there: lowest member index, then lowest partition index.
//
//   stickyEqual       twin: assignEqualSubscriptions in core/assignors/sticky.ts
//   stickyDifferent   twin: assignDifferentSubscriptions in core/assignors/sticky.ts
//   rangeOwners       twin: assignRange in core/assignors/range.ts
//   roundRobinOwners  twin: assignRoundRobin in core/assignors/round_robin.ts

const nobody: i32 = -1;

@inline function get(array: usize, i: i32): i32 {
  return load<i32>(array + (<usize>i << 2));
}

@inline function set(array: usize, i: i32, value: i32): void {
  store<i32>(array + (<usize>i << 2), value);
}

/**
 * Sticky step 2 when every eligible member subscribes to the same topics (all numbered ones).
 *
 *   previousOwner  [partitionCount]  valid owner before this rebalance, or −1 (input)
 *   eligible       [eligibleCount]   member indexes with a subscription, ascending (input)
 *   owner          [partitionCount]  the balanced target (output)
 *   scratch        [3 · memberCount + partitionCount + eligibleCount] i32s
 *
 * Returns 0; the asserts (debug build) check what the TS twin asserts.
 */
export function stickyEqual(
  previousOwner: usize,
  partitionCount: i32,
  memberCount: i32,
  eligible: usize,
  eligibleCount: i32,
  owner: usize,
  scratch: usize,
): i32 {
  for (let index = 0; index < partitionCount; index++) set(owner, index, nobody);
  if (eligibleCount == 0) {
    assert(partitionCount == 0, 'stickyEqual: partitions but no member subscribes');
    return 0;
  }
  const ownedStart = scratch; // [memberCount] first slot of the member's owned list
  const count = ownedStart + (<usize>memberCount << 2); // [memberCount] owned, then assigned
  const target = count + (<usize>memberCount << 2); // [memberCount]
  const ownedList = target + (<usize>memberCount << 2); // [partitionCount] owned, grouped by member
  const needy = ownedList + (<usize>partitionCount << 2); // [eligibleCount]

  // ownedBy[m] as a counting sort: partition indexes ascending within each member, as the twin's push order.
  for (let m = 0; m < memberCount; m++) set(count, m, 0);
  for (let index = 0; index < partitionCount; index++) {
    const m = get(previousOwner, index);
    if (m != nobody) set(count, m, get(count, m) + 1);
  }
  let start = 0;
  for (let m = 0; m < memberCount; m++) {
    set(ownedStart, m, start);
    start += get(count, m);
    set(count, m, 0);
  }
  for (let index = 0; index < partitionCount; index++) {
    const m = get(previousOwner, index);
    if (m == nobody) continue;
    const k = get(count, m);
    set(ownedList, get(ownedStart, m) + k, index);
    set(count, m, k + 1);
  }
  // count[m] now holds how many partitions m owned (the twin's ownedBy[m].length).

  const quota = partitionCount / eligibleCount;
  let extraSlots = partitionCount % eligibleCount;
  for (let i = 0; i < eligibleCount; i++) {
    const m = get(eligible, i);
    set(target, m, quota);
    if (get(count, m) > quota && extraSlots > 0) {
      set(target, m, quota + 1);
      extraSlots -= 1;
    }
  }
  for (let i = 0; i < eligibleCount; i++) {
    if (extraSlots == 0) break;
    const m = get(eligible, i);
    if (get(target, m) == quota) {
      set(target, m, quota + 1);
      extraSlots -= 1;
    }
  }
  assert(extraSlots == 0, 'stickyEqual: extra slots left over');

  for (let i = 0; i < eligibleCount; i++) {
    const m = get(eligible, i);
    const owned = get(count, m);
    const keep = owned < get(target, m) ? owned : get(target, m);
    const first = get(ownedStart, m);
    for (let k = 0; k < keep; k++) set(owner, get(ownedList, first + k), m);
    set(count, m, keep);
  }

  // Deal the rest in rounds, one partition per needy member per round; the still-needy are
  // compacted in place (the write cursor never passes the read cursor).
  let needyCount = 0;
  for (let i = 0; i < eligibleCount; i++) {
    const m = get(eligible, i);
    if (get(count, m) < get(target, m)) set(needy, needyCount++, m);
  }
  let index = 0;
  while (needyCount > 0) {
    let stillNeedy = 0;
    for (let i = 0; i < needyCount; i++) {
      const m = get(needy, i);
      while (index < partitionCount && get(owner, index) != nobody) index += 1;
      assert(index < partitionCount, 'stickyEqual: members want more partitions than exist');
      set(owner, index, m);
      const assigned = get(count, m) + 1;
      set(count, m, assigned);
      if (assigned < get(target, m)) set(needy, stillNeedy++, m);
    }
    needyCount = stillNeedy;
  }
  while (index < partitionCount && get(owner, index) != nobody) index += 1;
  assert(index == partitionCount, 'stickyEqual: a partition was left unassigned');
  return 0;
}

/** The subscriber with the fewest partitions; ties go to the first listed (lowest member index). */
@inline function leastLoaded(subscribers: usize, from: i32, to: i32, count: usize): i32 {
  let best = get(subscribers, from);
  let bestCount = get(count, best);
  for (let i = from + 1; i < to; i++) {
    const m = get(subscribers, i);
    const c = get(count, m);
    if (c < bestCount) {
      best = m;
      bestCount = c;
    }
  }
  return best;
}

/**
 * Sticky step 2 when subscriptions differ: keep what is validly owned, hand out the rest to the
 * least loaded subscriber (topics with the fewest subscribers first), then move partitions from
 * the most to the least loaded subscriber, topic by topic, until no gap of two remains.
 *
 *   previousOwner    [partitionCount]   input
 *   topicBase        [topicCount + 1]   input
 *   subscriberStart  [topicCount + 1]   subscribers of t are subscribers[subscriberStart[t] …]
 *   subscribers      [Σ]                member indexes, ascending per topic (input)
 *   topicsByChoice   [topicCount]       topics by subscriber count, then index (input)
 *   owner            [partitionCount]   output
 *   count            [memberCount]      scratch (partitions per member)
 *
 * Returns the number of balancing moves.
 */
export function stickyDifferent(
  previousOwner: usize,
  partitionCount: i32,
  memberCount: i32,
  topicCount: i32,
  topicBase: usize,
  subscriberStart: usize,
  subscribers: usize,
  topicsByChoice: usize,
  owner: usize,
  count: usize,
): i32 {
  for (let m = 0; m < memberCount; m++) set(count, m, 0);
  for (let index = 0; index < partitionCount; index++) {
    const m = get(previousOwner, index);
    set(owner, index, m);
    if (m != nobody) set(count, m, get(count, m) + 1);
  }

  for (let i = 0; i < topicCount; i++) {
    const t = get(topicsByChoice, i);
    const from = get(subscriberStart, t);
    const to = get(subscriberStart, t + 1);
    assert(to > from, 'stickyDifferent: a numbered topic has no subscriber');
    const end = get(topicBase, t + 1);
    for (let index = get(topicBase, t); index < end; index++) {
      if (get(owner, index) != nobody) continue;
      const m = leastLoaded(subscribers, from, to, count);
      set(owner, index, m);
      set(count, m, get(count, m) + 1);
    }
  }

  // Every move lowers Σ count² by at least 2 and that sum starts below N², which bounds the loop.
  const movesMax: u64 = <u64>partitionCount * <u64>partitionCount;
  let moves: i32 = 0;
  let moved = true;
  while (moved) {
    moved = false;
    for (let t = 0; t < topicCount; t++) {
      const from = get(subscriberStart, t);
      const to = get(subscriberStart, t + 1);
      const begin = get(topicBase, t);
      const end = get(topicBase, t + 1);
      for (;;) {
        const lo = leastLoaded(subscribers, from, to, count);
        let chosen = nobody;
        let chosenCount = get(count, lo) + 1;
        let chosenWasOwned = true;
        for (let index = begin; index < end; index++) {
          const holder = get(owner, index);
          const holderCount = get(count, holder);
          const wasOwned = get(previousOwner, index) == holder;
          if (holderCount > chosenCount || (holderCount == chosenCount && chosen != nobody && chosenWasOwned && !wasOwned)) {
            chosen = index;
            chosenCount = holderCount;
            chosenWasOwned = wasOwned;
          }
        }
        if (chosen == nobody) break;
        const hi = get(owner, chosen);
        assert(hi != lo, 'stickyDifferent: a move must change owner');
        assert(get(count, hi) > get(count, lo) + 1, 'stickyDifferent: a move must narrow a gap of two or more');
        set(owner, chosen, lo);
        set(count, hi, get(count, hi) - 1);
        set(count, lo, get(count, lo) + 1);
        moved = true;
        moves += 1;
        assert(<u64>moves <= movesMax, 'stickyDifferent: balancing did not settle');
      }
    }
  }
  return moves;
}

/**
 * Range: per topic, its subscribers (member order) take contiguous ranges of ⌊n/s⌋, the first
 * n mod s one more. Inputs as stickyDifferent's; writes every partition's owner.
 */
export function rangeOwners(topicCount: i32, topicBase: usize, subscriberStart: usize, subscribers: usize, owner: usize): i32 {
  for (let t = 0; t < topicCount; t++) {
    const from = get(subscriberStart, t);
    const subscriberCount = get(subscriberStart, t + 1) - from;
    assert(subscriberCount > 0, 'rangeOwners: a numbered topic has no subscriber');
    const base = get(topicBase, t);
    const partitionCount = get(topicBase, t + 1) - base;
    const perMember = partitionCount / subscriberCount;
    const membersWithExtra = partitionCount % subscriberCount;
    let index = base;
    for (let i = 0; i < subscriberCount; i++) {
      const m = get(subscribers, from + i);
      const length = perMember + (i < membersWithExtra ? 1 : 0);
      for (let k = 0; k < length; k++) set(owner, index++, m);
    }
    assert(index == base + partitionCount, 'rangeOwners: ranges do not cover the topic');
  }
  return 0;
}

/**
 * Round-robin: deal partitions in index order to members in member order, skipping a member not
 * subscribed to the partition's topic.
 *
 *   topicOf        [partitionCount]                  input
 *   subscribed     [memberCount · wordsPerMember]    bit t of member m's words: m subscribes to t
 */
export function roundRobinOwners(
  partitionCount: i32,
  memberCount: i32,
  topicOf: usize,
  subscribed: usize,
  wordsPerMember: i32,
  owner: usize,
): i32 {
  let cursor = 0;
  for (let index = 0; index < partitionCount; index++) {
    const t = get(topicOf, index);
    const word = t >>> 5;
    const bit = 1 << (t & 31);
    let skipped = 0;
    while ((get(subscribed, cursor * wordsPerMember + word) & bit) == 0) {
      cursor = cursor + 1 == memberCount ? 0 : cursor + 1;
      skipped += 1;
      assert(skipped < memberCount, 'roundRobinOwners: nobody subscribes to a numbered topic');
    }
    set(owner, index, cursor);
    cursor = cursor + 1 == memberCount ? 0 : cursor + 1;
  }
  return 0;
}
