// The integer core of the assignors, as an interface a WASM kernel (wasm/assignment_kernel.ts)
// implements, and the flat encoding it works on. Pure: no I/O; the kernel is injected.
//
// Strings stay in TypeScript. buildPartitionLayout interns members (Kafka's order) and topics
// (sorted) to indexes and numbers every partition densely; from that layout the functions below
// build plain integer arrays, the kernel answers an owner (member index, or −1) per partition
// index, and partitionsByMemberOf turns that back into names. The TS assignors are the oracle:
// an assignor run through a kernel must give exactly the GroupAssignment of the plain TS one
// (test/property/assignors/assignment_kernel.property.test.ts), ties broken the same way.
//
//   topicBase        Int32Array [topicCount + 1]  partitions of topic t: [topicBase[t], topicBase[t+1])
//   subscriberStart  Int32Array [topicCount + 1]  subscribers of t: subscribers[subscriberStart[t] …)
//   subscribers      Int32Array [Σ]               member indexes, ascending per topic
//   subscribed       Int32Array [members × words] bit t of member m's words: m subscribes to topic t

import type { PartitionLayout } from './partition_layout.js';

export interface StickyDifferentInput {
  readonly previousOwner: Int32Array;
  readonly memberCount: number;
  readonly topicBase: Int32Array;
  readonly subscriberStart: Int32Array;
  readonly subscribers: Int32Array;
  /** Topic indexes by subscriber count, then index: the order unowned partitions are handed out in. */
  readonly topicsByChoice: Int32Array;
}

export interface SubscriberLists {
  readonly subscriberStart: Int32Array;
  readonly subscribers: Int32Array;
}

/** Each function returns a fresh owner array of one entry per partition index. */
export interface AssignmentKernel {
  /** Names the implementation in benchmarks and errors ('wasm', 'wasm-debug'). */
  readonly name: string;
  /** Sticky step 2, every eligible member subscribing to every numbered topic. */
  stickyEqual(previousOwner: Int32Array, memberCount: number, eligible: Int32Array): Int32Array;
  /** Sticky step 2 when subscriptions differ. */
  stickyDifferent(input: StickyDifferentInput): Int32Array;
  rangeOwners(topicBase: Int32Array, lists: SubscriberLists): Int32Array;
  roundRobinOwners(topicOf: Int32Array, memberCount: number, subscribed: Int32Array, wordsPerMember: number): Int32Array;
}

/** Members with at least one numbered topic, ascending: the sticky assignor's eligible members. */
export function eligibleMembers(layout: PartitionLayout): Int32Array {
  const eligible: number[] = [];
  layout.subscriptions.forEach((topics, m) => {
    if (topics.size > 0) eligible.push(m);
  });
  return Int32Array.from(eligible);
}

/** Per topic, its subscribers in member order (as CSR arrays). */
export function subscriberListsOf(layout: PartitionLayout): SubscriberLists {
  const topicCount = layout.topics.length;
  const subscriberStart = new Int32Array(topicCount + 1);
  for (const topics of layout.subscriptions) for (const t of topics) subscriberStart[t + 1] += 1;
  for (let t = 0; t < topicCount; t++) subscriberStart[t + 1] += subscriberStart[t];
  const subscribers = new Int32Array(subscriberStart[topicCount]);
  const next = subscriberStart.slice(0, topicCount);
  // Members are visited in index order, so each topic's list comes out ascending.
  layout.subscriptions.forEach((topics, m) => {
    for (const t of topics) subscribers[next[t]++] = m;
  });
  return { subscriberStart, subscribers };
}

/** Topics by subscriber count, then index: sticky hands out the most constrained topics first. */
export function topicsByChoiceOf(lists: SubscriberLists, topicCount: number): Int32Array {
  const size = (t: number) => lists.subscriberStart[t + 1] - lists.subscriberStart[t];
  return Int32Array.from([...Array(topicCount).keys()].sort((a, b) => size(a) - size(b) || a - b));
}

/** 32-bit words per member in a subscription bitset over `topicCount` topics. */
export function wordsPerMemberFor(topicCount: number): number {
  return Math.max(1, Math.ceil(topicCount / 32));
}

/** The subscription bitset round-robin tests membership with. */
export function subscriptionBitsOf(layout: PartitionLayout): Int32Array {
  const words = wordsPerMemberFor(layout.topics.length);
  const bits = new Int32Array(layout.members.length * words);
  layout.subscriptions.forEach((topics, m) => {
    for (const t of topics) bits[m * words + (t >>> 5)] |= 1 << (t & 31);
  });
  return bits;
}
