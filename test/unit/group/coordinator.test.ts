// Scenarios a consumer relies on, each named for the behaviour. The context runs the coordinator
// on a fake clock with initialRebalanceDelayMs 0 unless a test sets it.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { leaveGroupErrorCodeV0, type JoinGroupResponse } from '../../../core/group/group_api.js';
import { InvariantError } from '../../../core/assert.js';
import { assertTransition } from '../../../core/group/group_state.js';
import {
  bytes,
  GroupTestContext,
  rebalanceTimeoutMsDefault,
  sessionTimeoutMsDefault,
  subscription,
  text,
} from '../../support/group_test_context.js';

const group = 'order-processor';

describe('joining', () => {
  it('cuts a 32,766-character client id or group.instance.id to a member id that fits a protocol string', () => {
    // Found by the wire fuzzer: the member id quoted the whole id, and the JoinGroup answer
    // carrying it could not be encoded.
    const t = new GroupTestContext();
    const long = 'x'.repeat(32_766);
    const dynamic = t.join(group, { requireKnownMemberId: true, clientId: long });
    expect(dynamic.response.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    const staticJoin = t.join('static-group', { groupInstanceId: long });
    t.completeJoins(staticJoin);
    for (const memberId of [dynamic.response.memberId, staticJoin.response.memberId]) {
      expect(memberId.startsWith('x'.repeat(255) + '-')).toBe(true);
      expect(new TextEncoder().encode(memberId).length).toBeLessThan(1024);
    }
  });

  it('a v4+ member first gets MEMBER_ID_REQUIRED with an id, then joins with it', () => {
    const t = new GroupTestContext();
    const first = t.join(group, { requireKnownMemberId: true, clientId: 'kafkajs' });
    expect(first.response.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.response.memberId).toMatch(/^kafkajs-/);
    expect(t.state(group)).toBe('Empty'); // a pending member is not a member
    const second = t.join(group, { memberId: first.response.memberId, requireKnownMemberId: true });
    t.completeJoins(second);
    expect(second.response.errorCode).toBe(ErrorCode.NONE);
    expect(second.response.memberId).toBe(first.response.memberId);
    expect(second.response.generationId).toBe(1);
    expect(second.response.leader).toBe(first.response.memberId);
    expect(second.response.members.map((member) => member.memberId)).toEqual([first.response.memberId]);
  });

  it('a pending member that never comes back does not hold up the rebalance and expires', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    const pending = t.join(group, { requireKnownMemberId: true });
    expect(pending.response.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(t.state(group)).toBe('Stable');
    expect(t.heartbeat(group, a)).toBe(ErrorCode.NONE);
    t.sleep(sessionTimeoutMsDefault);
    const late = t.join(group, { memberId: pending.response.memberId, requireKnownMemberId: true });
    expect(late.response.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('second member joining a stable group starts a rebalance', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    const b = t.joinV4(group);
    expect(b.done).toBe(false);
    expect(t.state(group)).toBe('PreparingRebalance');
    expect(t.heartbeat(group, a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const aJoin = t.join(group, { memberId: a.memberId });
    expect(aJoin.response.generationId).toBe(2);
    expect(b.response.generationId).toBe(2);
    expect(aJoin.response.leader).toBe(a.memberId); // the leader rejoined, so it stays leader
    expect(aJoin.response.members).toHaveLength(2);
    expect(b.response.members).toEqual([]);
    expect(t.state(group)).toBe('CompletingRebalance');
  });

  it('rejects session timeouts outside the configured bounds with INVALID_SESSION_TIMEOUT', () => {
    const t = new GroupTestContext({ config: { sessionTimeoutMsMin: 6000, sessionTimeoutMsMax: 60_000 } });
    expect(t.join(group, { sessionTimeoutMs: 5999 }).response.errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(t.join(group, { sessionTimeoutMs: 60_001 }).response.errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(t.completeJoins(t.join(group, { sessionTimeoutMs: 6000 }))[0].errorCode).toBe(ErrorCode.NONE);
  });

  it('rejects an empty group id with INVALID_GROUP_ID', () => {
    const t = new GroupTestContext();
    expect(t.join('').response.errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(t.heartbeat('', { memberId: 'm', generationId: 1 })).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('a known member id joining a group that does not exist gets UNKNOWN_MEMBER_ID', () => {
    const t = new GroupTestContext();
    expect(t.join(group, { memberId: 'ghost' }).response.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(t.coordinator.listGroups().groups).toEqual([]);
  });

  it('a member with a different protocol type or no common protocol gets INCONSISTENT_GROUP_PROTOCOL', () => {
    const t = new GroupTestContext();
    t.stableGroup(group, 1);
    expect(t.join(group, { protocolType: 'connect' }).response.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const other = [{ name: 'RoundRobinAssigner', metadata: subscription('orders') }];
    expect(t.join(group, { protocols: other }).response.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(t.join('fresh', { protocols: [] }).response.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('chooses the protocol most members prefer among those all support', () => {
    const t = new GroupTestContext();
    const range = { name: 'range', metadata: subscription('orders') };
    const roundrobin = { name: 'roundrobin', metadata: subscription('orders') };
    const sticky = { name: 'sticky', metadata: subscription('orders') };
    const a = t.join(group, { protocols: [sticky, range, roundrobin] });
    const b = t.join(group, { protocols: [roundrobin, range] });
    const c = t.join(group, { protocols: [range, roundrobin] });
    t.completeJoins(a, b, c);
    // sticky is not supported by b and c; a votes range (its first common), c votes range.
    expect([a, b, c].map((join) => join.response.protocolName)).toEqual(['range', 'range', 'range']);
  });

  it('caps the group at groupSizeMax with GROUP_MAX_SIZE_REACHED', () => {
    const t = new GroupTestContext({ config: { groupSizeMax: 2 } });
    t.stableGroup(group, 2);
    expect(t.joinV4.bind(t, group)).toThrow(/GROUP_MAX_SIZE|expected MEMBER_ID_REQUIRED, got 81/);
    expect(t.join(group).response.errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
  });

  it('waits the initial rebalance delay from Empty so a fleet joins as one generation', () => {
    const t = new GroupTestContext({ config: { initialRebalanceDelayMs: 3000 } });
    const a = t.join(group);
    t.sleep(2000);
    const b = t.join(group); // extends the delay once more
    t.sleep(1000);
    expect(a.done).toBe(false);
    t.sleep(2999);
    expect(a.done).toBe(false);
    t.sleep(1);
    expect(a.response.generationId).toBe(1);
    expect(b.response.generationId).toBe(1);
  });

  it('never extends the initial delay beyond the rebalance timeout', () => {
    const t = new GroupTestContext({ config: { initialRebalanceDelayMs: 3000 } });
    const first = t.join(group, { rebalanceTimeoutMs: 5000 });
    for (let step = 0; step < 10 && !first.done; step++) {
      t.join(group);
      t.sleep(1000);
    }
    expect(first.done).toBe(true);
    expect(t.clock.nowMs() - 1_700_000_000_000).toBeLessThanOrEqual(5000 + 1000);
  });

  it('a follower rejoining a stable group with unchanged metadata gets the current generation', () => {
    const t = new GroupTestContext();
    const [, b] = t.stableGroup(group, 2);
    const again = t.join(group, { memberId: b.memberId });
    expect(again.response.errorCode).toBe(ErrorCode.NONE);
    expect(again.response.generationId).toBe(b.generationId);
    expect(t.state(group)).toBe('Stable');
  });

  it('the leader rejoining a stable group starts a rebalance', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 2);
    const again = t.join(group, { memberId: a.memberId });
    expect(again.done).toBe(false);
    expect(t.state(group)).toBe('PreparingRebalance');
  });

  it('a member changing its subscription starts a rebalance', () => {
    const t = new GroupTestContext({ topics: { orders: 4, payments: 2 } });
    const [, b] = t.stableGroup(group, 2);
    t.join(group, { memberId: b.memberId, protocols: [{ name: 'roundrobin', metadata: subscription('orders', 'payments') }] });
    expect(t.state(group)).toBe('PreparingRebalance');
  });

  it('members that do not rejoin within the rebalance timeout are removed', () => {
    const t = new GroupTestContext();
    const [a, b] = t.stableGroup(group, 2);
    const c = t.joinV4(group);
    const aJoin = t.join(group, { memberId: a.memberId });
    for (let elapsed = 0; elapsed < rebalanceTimeoutMsDefault; elapsed += 5000) {
      t.sleep(5000);
      // b keeps heartbeating, so only the rebalance timeout can drop it.
      if (!aJoin.done) expect(t.heartbeat(group, b)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    }
    expect(aJoin.response.generationId).toBe(a.generationId + 1);
    expect(aJoin.response.members.map((member) => member.memberId).sort()).toEqual([a.memberId, c.response.memberId].sort());
    expect(t.heartbeat(group, b)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('answers a JoinGroup that a retry superseded, so no request waits forever', () => {
    const t = new GroupTestContext();
    const [a, b] = t.stableGroup(group, 2);
    const first = t.join(group, { memberId: a.memberId });
    const retry = t.join(group, { memberId: a.memberId });
    expect(first.response.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    t.join(group, { memberId: b.memberId });
    expect(retry.response.errorCode).toBe(ErrorCode.NONE);
  });
});

describe('syncing', () => {
  it('holds followers’ SyncGroup until the leader’s arrives, then gives each its own assignment', () => {
    const t = new GroupTestContext();
    const a = t.joinV4(group);
    const b = t.joinV4(group);
    t.completeJoins(a, b);
    const leader = a.response.memberId === a.response.leader ? a.response : b.response;
    const follower = leader === a.response ? b.response : a.response;
    const followerSync = t.sync(group, follower);
    expect(followerSync.done).toBe(false);
    expect(t.heartbeat(group, follower)).toBe(ErrorCode.NONE); // allowed while waiting
    const leaderSync = t.sync(group, leader, { [leader.memberId]: bytes('p0,p1'), [follower.memberId]: bytes('p2,p3') });
    expect(text(leaderSync.response.assignment)).toBe('p0,p1');
    expect(text(followerSync.response.assignment)).toBe('p2,p3');
    expect(followerSync.response.protocolName).toBe('roundrobin');
    expect(t.state(group)).toBe('Stable');
  });

  it('a member the leader left out gets empty assignment bytes', () => {
    const t = new GroupTestContext();
    const [a, b] = t.stableGroup(group, 2, { assignment: (memberId, index) => (index === 0 ? bytes('all') : new Uint8Array(0)) });
    expect(a).toBeDefined();
    const sync = t.sync(group, b);
    expect(sync.response.assignment.length).toBe(0);
  });

  it('SyncGroup during PreparingRebalance gets REBALANCE_IN_PROGRESS', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    t.joinV4(group);
    expect(t.sync(group, a).response.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('held SyncGroups get REBALANCE_IN_PROGRESS when a member leaves before the leader syncs', () => {
    const t = new GroupTestContext();
    const a = t.joinV4(group);
    const b = t.joinV4(group);
    const c = t.joinV4(group);
    t.completeJoins(a, b, c);
    const followers = [a, b, c].map((join) => join.response).filter((response) => response.memberId !== response.leader);
    const held = t.sync(group, followers[0]);
    t.leave(group, followers[1]);
    expect(held.response.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(t.state(group)).toBe('PreparingRebalance');
  });

  it('removes members that do not sync within the rebalance timeout and rebalances', () => {
    const t = new GroupTestContext();
    // Long sessions, so that only the sync deadline can remove anyone here.
    const a = t.joinV4(group, { sessionTimeoutMs: 60_000 });
    const b = t.joinV4(group, { sessionTimeoutMs: 60_000 });
    t.completeJoins(a, b);
    const [leader, follower] = a.response.memberId === a.response.leader ? [a.response, b.response] : [b.response, a.response];
    t.sync(group, leader, { [leader.memberId]: bytes('x'), [follower.memberId]: bytes('y') });
    t.sleep(rebalanceTimeoutMsDefault - 1);
    expect(t.heartbeat(group, leader)).toBe(ErrorCode.NONE);
    t.sleep(1);
    expect(t.state(group)).toBe('PreparingRebalance');
    expect(t.heartbeat(group, follower)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('SyncGroup with an old generation gets ILLEGAL_GENERATION', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    expect(t.sync(group, { ...a, generationId: a.generationId - 1 }).response.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it('SyncGroup naming another protocol gets INCONSISTENT_GROUP_PROTOCOL (v5+)', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    const result = t.coordinator.syncGroup(t.clock.nowMs(), 'sync-x', {
      groupId: group,
      generationId: a.generationId,
      memberId: a.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [],
    });
    expect(result.replies[0].response).toMatchObject({ errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL });
  });
});

describe('liveness', () => {
  it('heartbeat after session timeout gets UNKNOWN_MEMBER_ID', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    t.sleep(sessionTimeoutMsDefault);
    expect(t.heartbeat(group, a)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('heartbeats keep a member alive past its session timeout', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    for (let step = 0; step < 10; step++) {
      t.sleep(sessionTimeoutMsDefault - 1);
      expect(t.heartbeat(group, a)).toBe(ErrorCode.NONE);
    }
  });

  it('uses each member’s own session timeout', () => {
    const t = new GroupTestContext();
    const short = t.joinV4(group, { sessionTimeoutMs: 6000 });
    const long = t.joinV4(group, { sessionTimeoutMs: 45_000 });
    t.completeJoins(short, long);
    const [a, b] = t.syncAll(group, [short.response, long.response]);
    t.sleep(6000);
    expect(t.heartbeat(group, a)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(t.heartbeat(group, b)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('heartbeat with an old generation gets ILLEGAL_GENERATION', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    expect(t.heartbeat(group, { ...a, generationId: 0 })).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it('a heartbeat arriving after the deadline is answered as if the expiry ran on time', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    t.clock.advance(sessionTimeoutMsDefault + 5); // no tick in between
    expect(t.heartbeat(group, a)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a clock that steps back does not fire or undo anything', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    t.sleep(sessionTimeoutMsDefault - 1);
    t.clock.set(t.clock.nowMs() - 60_000);
    expect(t.heartbeat(group, a)).toBe(ErrorCode.NONE);
    t.clock.set(t.clock.nowMs() + 60_000 + sessionTimeoutMsDefault - 2);
    expect(t.heartbeat(group, a)).toBe(ErrorCode.NONE);
  });
});

describe('leaving', () => {
  it('a member leaving a stable group starts a rebalance; the last leaving makes it Empty', () => {
    const t = new GroupTestContext();
    const [a, b] = t.stableGroup(group, 2);
    const response = t.leave(group, a);
    expect(response.members).toEqual([{ memberId: a.memberId, groupInstanceId: null, errorCode: ErrorCode.NONE }]);
    expect(t.state(group)).toBe('PreparingRebalance');
    t.leave(group, b);
    expect(t.state(group)).toBe('Empty');
  });

  it('answers a batch leave per member, unknown ones with UNKNOWN_MEMBER_ID', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 2);
    const response = t.leave(group, a, { memberId: 'ghost' });
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.members.map((member) => member.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
    // v0–v2 carry one code: the single member's error surfaces at the top.
    expect(leaveGroupErrorCodeV0(t.leave(group, { memberId: 'ghost' }))).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(leaveGroupErrorCodeV0(t.leave('no-such-group', { memberId: 'x' }))).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a member leaving while parked in JoinGroup gets its JoinGroup answered', () => {
    const t = new GroupTestContext();
    const [a, b] = t.stableGroup(group, 2);
    const parked = t.join(group, { memberId: a.memberId });
    t.leave(group, a);
    expect(parked.response.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(t.join(group, { memberId: b.memberId }).response.generationId).toBe(2);
  });
});

describe('static membership', () => {
  function staticPair(t: GroupTestContext) {
    const a = t.join(group, { groupInstanceId: 'instance-a', clientId: 'a' });
    const b = t.join(group, { groupInstanceId: 'instance-b', clientId: 'b' });
    t.completeJoins(a, b);
    const members = t.syncAll(group, [a.response, b.response], (memberId) => bytes(`for:${memberId}`));
    return members.map((member, index) => ({ ...member, groupInstanceId: index === 0 ? 'instance-a' : 'instance-b' }));
  }

  it('a static member restart keeps its assignment without a rebalance', () => {
    const t = new GroupTestContext();
    const [a, b] = staticPair(t);
    const restarted = t.join(group, { groupInstanceId: 'instance-b', clientId: 'b' });
    expect(restarted.response.errorCode).toBe(ErrorCode.NONE);
    expect(restarted.response.memberId).not.toBe(b.memberId);
    expect(restarted.response.generationId).toBe(b.generationId);
    expect(t.state(group)).toBe('Stable');
    const sync = t.sync(group, { ...restarted.response, groupInstanceId: 'instance-b' });
    expect(text(sync.response.assignment)).toBe(`for:${b.memberId}`);
    expect(t.heartbeat(group, a)).toBe(ErrorCode.NONE); // nobody else noticed
  });

  it('the old member id of a replaced static member is fenced with FENCED_INSTANCE_ID', () => {
    const t = new GroupTestContext();
    const [, b] = staticPair(t);
    t.join(group, { groupInstanceId: 'instance-b', clientId: 'b' });
    expect(t.heartbeat(group, b)).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(t.commitCodes(group, b, { 'orders/0': 1 })['orders/0']).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(t.sync(group, b).response.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
  });

  it('a static member restarting with changed metadata triggers a rebalance', () => {
    const t = new GroupTestContext({ topics: { orders: 4, payments: 1 } });
    staticPair(t);
    const protocols = [{ name: 'roundrobin', metadata: subscription('orders', 'payments') }];
    const restarted = t.join(group, { groupInstanceId: 'instance-b', clientId: 'b', protocols });
    expect(restarted.done).toBe(false);
    expect(t.state(group)).toBe('PreparingRebalance');
  });

  it('a static member is removed by an admin LeaveGroup naming its instance id', () => {
    const t = new GroupTestContext();
    const [a] = staticPair(t);
    const response = t.leave(group, { memberId: '', groupInstanceId: 'instance-a' });
    expect(response.members[0].errorCode).toBe(ErrorCode.NONE);
    expect(t.heartbeat(group, a)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(t.leave(group, { memberId: '', groupInstanceId: 'instance-z' }).members[0].errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('offsets', () => {
  it('offset commit with an old generation is rejected with ILLEGAL_GENERATION', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    expect(t.commitCodes(group, { ...a, generationId: a.generationId - 1 }, { 'orders/0': 5 })).toEqual({ 'orders/0': ErrorCode.ILLEGAL_GENERATION });
    expect(t.fetch(group, [{ name: 'orders', partitionIndexes: [0] }])).toEqual({ 'orders/0': -1 });
  });

  it('a transactional commit (TxnOffsetCommit v3+, KIP-447) is checked against the member it names: a zombie of an old generation is fenced', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    const named = (over: Partial<{ memberId: string; generationId: number; groupInstanceId: string | null }>) =>
      t.coordinator.validateTxnOffsetCommit({ groupId: group, memberId: a.memberId, generationId: a.generationId, groupInstanceId: null, ...over });
    expect(named({})).toBe(ErrorCode.NONE);
    expect(named({ generationId: a.generationId - 1 })).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(named({ memberId: 'ghost' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // Unlike an OffsetCommit, naming no member of a group with members is allowed (the producer is
    // not a member), and so is a group completing a rebalance: the transaction commits it later.
    expect(named({ memberId: '', generationId: -1 })).toBe(ErrorCode.NONE);
    expect(t.commitCodes(group, { memberId: '', generationId: -1 }, { 'orders/0': 1 })).toEqual({ 'orders/0': ErrorCode.UNKNOWN_MEMBER_ID });
    // An unknown group: only a consumer outside group management (generation −1).
    expect(t.coordinator.validateTxnOffsetCommit({ groupId: 'nobody', memberId: '', generationId: -1, groupInstanceId: null })).toBe(ErrorCode.NONE);
    expect(t.coordinator.validateTxnOffsetCommit({ groupId: 'nobody', memberId: 'm', generationId: 3, groupInstanceId: null })).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(t.coordinator.validateTxnOffsetCommit({ groupId: '', memberId: '', generationId: -1, groupInstanceId: null })).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('offset commit from an unknown member gets UNKNOWN_MEMBER_ID', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    expect(t.commitCodes(group, { ...a, memberId: 'ghost' }, { 'orders/0': 5 })).toEqual({ 'orders/0': ErrorCode.UNKNOWN_MEMBER_ID });
  });

  it('simple commits (generation −1, no member) work only while the group has no members', () => {
    const t = new GroupTestContext();
    const simple = { memberId: '', generationId: -1 };
    expect(t.commitCodes('tool', simple, { 'orders/1': 7 })).toEqual({ 'orders/1': ErrorCode.NONE });
    expect(t.fetch('tool')).toEqual({ 'orders/1': 7 });
    expect(t.state('tool')).toBe('Empty');
    t.stableGroup(group, 1);
    expect(t.commitCodes(group, simple, { 'orders/1': 7 })).toEqual({ 'orders/1': ErrorCode.UNKNOWN_MEMBER_ID });
  });

  it('a commit with a generation to a group that does not exist gets ILLEGAL_GENERATION', () => {
    const t = new GroupTestContext();
    expect(t.commitCodes('nobody', { memberId: 'm', generationId: 3 }, { 'orders/0': 1 })).toEqual({ 'orders/0': ErrorCode.ILLEGAL_GENERATION });
  });

  it('commits get REBALANCE_IN_PROGRESS in CompletingRebalance but are accepted in PreparingRebalance', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    t.joinV4(group); // PreparingRebalance: a may still commit what it processed
    expect(t.commitCodes(group, a, { 'orders/0': 10 })).toEqual({ 'orders/0': ErrorCode.NONE });
    const aJoin = t.join(group, { memberId: a.memberId });
    expect(t.state(group)).toBe('CompletingRebalance');
    expect(t.commitCodes(group, aJoin.response, { 'orders/0': 11 })).toEqual({ 'orders/0': ErrorCode.REBALANCE_IN_PROGRESS });
  });

  it('answers unknown topics and partitions per partition with UNKNOWN_TOPIC_OR_PARTITION', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    expect(t.commitCodes(group, a, { 'orders/3': 1, 'orders/4': 1, 'nope/0': 1 })).toEqual({
      'orders/3': ErrorCode.NONE,
      'orders/4': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      'nope/0': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    });
  });

  it('refuses metadata beyond the limit with OFFSET_METADATA_TOO_LARGE', () => {
    const t = new GroupTestContext({ config: { offsetMetadataBytesMax: 8 } });
    const [a] = t.stableGroup(group, 1);
    expect(t.commitCodes(group, a, { 'orders/0': 1 }, '12345678')).toEqual({ 'orders/0': ErrorCode.NONE });
    expect(t.commitCodes(group, a, { 'orders/0': 2 }, '123456789')).toEqual({ 'orders/0': ErrorCode.OFFSET_METADATA_TOO_LARGE });
    expect(t.fetch(group)).toEqual({ 'orders/0': 1 });
  });

  it('fetches −1 for partitions without a commit and every committed partition when topics is null', () => {
    const t = new GroupTestContext({ topics: { orders: 4, payments: 2 } });
    const [a] = t.stableGroup(group, 1);
    t.commit(group, a, { 'payments/1': 3, 'orders/2': 9 }, 'meta');
    expect(t.fetch(group, [{ name: 'orders', partitionIndexes: [1, 2] }])).toEqual({ 'orders/1': -1, 'orders/2': 9 });
    expect(t.fetch(group)).toEqual({ 'orders/2': 9, 'payments/1': 3 });
    const fetched = t.coordinator.offsetFetch({ groupId: group, topics: [{ name: 'orders', partitionIndexes: [1, 2] }] });
    expect(fetched.topics[0].partitions).toEqual([
      { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
      { partitionIndex: 2, committedOffset: 9, committedLeaderEpoch: -1, metadata: 'meta', errorCode: 0 },
    ]);
  });

  it('a commit resets the member’s session timer', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    t.sleep(sessionTimeoutMsDefault - 1);
    t.commit(group, a, { 'orders/0': 1 });
    t.sleep(sessionTimeoutMsDefault - 1);
    expect(t.heartbeat(group, a)).toBe(ErrorCode.NONE);
  });

  it('OffsetDelete refuses topics a member subscribes to and deletes the rest', () => {
    const t = new GroupTestContext({ topics: { orders: 4, old: 1 } });
    const [a] = t.stableGroup(group, 1);
    t.commit(group, a, { 'orders/0': 5, 'old/0': 6 });
    const result = t.coordinator.offsetDelete(t.clock.nowMs(), 'del', {
      groupId: group,
      topics: [{ name: 'orders', partitionIndexes: [0] }, { name: 'old', partitionIndexes: [0] }, { name: 'gone', partitionIndexes: [0] }],
    });
    expect(result.replies[0].response).toEqual({
      errorCode: 0,
      topics: [
        { name: 'orders', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }] },
        { name: 'old', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }] },
        { name: 'gone', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
      ],
    });
    expect(t.fetch(group)).toEqual({ 'orders/0': 5 });
    const missing = t.coordinator.offsetDelete(t.clock.nowMs(), 'del2', { groupId: 'missing', topics: [] });
    expect(missing.replies[0].response).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND });
  });

  it('OffsetDelete during a rebalance counts a member that lacks the chosen protocol as subscribed', () => {
    // Found by the wire fuzzer: the new member offers only 'range' (the group chose 'roundrobin',
    // which the others also offer), so its subscription is unknown until the rebalance ends; the
    // coordinator used to assert on its missing metadata.
    const t = new GroupTestContext({ topics: { orders: 4, payments: 1 } });
    const both = [
      { name: 'roundrobin', metadata: subscription('payments') },
      { name: 'range', metadata: subscription('payments') },
    ];
    const [a] = t.stableGroup(group, 1, { protocols: both });
    t.commit(group, a, { 'orders/0': 5 });
    const b = t.join(group, { protocols: [{ name: 'range', metadata: subscription('other') }] });
    expect(b.done).toBe(false);
    expect(t.state(group)).toBe('PreparingRebalance');
    const result = t.coordinator.offsetDelete(t.clock.nowMs(), 'del', { groupId: group, topics: [{ name: 'orders', partitionIndexes: [0] }] });
    expect(result.replies[0].response).toEqual({
      errorCode: 0,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }] }],
    });
    expect(t.fetch(group)).toEqual({ 'orders/0': 5 });
  });
});

describe('admin', () => {
  it('describes a stable group with member metadata and assignments, and unknown groups as Dead', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1, { assignment: () => bytes('orders:0-3') });
    const [described, unknown] = t.coordinator.describeGroups([group, 'unknown']);
    expect(described).toMatchObject({ errorCode: 0, groupState: 'Stable', protocolType: 'consumer', protocolData: 'roundrobin' });
    expect(described.members).toHaveLength(1);
    expect(described.members[0]).toMatchObject({ memberId: a.memberId, clientId: 'client-0', clientHost: '/127.0.0.1' });
    expect(text(described.members[0].memberMetadata)).toBe('orders');
    expect(text(described.members[0].memberAssignment)).toBe('orders:0-3');
    expect(unknown).toMatchObject({ errorCode: 0, groupState: 'Dead', members: [] });
  });

  it('lists groups, filtered by state', () => {
    const t = new GroupTestContext();
    t.stableGroup('g-stable', 1);
    t.commit('g-empty', { memberId: '', generationId: -1 }, { 'orders/0': 1 });
    expect(t.coordinator.listGroups().groups.map((listed) => listed.groupId)).toEqual(['g-empty', 'g-stable']);
    expect(t.coordinator.listGroups(['stable']).groups).toEqual([{ groupId: 'g-stable', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' }]);
    expect(t.coordinator.listGroups(['Empty']).groups).toEqual([{ groupId: 'g-empty', protocolType: '', groupState: 'Empty', groupType: 'classic' }]);
  });

  it('deletes only empty groups: NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND otherwise', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    t.commit(group, a, { 'orders/0': 4 });
    expect(t.deleteGroups(group, 'missing')).toEqual({ [group]: ErrorCode.NON_EMPTY_GROUP, missing: ErrorCode.GROUP_ID_NOT_FOUND });
    t.leave(group, a);
    expect(t.deleteGroups(group)).toEqual({ [group]: ErrorCode.NONE });
    expect(t.state(group)).toBe('Dead');
    expect(t.fetch(group, [{ name: 'orders', partitionIndexes: [0] }])).toEqual({ 'orders/0': -1 });
    expect(t.deleteGroups(group)).toEqual({ [group]: ErrorCode.GROUP_ID_NOT_FOUND });
  });

  it('refuses an illegal transition, naming both states', () => {
    expect(() => assertTransition('g', 'Empty', 'Stable')).toThrow(InvariantError);
    expect(() => assertTransition('g', 'Empty', 'Stable')).toThrow(/Empty → Stable/);
  });
});

describe('telemetry', () => {
  it('reports each completed rebalance with its generation, reason, members and duration', () => {
    const t = new GroupTestContext();
    const [a] = t.stableGroup(group, 1);
    t.sleep(1000);
    const b = t.joinV4(group);
    t.sleep(500);
    const aJoin = t.join(group, { memberId: a.memberId });
    t.sleep(250);
    t.syncAll(group, [aJoin.response, b.response]);
    const rebalances = t.events.filter((event) => event.type === 'rebalance');
    expect(rebalances).toHaveLength(2);
    expect(rebalances[1]).toEqual({
      type: 'rebalance',
      groupId: group,
      generationId: 2,
      reason: 'memberJoined',
      members: [a.memberId, b.response.memberId],
      durationMs: 750,
    });
  });

  it('reports a session timeout as the reason and the expired member as removed', () => {
    const t = new GroupTestContext();
    const [a, b] = t.stableGroup(group, 2);
    const keepAlive = (): void => void t.heartbeat(group, a);
    t.sleep(5000);
    keepAlive();
    t.sleep(5000); // b expires here
    const aJoin = t.join(group, { memberId: a.memberId });
    t.syncAll(group, [aJoin.response as JoinGroupResponse]);
    expect(t.events).toContainEqual({ type: 'memberRemoved', groupId: group, memberId: b.memberId, groupInstanceId: null, cause: 'sessionTimeout' });
    expect(t.events.at(-1)).toMatchObject({ type: 'rebalance', generationId: 2, reason: 'sessionTimeout', members: [a.memberId] });
  });
});
