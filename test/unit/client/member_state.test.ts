// Scenarios a consumer's user relies on, run against MemberState on a fake clock: some driven by
// the simulated coordinator in simulated_group.ts (several members, real assignors), some with
// responses scripted by hand where one exact answer matters.

import { describe, expect, it } from 'vitest';
import { cooperativeStickyAssignor } from '../../../core/assignors/cooperative_sticky.js';
import { decodeSubscription, encodeAssignment, encodeSubscription } from '../../../core/assignors/consumer_protocol.js';
import { rangeAssignor } from '../../../core/assignors/range.js';
import { stickyAssignor } from '../../../core/assignors/sticky.js';
import type { MemberEffect } from '../../../core/client/member_effects.js';
import type { MemberRequest } from '../../../core/group/group_api.js';
import { MemberState } from '../../../core/client/member_state.js';
import { ErrorCode } from '../../../core/errors.js';
import { SimulatedGroup } from './simulated_group.js';

const timeouts = { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, maxPollIntervalMs: 30_000, rebalanceTimeoutMs: 30_000 };
const eager = { ...timeouts, assignors: [rangeAssignor] };
const cooperative = { ...timeouts, assignors: [cooperativeStickyAssignor] };

function sends(effects: readonly MemberEffect[]): { requestId: number; request: MemberRequest }[] {
  return effects.flatMap((effect) => (effect.type === 'send' ? [{ requestId: effect.requestId, request: effect.request }] : []));
}

function only<T>(list: readonly T[]): T {
  expect(list).toHaveLength(1);
  return list[0];
}

function names(partitions: readonly { topic: string; partitions: readonly number[] }[]): string[] {
  return partitions.flatMap(({ topic, partitions: ps }) => ps.map((p) => `${topic}-${p}`));
}

/** A member joined and synced by hand as the only member, owning `partitions` of topic t. */
function stableMember(config = eager, partitions = [0, 1]): { member: MemberState; nowMs: number } {
  const member = new MemberState({ groupId: 'g', ...config });
  member.metadataChanged(new Map([['t', 4]]), 0);
  const join = only(sends(member.start({ topics: ['t'] }, 0)));
  const sync = only(
    sends(
      member.joinGroupResponse(join.requestId, { errorCode: 0, generationId: 1, protocolName: config.assignors[0].name, leader: 'other', memberId: 'm1', members: [] }, 10),
    ),
  );
  member.syncGroupResponse(sync.requestId, { errorCode: 0, assignment: encodeAssignment({ version: 0, assignedPartitions: [{ topic: 't', partitions }] }) }, 20);
  expect(member.phase).toBe('stable');
  return { member, nowMs: 20 };
}

/** Ticks until the member sends a heartbeat; returns its request id. */
function nextHeartbeat(member: MemberState, fromMs: number): { requestId: number; nowMs: number } {
  for (let nowMs = fromMs; nowMs < fromMs + 5_000; nowMs += 100) {
    const heartbeat = sends(member.tick(nowMs)).find(({ request }) => request.api === 'Heartbeat');
    if (heartbeat !== undefined) return { requestId: heartbeat.requestId, nowMs };
  }
  throw new Error('no heartbeat within 5 s');
}

describe('joining', () => {
  it('MEMBER_ID_REQUIRED is followed by a rejoin with the given id', () => {
    const member = new MemberState({ groupId: 'g', ...eager });
    const first = only(sends(member.start({ topics: ['t'] }, 0)));
    expect(first.request.api).toBe('JoinGroup');
    if (first.request.api !== 'JoinGroup') return;
    expect(first.request.body.memberId).toBe('');
    const effects = member.joinGroupResponse(
      first.requestId,
      { errorCode: ErrorCode.MEMBER_ID_REQUIRED, generationId: -1, protocolName: null, leader: '', memberId: 'client-7f3a', members: [] },
      5,
    );
    const second = only(sends(effects));
    expect(second.request.api).toBe('JoinGroup');
    if (second.request.api !== 'JoinGroup') return;
    expect(second.request.body.memberId).toBe('client-7f3a');
    expect(member.generationId).toBe(-1);
  });

  it('a lone member is assigned every partition and reports GROUP_JOIN as leader', () => {
    const group = new SimulatedGroup({ t: 3 });
    const a = group.addMember('a', eager);
    group.start(a, { topics: ['t'] });
    group.settle();
    expect(a.state.phase).toBe('stable');
    expect(a.owned()).toEqual(['t-0', 't-1', 't-2']);
    expect(a.callbackLog()).toEqual(['assigned t-0,t-1,t-2']);
    const join = a.events.find((event) => event.type === 'GROUP_JOIN');
    expect(join).toMatchObject({ type: 'GROUP_JOIN', isLeader: true, generationId: 1, groupProtocol: 'range' });
  });

  it('coordinator errors are retried after a growing backoff, not at once', () => {
    const member = new MemberState({ groupId: 'g', ...eager, retryBackoffMs: 100, retryBackoffMaxMs: 1_000 });
    let join = only(sends(member.start({ topics: ['t'] }, 0)));
    const retryTimes: number[] = [];
    let nowMs = 0;
    for (let attempt = 0; attempt < 5; attempt++) {
      const failure = { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, generationId: -1, protocolName: null, leader: '', memberId: '', members: [] };
      expect(sends(member.joinGroupResponse(join.requestId, failure, nowMs))).toEqual([]);
      expect(member.phase).toBe('backoff');
      const failedAt = nowMs;
      for (;;) {
        nowMs += 10;
        const retried = sends(member.tick(nowMs));
        if (retried.length > 0) {
          join = only(retried);
          retryTimes.push(nowMs - failedAt);
          break;
        }
      }
    }
    expect(retryTimes).toEqual([100, 200, 400, 800, 1_000]);
  });

  it('an error no retry can fix (INCONSISTENT_GROUP_PROTOCOL) crashes the member', () => {
    const member = new MemberState({ groupId: 'g', ...eager });
    const join = only(sends(member.start({ topics: ['t'] }, 0)));
    const effects = member.joinGroupResponse(
      join.requestId,
      { errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, generationId: -1, protocolName: null, leader: '', memberId: '', members: [] },
      1,
    );
    expect(member.phase).toBe('failed');
    expect(effects).toContainEqual(expect.objectContaining({ type: 'event', event: expect.objectContaining({ type: 'CRASH', restart: false }) }));
  });
});

describe('rebalancing', () => {
  it('eager rebalance revokes everything first', () => {
    const group = new SimulatedGroup({ t: 4 });
    const a = group.addMember('a', eager);
    group.start(a, { topics: ['t'] });
    group.settle();
    expect(a.owned()).toEqual(['t-0', 't-1', 't-2', 't-3']);

    const b = group.addMember('b', eager);
    group.start(b, { topics: ['t'] });
    group.advance(2_000); // a learns of the rebalance from its next heartbeat

    expect(a.callbackLog()).toEqual(['assigned t-0,t-1,t-2,t-3', 'revoked t-0,t-1,t-2,t-3', 'assigned t-0,t-1']);
    expect(b.callbackLog()).toEqual(['assigned t-2,t-3']);
    // The revocation came before a's JoinGroup left: nothing was still owned while rejoining.
    const revokedAt = a.effects.findIndex((effect) => effect.type === 'revoked');
    const rejoinAt = a.effects.findIndex((effect, i) => i > 0 && effect.type === 'send' && effect.request.api === 'JoinGroup' && a.effects.slice(0, i).some((e) => e.type === 'assigned'));
    expect(revokedAt).toBeGreaterThan(-1);
    expect(revokedAt).toBeLessThan(rejoinAt);
  });

  it('cooperative rebalance revokes only the partitions that move', () => {
    const group = new SimulatedGroup({ t: 4 });
    const a = group.addMember('a', cooperative);
    group.start(a, { topics: ['t'] });
    group.settle();
    expect(a.owned()).toEqual(['t-0', 't-1', 't-2', 't-3']);

    const b = group.addMember('b', cooperative);
    group.start(b, { topics: ['t'] });
    group.advance(3_000);

    const revoked = a.callbacks.filter((c) => c.kind === 'revoked').flatMap((c) => names(c.partitions));
    expect(revoked).toHaveLength(2);
    expect(a.owned()).toHaveLength(2);
    for (const partition of a.owned()) expect(revoked).not.toContain(partition); // kept ones were never revoked
    expect(b.owned().sort()).toEqual([...revoked].sort());
    // Two rebalances: the first withholds what moves, the second hands it to b.
    expect(group.generationId).toBe(3);
    expect(a.callbacks.some((c) => c.kind === 'lost')).toBe(false);
    // Nothing owned twice at any point: b's assignment arrived after a's revocation.
    const revokedAtMs = a.callbacks.find((c) => c.kind === 'revoked')?.atMs as number;
    const bGotAtMs = b.callbacks.find((c) => c.kind === 'assigned' && c.partitions.length > 0)?.atMs as number;
    expect(revokedAtMs).toBeLessThanOrEqual(bGotAtMs);
  });

  it('listener order: revoked before assigned, within one SyncGroup', () => {
    // A cooperative member loses t-1 and gains t-2 in one assignment.
    const { member, nowMs } = stableMember(cooperative, [0, 1]);
    const heartbeat = nextHeartbeat(member, nowMs);
    const rejoin = only(sends(member.heartbeatResponse(heartbeat.requestId, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS }, heartbeat.nowMs)));
    expect(rejoin.request.api).toBe('JoinGroup');
    if (rejoin.request.api !== 'JoinGroup') return;
    // Cooperative: it keeps and declares what it owns while rejoining.
    expect(decodeSubscription(rejoin.request.body.protocols[0].metadata).ownedPartitions).toEqual([{ topic: 't', partitions: [0, 1] }]);
    expect(member.ownedPartitions()).toEqual([{ topic: 't', partitions: [0, 1] }]);
    const sync = only(
      sends(member.joinGroupResponse(rejoin.requestId, { errorCode: 0, generationId: 2, protocolName: 'cooperative-sticky', leader: 'other', memberId: 'm1', members: [] }, heartbeat.nowMs + 1)),
    );
    const effects = member.syncGroupResponse(
      sync.requestId,
      { errorCode: 0, assignment: encodeAssignment({ version: 0, assignedPartitions: [{ topic: 't', partitions: [0, 2] }] }) },
      heartbeat.nowMs + 2,
    );
    const callbacks = effects.filter((effect) => effect.type === 'revoked' || effect.type === 'assigned');
    expect(callbacks).toEqual([
      { type: 'revoked', partitions: [{ topic: 't', partitions: [1] }] },
      { type: 'assigned', partitions: [{ topic: 't', partitions: [2] }] },
    ]);
    // Having revoked something, it rejoins at once so t-1 can be handed on.
    expect(sends(effects).map(({ request }) => request.api)).toEqual(['JoinGroup']);
  });

  it('a regex subscription that matches a new topic rejoins and is assigned it', () => {
    const group = new SimulatedGroup({ 'orders-eu': 2, audit: 1 });
    const a = group.addMember('a', eager);
    group.start(a, { topics: [/^orders-/] });
    group.settle();
    expect(a.owned()).toEqual(['orders-eu-0', 'orders-eu-1']);
    group.setPartitions('orders-us', 1);
    expect(a.owned()).toEqual(['orders-eu-0', 'orders-eu-1', 'orders-us-0']);
    expect(a.owned()).not.toContain('audit-0');
  });

  it('the leader rejoins when a topic gains partitions, and the new partition is assigned', () => {
    const group = new SimulatedGroup({ t: 2 });
    const a = group.addMember('a', cooperative);
    group.start(a, { topics: ['t'] });
    group.settle();
    group.setPartitions('t', 3);
    expect(a.owned()).toEqual(['t-0', 't-1', 't-2']);
    expect(a.callbacks.some((c) => c.kind === 'revoked' || c.kind === 'lost')).toBe(false);
  });

  it('an eager sticky member declares what it held, so the leader keeps it in place', () => {
    const { member, nowMs } = stableMember({ ...timeouts, assignors: [stickyAssignor] }, [1, 3]);
    const heartbeat = nextHeartbeat(member, nowMs);
    const effects = member.heartbeatResponse(heartbeat.requestId, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS }, heartbeat.nowMs);
    const rejoin = only(sends(effects));
    if (rejoin.request.api !== 'JoinGroup') throw new Error('expected JoinGroup');
    expect(member.ownedPartitions()).toEqual([]);
    const subscription = decodeSubscription(rejoin.request.body.protocols[0].metadata);
    expect(subscription.ownedPartitions).toEqual([{ topic: 't', partitions: [1, 3] }]);
    expect(subscription.generationId).toBe(1);
  });
});

describe('liveness', () => {
  it('heartbeats continue while a long batch runs', () => {
    const group = new SimulatedGroup({ t: 2 });
    const a = group.addMember('a', eager);
    group.start(a, { topics: ['t'] });
    group.settle();
    const before = a.sent.filter((request) => request.api === 'Heartbeat').length;
    // 20 s of one handler call: no pollCompleted, but well inside max.poll.interval.ms (30 s).
    group.advance(20_000);
    const heartbeats = a.sent.filter((request) => request.api === 'Heartbeat').length - before;
    expect(heartbeats).toBeGreaterThanOrEqual(19);
    expect(heartbeats).toBeLessThanOrEqual(21);
    expect(a.state.phase).toBe('stable');
    expect(a.callbackLog()).toEqual(['assigned t-0,t-1']);
    expect(a.eventTypes().filter((type) => type === 'HEARTBEAT').length).toBe(heartbeats);
  });

  it('a member whose handler exceeds max.poll.interval leaves the group and rejoins', () => {
    const group = new SimulatedGroup({ t: 2 });
    const a = group.addMember('a', eager);
    const b = group.addMember('b', eager);
    group.start(a, { topics: ['t'] });
    group.start(b, { topics: ['t'] });
    group.settle();
    group.advance(2_000);
    expect(a.owned().length + b.owned().length).toBe(2);
    const firstMemberId = a.state.memberId;

    // b keeps polling; a's handler is stuck for longer than 30 s.
    group.advance(31_000, 100, () => group.apply(b, b.state.pollCompleted(group.nowMs)));
    expect(a.state.phase).toBe('leftGroup');
    expect(a.sent.some((request) => request.api === 'LeaveGroup')).toBe(true);
    expect(a.eventTypes()).toContain('GROUP_LEAVE');
    expect(a.callbacks.at(-1)?.kind).toBe('lost');
    expect(a.owned()).toEqual([]);
    // The group went on without it: b took everything.
    expect(b.owned()).toEqual(['t-0', 't-1']);

    // The handler returns; the next poll rejoins as a new member and gets a share back.
    group.pollAll();
    group.advance(3_000, 100, () => group.pollAll());
    expect(a.state.phase).toBe('stable');
    expect(a.state.memberId).not.toBe(firstMemberId);
    expect(a.owned()).toHaveLength(1);
    expect(b.owned()).toHaveLength(1);
  });

  it('session expiry reports lost, not revoked', () => {
    const group = new SimulatedGroup({ t: 2 });
    const a = group.addMember('a', eager);
    group.start(a, { topics: ['t'] });
    group.settle();
    group.partitioned.add('a'); // heartbeats vanish
    group.advance(10_000, 100, () => group.apply(a, a.state.pollCompleted(group.nowMs)));
    expect(a.callbackLog()).toEqual(['assigned t-0,t-1', 'lost t-0,t-1']);
    expect(a.state.memberId).toBe('');
    const lastJoin = a.sent.filter((request) => request.api === 'JoinGroup').at(-1);
    expect(lastJoin?.api === 'JoinGroup' && lastJoin.body.memberId).toBe('');

    // The network heals: the next attempt (after the caller reports the lost request) joins afresh.
    group.partitioned.delete('a');
    const pendingJoin = a.effects.filter((effect) => effect.type === 'send').at(-1);
    if (pendingJoin?.type !== 'send') throw new Error('expected a send');
    group.apply(a, a.state.requestFailed(pendingJoin.requestId, group.nowMs));
    group.advance(2_000, 100, () => group.apply(a, a.state.pollCompleted(group.nowMs)));
    expect(a.owned()).toEqual(['t-0', 't-1']);
  });

  it('UNKNOWN_MEMBER_ID on a heartbeat reports lost and rejoins as a new member', () => {
    const { member, nowMs } = stableMember(eager, [0, 1]);
    const heartbeat = nextHeartbeat(member, nowMs);
    const effects = member.heartbeatResponse(heartbeat.requestId, { errorCode: ErrorCode.UNKNOWN_MEMBER_ID }, heartbeat.nowMs);
    expect(effects.filter((e) => e.type === 'lost' || e.type === 'revoked')).toEqual([{ type: 'lost', partitions: [{ topic: 't', partitions: [0, 1] }] }]);
    const join = only(sends(effects));
    expect(join.request.api === 'JoinGroup' && join.request.body.memberId).toBe('');
  });

  it('ILLEGAL_GENERATION reports lost and rejoins with the same member id', () => {
    const { member, nowMs } = stableMember(cooperative, [0, 1]);
    const heartbeat = nextHeartbeat(member, nowMs);
    const effects = member.heartbeatResponse(heartbeat.requestId, { errorCode: ErrorCode.ILLEGAL_GENERATION }, heartbeat.nowMs);
    expect(effects.some((e) => e.type === 'lost')).toBe(true);
    expect(effects.some((e) => e.type === 'revoked')).toBe(false);
    const join = only(sends(effects));
    if (join.request.api !== 'JoinGroup') throw new Error('expected JoinGroup');
    expect(join.request.body.memberId).toBe('m1');
    // It claims nothing and no generation: the coordinator already gave them away.
    const subscription = decodeSubscription(join.request.body.protocols[0].metadata);
    expect(subscription.ownedPartitions).toEqual([]);
    expect(subscription.generationId).toBe(-1);
  });

  it('FENCED_INSTANCE_ID is fatal: partitions lost, CRASH, no retry', () => {
    const { member, nowMs } = stableMember({ ...eager, groupInstanceId: 'pod-1' } as typeof eager, [0]);
    const heartbeat = nextHeartbeat(member, nowMs);
    const effects = member.heartbeatResponse(heartbeat.requestId, { errorCode: ErrorCode.FENCED_INSTANCE_ID }, heartbeat.nowMs);
    expect(effects[0]).toEqual({ type: 'lost', partitions: [{ topic: 't', partitions: [0] }] });
    expect(effects.at(-1)).toMatchObject({ type: 'event', event: { type: 'CRASH' } });
    expect(member.phase).toBe('failed');
    expect(member.tick(heartbeat.nowMs + 60_000)).toEqual([]);
  });

  it('a heartbeat answered after the member began rejoining is ignored', () => {
    const { member, nowMs } = stableMember(cooperative, [0]);
    const heartbeat = nextHeartbeat(member, nowMs);
    const commit = only(sends(member.commitOffsets([{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }], heartbeat.nowMs)));
    // The commit finds the group rebalancing: the member rejoins, dropping the heartbeat in flight.
    member.offsetCommitResponse(commit.requestId, { topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.REBALANCE_IN_PROGRESS }] }] }, heartbeat.nowMs + 1);
    expect(member.phase).toBe('joining');
    expect(member.heartbeatResponse(heartbeat.requestId, { errorCode: ErrorCode.UNKNOWN_MEMBER_ID }, heartbeat.nowMs + 2)).toEqual([]);
    expect(member.ownedPartitions()).toEqual([{ topic: 't', partitions: [0] }]);
  });
});

describe('stopping and committing', () => {
  it('a dynamic member revokes, then sends LeaveGroup, then stops', () => {
    const { member, nowMs } = stableMember(eager, [0, 1]);
    const effects = member.stop(nowMs + 1);
    expect(effects.map((e) => (e.type === 'send' ? e.request.api : e.type))).toEqual(['revoked', 'LeaveGroup']);
    expect(member.phase).toBe('leaving');
    const leave = only(sends(effects));
    const done = member.leaveGroupResponse(leave.requestId, { errorCode: 0 }, nowMs + 2);
    expect(done).toEqual([{ type: 'event', event: { type: 'STOP' } }]);
    expect(member.phase).toBe('stopped');
  });

  it('a static member does not send LeaveGroup on stop', () => {
    const { member, nowMs } = stableMember({ ...eager, groupInstanceId: 'pod-1' } as typeof eager, [0, 1]);
    const effects = member.stop(nowMs + 1);
    expect(sends(effects)).toEqual([]);
    expect(effects.map((e) => e.type)).toEqual(['revoked', 'event']);
    expect(member.phase).toBe('stopped');
  });

  it('commits carry the current generation and member id; none is sent without a generation', () => {
    const member = new MemberState({ groupId: 'g', ...eager });
    member.start({ topics: ['t'] }, 0);
    expect(member.commitOffsets([], 1)).toEqual([{ type: 'commitRefused', errorCode: ErrorCode.UNKNOWN_MEMBER_ID }]);
    const { member: stable, nowMs } = stableMember(eager, [0]);
    const commit = only(sends(stable.commitOffsets([{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 9, committedLeaderEpoch: -1, committedMetadata: null }] }], nowMs)));
    expect(commit.request).toMatchObject({ api: 'OffsetCommit', body: { generationId: 1, memberId: 'm1' } });
  });

  it('the leader decodes a kafkajs-style v0 subscription and assigns to it', () => {
    const member = new MemberState({ groupId: 'g', ...eager });
    member.metadataChanged(new Map([['t', 2]]), 0);
    const join = only(sends(member.start({ topics: ['t'] }, 0)));
    if (join.request.api !== 'JoinGroup') throw new Error('expected JoinGroup');
    const effects = member.joinGroupResponse(
      join.requestId,
      {
        errorCode: 0,
        generationId: 1,
        protocolName: 'range',
        leader: 'm1',
        memberId: 'm1',
        members: [
          { memberId: 'm1', groupInstanceId: null, metadata: join.request.body.protocols[0].metadata },
          { memberId: 'm2', groupInstanceId: null, metadata: encodeSubscription({ version: 0, topics: ['t'] }) },
        ],
      },
      1,
    );
    const sync = only(sends(effects));
    if (sync.request.api !== 'SyncGroup') throw new Error('expected SyncGroup');
    expect(sync.request.body.generationId).toBe(1);
    expect(sync.request.body.assignments.map((a) => a.memberId)).toEqual(['m1', 'm2']);
    expect(effects).toContainEqual({ type: 'watchTopics', topics: ['t'] });
  });
});


