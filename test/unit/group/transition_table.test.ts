// The coordinator's table, walked cell by cell: every (state, request) pair of the classic protocol with
// the response code and the state the group is in afterwards. The table is the spec; a change in
// behaviour must change a row here.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import type { GroupState } from '../../../core/group/group_state.js';
import { GroupTestContext, type TestMember } from '../../support/group_test_context.js';

const group = 'table';
const parked = 'parked';
type Outcome = readonly [code: number | typeof parked, next: GroupState];

/** A context whose group is in `state`, and `b`: a member (or former member) to send as. */
function inState(state: GroupState): { t: GroupTestContext; b: TestMember } {
  const t = new GroupTestContext();
  const [a, b] = t.stableGroup(group, 2);
  switch (state) {
    case 'Stable':
      break;
    case 'PreparingRebalance':
      t.join(group); // a third member: a and b have not rejoined yet
      break;
    case 'CompletingRebalance': {
      t.join(group, { memberId: a.memberId });
      const bJoin = t.join(group, { memberId: b.memberId });
      return { t, b: { ...b, generationId: bJoin.response.generationId } };
    }
    case 'Empty':
      t.leave(group, a, b);
      break;
    case 'Dead':
      t.leave(group, a, b);
      t.deleteGroups(group);
      break;
  }
  expect(t.state(group)).toBe(state);
  return { t, b };
}

type Request = (t: GroupTestContext, b: TestMember) => number | typeof parked;

function joinCode(reply: { done: boolean; response: { errorCode: number } }): number | typeof parked {
  return reply.done ? reply.response.errorCode : parked;
}

const requests: Record<string, Request> = {
  'JoinGroup, new member': (t) => joinCode(t.join(group)),
  'JoinGroup, known member, same metadata': (t, b) => joinCode(t.join(group, { memberId: b.memberId })),
  SyncGroup: (t, b) => joinCode(t.sync(group, b)),
  Heartbeat: (t, b) => t.heartbeat(group, b),
  LeaveGroup: (t, b) => t.leave(group, b).members[0].errorCode,
  'OffsetCommit, member': (t, b) => t.commit(group, b, { 'orders/0': 1 }).topics[0].partitions[0].errorCode,
  'OffsetCommit, simple (generation −1)': (t) =>
    t.commit(group, { memberId: '', generationId: -1 }, { 'orders/0': 1 }).topics[0].partitions[0].errorCode,
};

const { NONE, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION } = ErrorCode;

const table: Record<GroupState, Record<keyof typeof requests, Outcome>> = {
  Empty: {
    'JoinGroup, new member': [parked, 'PreparingRebalance'],
    'JoinGroup, known member, same metadata': [UNKNOWN_MEMBER_ID, 'Empty'],
    SyncGroup: [UNKNOWN_MEMBER_ID, 'Empty'],
    Heartbeat: [UNKNOWN_MEMBER_ID, 'Empty'],
    LeaveGroup: [UNKNOWN_MEMBER_ID, 'Empty'],
    'OffsetCommit, member': [UNKNOWN_MEMBER_ID, 'Empty'],
    'OffsetCommit, simple (generation −1)': [NONE, 'Empty'],
  },
  PreparingRebalance: {
    'JoinGroup, new member': [parked, 'PreparingRebalance'],
    'JoinGroup, known member, same metadata': [parked, 'PreparingRebalance'],
    SyncGroup: [REBALANCE_IN_PROGRESS, 'PreparingRebalance'],
    Heartbeat: [REBALANCE_IN_PROGRESS, 'PreparingRebalance'],
    LeaveGroup: [NONE, 'PreparingRebalance'],
    'OffsetCommit, member': [NONE, 'PreparingRebalance'],
    'OffsetCommit, simple (generation −1)': [UNKNOWN_MEMBER_ID, 'PreparingRebalance'],
  },
  CompletingRebalance: {
    'JoinGroup, new member': [parked, 'PreparingRebalance'],
    'JoinGroup, known member, same metadata': [NONE, 'CompletingRebalance'],
    SyncGroup: [parked, 'CompletingRebalance'],
    Heartbeat: [NONE, 'CompletingRebalance'],
    LeaveGroup: [NONE, 'PreparingRebalance'],
    'OffsetCommit, member': [REBALANCE_IN_PROGRESS, 'CompletingRebalance'],
    'OffsetCommit, simple (generation −1)': [UNKNOWN_MEMBER_ID, 'CompletingRebalance'],
  },
  Stable: {
    'JoinGroup, new member': [parked, 'PreparingRebalance'],
    'JoinGroup, known member, same metadata': [NONE, 'Stable'],
    SyncGroup: [NONE, 'Stable'],
    Heartbeat: [NONE, 'Stable'],
    LeaveGroup: [NONE, 'PreparingRebalance'],
    'OffsetCommit, member': [NONE, 'Stable'],
    'OffsetCommit, simple (generation −1)': [UNKNOWN_MEMBER_ID, 'Stable'],
  },
  // Lanes forgets a deleted group at once: requests meet no group, as in Kafka after deletion.
  Dead: {
    'JoinGroup, new member': [parked, 'PreparingRebalance'],
    'JoinGroup, known member, same metadata': [UNKNOWN_MEMBER_ID, 'Dead'],
    SyncGroup: [UNKNOWN_MEMBER_ID, 'Dead'],
    Heartbeat: [UNKNOWN_MEMBER_ID, 'Dead'],
    LeaveGroup: [UNKNOWN_MEMBER_ID, 'Dead'],
    'OffsetCommit, member': [ILLEGAL_GENERATION, 'Dead'],
    'OffsetCommit, simple (generation −1)': [NONE, 'Empty'],
  },
};

describe('transition table', () => {
  for (const [state, row] of Object.entries(table) as [GroupState, Record<string, Outcome>][]) {
    describe(state, () => {
      for (const [name, [code, next]] of Object.entries(row)) {
        const label = code === parked ? 'parked' : `code ${code}`;
        it(`${name} → ${label}, then ${next}`, () => {
          const { t, b } = inState(state);
          expect(requests[name](t, b)).toBe(code);
          expect(t.state(group)).toBe(next);
        });
      }
    });
  }

  it('covers every request in every state', () => {
    for (const row of Object.values(table)) expect(Object.keys(row).sort()).toEqual(Object.keys(requests).sort());
  });
});
