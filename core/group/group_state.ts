// The five states of a classic consumer group and the moves allowed between them, after Kafka's
// ClassicGroupState. The table is the spec: `transitionTo` refuses any other move, because a
// group in a state nobody designed for would answer members wrongly from then on.
//
//   Empty ──join──▶ PreparingRebalance ──all joined / rebalance timeout──▶ CompletingRebalance
//     ▲                 ▲        │ (no members left)                               │
//     │                 │        ▼                                  leader's SyncGroup
//     └─────────────────┼──── Empty                                                ▼
//                       └── member joins, leaves, expires, changes metadata ── Stable
//   Empty ──DeleteGroups──▶ Dead (the group is then forgotten)
//
// What each state answers:
// - Empty: no members (committed offsets may remain). JoinGroup starts a rebalance, delayed by
//   the initial rebalance delay; commits with generation −1 are accepted.
// - PreparingRebalance: collecting JoinGroups. Heartbeat → REBALANCE_IN_PROGRESS (timer reset),
//   SyncGroup → REBALANCE_IN_PROGRESS, commits from the current generation are accepted.
// - CompletingRebalance: joins answered; SyncGroups are held until the leader's arrives.
//   Heartbeat → NONE, OffsetCommit → REBALANCE_IN_PROGRESS.
// - Stable: assignment handed out. Heartbeat → NONE; a follower rejoining with unchanged metadata
//   gets the current generation back, anything else starts a rebalance.
// - Dead: deleted. Lanes removes a Dead group at once, so requests find no group: members get
//   UNKNOWN_MEMBER_ID and DescribeGroups reports "Dead", as Kafka does for unknown groups.

import { assert } from '../assert.js';

export const groupStates = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'] as const;
export type GroupState = (typeof groupStates)[number];

/** For each state, the states a group may enter it from. */
const allowedFrom: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Empty', 'Stable', 'CompletingRebalance'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'],
};

export function isTransitionAllowed(from: GroupState, to: GroupState): boolean {
  return allowedFrom[to].includes(from);
}

export function assertTransition(groupId: string, from: GroupState, to: GroupState): void {
  assert(isTransitionAllowed(from, to), `group ${groupId}: illegal transition ${from} → ${to}`);
}

export function isGroupState(value: string): value is GroupState {
  return (groupStates as readonly string[]).includes(value);
}
