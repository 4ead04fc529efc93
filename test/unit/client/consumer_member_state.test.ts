// Scenarios a consumer's user relies on with `groupProtocol: 'consumer'`, run against
// ConsumerMemberState on a fake clock: scripted answers where one exact answer matters, and a
// seeded simulation of several members against the real KIP-848 coordinator (core/group) with
// slow revocation callbacks, slow networks, joins, leaves and crashes, checking that no partition
// is ever held by two members and that every partition ends with exactly one.

import { describe, expect, it } from 'vitest';
import { ConsumerMemberState } from '../../../core/client/consumer_member_state.js';
import type { ConsumerMemberEffect, ConsumerMemberRequest } from '../../../core/client/member_effects.js';
import { ErrorCode } from '../../../core/errors.js';
import type { ConsumerGroupHeartbeatResponse, GroupReply } from '../../../core/group/group_api.js';
import { ConsumerGroupTestContext } from '../../support/consumer_group_test_context.js';
import { Prng, seedForRun } from '../../support/prng.js';

type Send = { requestId: number; request: ConsumerMemberRequest };

function sends(effects: readonly ConsumerMemberEffect[]): Send[] {
  return effects.flatMap((effect) => (effect.type === 'send' ? [{ requestId: effect.requestId, request: effect.request }] : []));
}

function only<T>(list: readonly T[]): T {
  expect(list).toHaveLength(1);
  return list[0];
}

function heartbeatOf(send: Send) {
  if (send.request.api !== 'ConsumerGroupHeartbeat') throw new Error(`expected a heartbeat, got ${send.request.api}`);
  return send.request.body;
}

function kinds(effects: readonly ConsumerMemberEffect[]): string[] {
  return effects.map((effect) => (effect.type === 'event' ? `event:${effect.event.type}` : effect.type === 'send' ? `send:${effect.request.api}` : effect.type));
}

function answer(memberEpoch: number, assignment: Record<string, number[]> | null, errorCode: number = ErrorCode.NONE): ConsumerGroupHeartbeatResponse {
  return {
    errorCode,
    errorMessage: null,
    memberId: errorCode === ErrorCode.NONE ? 'm1' : null,
    memberEpoch,
    heartbeatIntervalMs: 1_000,
    assignment: assignment === null ? null : Object.entries(assignment).map(([topic, partitions]) => ({ topic, partitions })),
  };
}

function callbackIdOf(effects: readonly ConsumerMemberEffect[]): number {
  const marker = only(effects.filter((effect) => effect.type === 'callbacksDone'));
  if (marker.type !== 'callbacksDone') throw new Error('unreachable');
  return marker.callbackId;
}

/** A member that joined and reconciled `partitions` of topic t at epoch 1; its ack heartbeat is answered. */
function stableMember(partitions = [0, 1], config: { groupInstanceId?: string } = {}): { member: ConsumerMemberState; nowMs: number } {
  const member = new ConsumerMemberState({ groupId: 'g', memberId: 'm1', maxPollIntervalMs: 60_000, rebalanceTimeoutMs: 30_000, ...config });
  const join = only(sends(member.start({ topics: ['t'] }, 0)));
  const reconciled = member.heartbeatResponse(join.requestId, answer(1, { t: partitions }), 10);
  const ack = only(sends(member.callbacksCompleted(callbackIdOf(reconciled), 20)));
  member.heartbeatResponse(ack.requestId, answer(1, { t: partitions }), 30);
  return { member, nowMs: 30 };
}

describe('ConsumerMemberState: joining and reconciling', () => {
  it('joins with epoch 0, owning nothing, subscribed by name, and acknowledges its assignment only after the callbacks ran', () => {
    const member = new ConsumerMemberState({ groupId: 'g', memberId: 'm1', rebalanceTimeoutMs: 30_000 });
    const join = heartbeatOf(only(sends(member.start({ topics: ['t'] }, 0))));
    expect(join).toMatchObject({ groupId: 'g', memberId: 'm1', memberEpoch: 0, subscribedTopicNames: ['t'], ownedPartitions: [], rebalanceTimeoutMs: 30_000, subscribedTopicRegex: null });

    const effects = member.heartbeatResponse(1, answer(1, { t: [0, 1] }), 10);
    expect(kinds(effects)).toEqual(['event:HEARTBEAT', 'event:REBALANCING', 'assigned', 'callbacksDone']);
    expect(member.phase).toBe('stable');
    expect(member.generationId).toBe(1);
    expect(member.ownedPartitions()).toEqual([{ topic: 't', partitions: [0, 1] }]);
    // Before the callbacks return, a due heartbeat claims what onPartitionsAssigned may be reading already.
    const early = only(sends(member.tick(1_010)));
    expect(heartbeatOf(early).ownedPartitions).toEqual([{ topic: 't', partitions: [0, 1] }]);
    member.heartbeatResponse(early.requestId, answer(1, { t: [0, 1] }), 1_020);

    const done = member.callbacksCompleted(callbackIdOf(effects), 1_030);
    expect(kinds(done)).toEqual(['event:GROUP_JOIN', 'send:ConsumerGroupHeartbeat']);
    expect(heartbeatOf(only(sends(done))).ownedPartitions).toEqual([{ topic: 't', partitions: [0, 1] }]);
    const joined = done.find((effect) => effect.type === 'event' && effect.event.type === 'GROUP_JOIN');
    expect(joined).toMatchObject({ event: { generationId: 1, memberId: 'm1', groupProtocol: 'consumer', memberAssignment: [{ topic: 't', partitions: [0, 1] }] } });
  });

  it('reports revoked partitions as owned until onPartitionsRevoked returned, then acknowledges at once', () => {
    const { member } = stableMember([0, 1, 2]);
    const effects = member.heartbeatResponse(only(sends(member.tick(1_030))).requestId, answer(1, { t: [0] }), 1_040);
    expect(effects.filter((effect) => effect.type === 'revoked')).toEqual([{ type: 'revoked', partitions: [{ topic: 't', partitions: [1, 2] }] }]);
    expect(member.ownedPartitions()).toEqual([{ topic: 't', partitions: [0] }]);

    // A slow callback: the interval's heartbeat still claims 1 and 2, so the coordinator keeps them from others.
    const slow = only(sends(member.tick(2_040)));
    expect(heartbeatOf(slow).ownedPartitions).toEqual([{ topic: 't', partitions: [0, 1, 2] }]);
    member.heartbeatResponse(slow.requestId, answer(1, { t: [0] }), 2_050);

    const ack = heartbeatOf(only(sends(member.callbacksCompleted(callbackIdOf(effects), 2_060))));
    expect(ack.ownedPartitions).toEqual([{ topic: 't', partitions: [0] }]);
    expect(ack.memberEpoch).toBe(1);
  });

  it('reconciles an assignment that arrives while callbacks run once they return, not before', () => {
    const { member } = stableMember([0, 1]);
    const first = member.heartbeatResponse(only(sends(member.tick(1_030))).requestId, answer(1, { t: [0] }), 1_040);
    const newer = member.heartbeatResponse(only(sends(member.tick(2_040))).requestId, answer(2, { t: [0, 3] }), 2_050);
    expect(kinds(newer)).toEqual(['event:HEARTBEAT']);
    const done = member.callbacksCompleted(callbackIdOf(first), 2_060);
    expect(kinds(done)).toEqual(['event:GROUP_JOIN', 'send:ConsumerGroupHeartbeat', 'event:REBALANCING', 'assigned', 'callbacksDone']);
    expect(done.find((effect) => effect.type === 'assigned')).toEqual({ type: 'assigned', partitions: [{ topic: 't', partitions: [3] }] });
  });

  it('heartbeats on the interval the coordinator gives, and at once when a pattern matches a new topic', () => {
    const member = new ConsumerMemberState({ groupId: 'g', memberId: 'm1' });
    member.metadataChanged(new Map([['orders-a', 1]]), 0);
    const join = heartbeatOf(only(sends(member.start({ topics: [/^orders-/] }, 0))));
    expect(join.subscribedTopicNames).toEqual(['orders-a']);
    member.heartbeatResponse(1, { ...answer(1, {}), heartbeatIntervalMs: 2_500 }, 10);
    expect(member.nextDeadlineMs()).toBe(2_510);
    const changed = heartbeatOf(only(sends(member.metadataChanged(new Map([['orders-a', 1], ['orders-b', 2]]), 100))));
    expect(changed.subscribedTopicNames).toEqual(['orders-a', 'orders-b']);
  });
});

describe('ConsumerMemberState: errors, leaving, commits', () => {
  it('a fenced member loses its partitions (never revokes them) and rejoins with epoch 0 under the same id', () => {
    const { member } = stableMember([0, 1]);
    const effects = member.heartbeatResponse(only(sends(member.tick(1_030))).requestId, answer(0, null, ErrorCode.FENCED_MEMBER_EPOCH), 1_040);
    expect(effects.filter((effect) => effect.type === 'lost')).toEqual([{ type: 'lost', partitions: [{ topic: 't', partitions: [0, 1] }] }]);
    expect(effects.some((effect) => effect.type === 'revoked')).toBe(false);
    expect(heartbeatOf(only(sends(effects)))).toMatchObject({ memberId: 'm1', memberEpoch: 0, ownedPartitions: [] });
    expect(member.phase).toBe('joining');
  });

  it('retries a heartbeat the coordinator could not take, backing off, keeping its partitions', () => {
    const { member } = stableMember([0]);
    const effects = member.heartbeatResponse(only(sends(member.tick(1_030))).requestId, answer(0, null, ErrorCode.NOT_COORDINATOR), 1_040);
    expect(kinds(effects)).toEqual(['event:COORDINATOR_UNAVAILABLE']);
    expect(member.nextDeadlineMs()).toBe(1_140);
    expect(member.ownedPartitions()).toEqual([{ topic: 't', partitions: [0] }]);
    expect(heartbeatOf(only(sends(member.tick(1_140)))).memberEpoch).toBe(1);
  });

  it('stops on an error nobody can retry (CRASH), its partitions lost', () => {
    const member = new ConsumerMemberState({ groupId: 'g', memberId: 'm1' });
    member.start({ topics: ['t'] }, 0);
    const effects = member.heartbeatResponse(1, { ...answer(0, null, ErrorCode.UNSUPPORTED_ASSIGNOR), errorMessage: 'ServerAssignor x is not supported.' }, 10);
    expect(member.phase).toBe('failed');
    const crash = only(effects.filter((effect) => effect.type === 'event'));
    expect(crash).toMatchObject({ event: { type: 'CRASH', restart: false } });
    expect(String((crash as { event: { error: Error } }).event.error.message)).toContain('ServerAssignor x is not supported.');
  });

  it('stop revokes everything and leaves (epoch −1) only after onPartitionsRevoked returned; a static member leaves with −2', () => {
    for (const [config, epoch] of [[{}, -1], [{ groupInstanceId: 'i1' }, -2]] as const) {
      const { member } = stableMember([0, 1], config);
      const effects = member.stop(1_000);
      expect(kinds(effects)).toEqual(['revoked', 'callbacksDone']);
      expect(sends(effects)).toEqual([]);
      const leave = only(sends(member.callbacksCompleted(callbackIdOf(effects), 1_010)));
      expect(heartbeatOf(leave).memberEpoch).toBe(epoch);
      expect(kinds(member.heartbeatResponse(leave.requestId, answer(epoch, null), 1_020))).toEqual(['event:STOP']);
      expect(member.phase).toBe('stopped');
    }
  });

  it('stopping while onPartitionsAssigned has not run yet still claims those partitions until the revocation returned', () => {
    const { member } = stableMember([0, 1]);
    const grown = member.heartbeatResponse(only(sends(member.tick(1_030))).requestId, answer(2, { t: [0, 1, 2] }), 1_040);
    expect(kinds(grown)).toContain('assigned');
    // Stopped before the callbacks ran: onPartitionsAssigned for 2 may still start reading it.
    const stopping = member.stop(1_050);
    expect(stopping.filter((effect) => effect.type === 'revoked')).toEqual([{ type: 'revoked', partitions: [{ topic: 't', partitions: [0, 1, 2] }] }]);
    // The interval's heartbeat while those callbacks run claims 2 too, so the coordinator keeps it from others.
    const meanwhile = only(sends(member.tick(2_040)));
    expect(heartbeatOf(meanwhile).ownedPartitions).toEqual([{ topic: 't', partitions: [0, 1, 2] }]);
    member.heartbeatResponse(meanwhile.requestId, answer(2, { t: [0, 1] }), 2_050);
    const leave = only(sends(member.callbacksCompleted(callbackIdOf(stopping), 2_060)));
    expect(heartbeatOf(leave).memberEpoch).toBe(-1);
  });

  it('commits under the member epoch, and sends a commit refused for a stale epoch again under the next one', () => {
    const { member } = stableMember([0]);
    const topics = [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }];
    const commit = only(sends(member.commitOffsets(topics, 100)));
    expect(commit.request).toMatchObject({ api: 'OffsetCommit', body: { generationId: 1, memberId: 'm1' } });
    const stale = { topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.STALE_MEMBER_EPOCH }] }] };
    // The coordinator moved the epoch, and its answer saying so has not arrived: heartbeat now, resend after.
    const parked = member.offsetCommitResponse(commit.requestId, stale, 110);
    const heartbeat = only(sends(parked));
    expect(heartbeat.request.api).toBe('ConsumerGroupHeartbeat');
    const resent = only(sends(member.heartbeatResponse(heartbeat.requestId, answer(2, { t: [0] }), 120)));
    expect(resent).toMatchObject({ requestId: commit.requestId, request: { api: 'OffsetCommit', body: { generationId: 2 } } });
    const ok = { topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }] }] };
    expect(member.offsetCommitResponse(commit.requestId, ok, 130)).toEqual([{ type: 'commitCompleted', requestId: commit.requestId, errorCode: ErrorCode.NONE, response: ok }]);
    // Not in the group: refused without a request.
    const joining = new ConsumerMemberState({ groupId: 'g', memberId: 'm2' });
    joining.start({ topics: ['t'] }, 0);
    expect(joining.commitOffsets(topics, 1)).toEqual([{ type: 'commitRefused', errorCode: ErrorCode.UNKNOWN_MEMBER_ID }]);
  });

  it('a handler past max.poll.interval.ms makes the member leave (partitions lost) and rejoin on its next poll', () => {
    const { member } = stableMember([0]);
    const effects = member.tick(60_000);
    expect(kinds(effects)).toEqual(['lost', 'send:ConsumerGroupHeartbeat', 'event:GROUP_LEAVE']);
    expect(heartbeatOf(only(sends(effects))).memberEpoch).toBe(-1);
    expect(member.phase).toBe('leftGroup');
    expect(heartbeatOf(only(sends(member.pollCompleted(60_100)))).memberEpoch).toBe(0);
  });
});

// ─── The simulation ──────────────────────────────────────────────────────────────────────────

interface SimMember {
  readonly name: string;
  readonly state: ConsumerMemberState;
  /** Callback effects and markers, run in order (as the driver's queue). */
  readonly queue: ConsumerMemberEffect[];
  /** Requests on the network, delivered in order. */
  readonly network: { requestId: number; request: ConsumerMemberRequest; sentMs: number }[];
  /** What this member may be processing: from its assigned callback until its revoked/lost callback returned. */
  readonly holding: Set<string>;
  /** The chance per step that its next callback finishes: low for a slow member. */
  readonly callbackSpeed: number;
  lost: number;
  commitErrors: number[];
}

function simulate(seed: number, steps: number): { doubles: string[]; lostCount: number; commitErrors: number[]; finalOwners: Map<string, string[]>; live: number } {
  const prng = new Prng(seed);
  const ctx = new ConsumerGroupTestContext({ topics: { orders: 12 }, config: { consumerSessionTimeoutMs: 20_000, consumerHeartbeatIntervalMs: 500 } });
  const members: SimMember[] = [];
  const doubles: string[] = [];
  let created = 0;
  let deliveries = 0;
  const now = () => ctx.clock.nowMs();

  // SIM_TRACE=m1,m4 (with LANES_SEED and one run's seed) prints those members' effects and answers.
  const trace = process.env.SIM_TRACE === undefined ? null : new Set(process.env.SIM_TRACE.split(','));
  const apply = (sim: SimMember, effects: readonly ConsumerMemberEffect[]) => {
    for (const effect of effects) {
      if (trace?.has(sim.name)) console.log(now(), sim.name, sim.state.phase, JSON.stringify(effect));
      if (effect.type === 'send') sim.network.push({ requestId: effect.requestId, request: effect.request, sentMs: now() });
      else if (effect.type === 'commitCompleted' && effect.errorCode !== ErrorCode.NONE) sim.commitErrors.push(effect.errorCode);
      else if (effect.type === 'revoked' || effect.type === 'assigned' || effect.type === 'lost' || effect.type === 'callbacksDone') sim.queue.push(effect);
    }
  };
  const join = () => {
    const name = `m${++created}`;
    const sim: SimMember = {
      name,
      state: new ConsumerMemberState({ groupId: 'g', memberId: name, rebalanceTimeoutMs: 60_000, maxPollIntervalMs: 3_600_000 }),
      queue: [],
      network: [],
      holding: new Set(),
      callbackSpeed: prng.pick([0.05, 0.5, 1]),
      lost: 0,
      commitErrors: [],
    };
    members.push(sim);
    apply(sim, sim.state.start({ topics: ['orders'] }, now()));
  };
  const deliver = (sim: SimMember) => {
    const next = sim.network.shift();
    if (next === undefined) return;
    // A resent commit keeps the member's request id; the coordinator sees each sending once.
    const requestId = `${sim.name}:${next.requestId}:${deliveries++}`;
    if (next.request.api === 'ConsumerGroupHeartbeat') {
      ctx.absorb(ctx.coordinator.consumerGroupHeartbeat(now(), requestId, { ...next.request.body, clientId: sim.name, clientHost: '/127.0.0.1' }));
    } else {
      ctx.absorb(ctx.coordinator.offsetCommit(now(), requestId, next.request.body));
    }
    const reply = ctx.replies.get(requestId) as GroupReply;
    if (trace?.has(sim.name)) console.log(now(), sim.name, 'reply', JSON.stringify(reply.response));
    if (reply.api === 'ConsumerGroupHeartbeat') apply(sim, sim.state.heartbeatResponse(next.requestId, reply.response, now()));
    else if (reply.api === 'OffsetCommit') apply(sim, sim.state.offsetCommitResponse(next.requestId, reply.response, now()));
  };
  const runCallback = (sim: SimMember) => {
    const effect = sim.queue.shift();
    if (effect === undefined) return;
    const keys = 'partitions' in effect ? effect.partitions.flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}/${p}`)) : [];
    if (trace?.has(sim.name)) console.log(now(), sim.name, 'run', effect.type, keys.join(','));
    if (effect.type === 'assigned') {
      for (const key of keys) {
        const holder = members.find((other) => other !== sim && other.holding.has(key));
        if (holder !== undefined) doubles.push(`${key} given to ${sim.name} while ${holder.name} held it (seed ${seed})`);
        sim.holding.add(key);
      }
    } else if (effect.type === 'revoked' || effect.type === 'lost') {
      if (effect.type === 'lost') sim.lost++;
      for (const key of keys) sim.holding.delete(key);
    } else if (effect.type === 'callbacksDone') {
      apply(sim, sim.state.callbacksCompleted(effect.callbackId, now()));
    }
  };
  const commit = (sim: SimMember) => {
    if (sim.holding.size === 0 || sim.state.phase !== 'stable') return;
    const partitions = [...sim.holding].map((key) => ({ partitionIndex: Number(key.split('/')[1]), committedOffset: now(), committedLeaderEpoch: -1, committedMetadata: null }));
    apply(sim, sim.state.commitOffsets([{ name: 'orders', partitions }], now()));
  };

  for (let i = 0; i < 3; i++) join();
  for (let step = 0; step < steps; step++) {
    ctx.sleep(prng.int(0, 50));
    for (const sim of members) {
      const deadline = sim.state.nextDeadlineMs();
      if (deadline !== null && deadline <= now()) apply(sim, sim.state.tick(now()));
      // The network is slow but not lost: nothing waits past 2 s (sessions are 20 s).
      while (sim.network.length > 0 && sim.network[0].sentMs + 2_000 <= now()) deliver(sim);
      if (sim.network.length > 0 && prng.chance(0.3)) deliver(sim);
      if (sim.queue.length > 0 && prng.chance(sim.callbackSpeed)) runCallback(sim);
      if (prng.chance(0.02)) commit(sim);
    }
    const roll = prng.next();
    const active = members.filter((sim) => sim.state.phase === 'stable');
    if (roll < 0.004 && members.length < 8) join();
    else if (roll < 0.006 && active.length > 1) {
      const leaver = prng.pick(active);
      apply(leaver, leaver.state.stop(now()));
    }
    else if (roll < 0.007 && active.length > 1) {
      // A crash: the process is gone, with whatever it held; the coordinator finds out by the session.
      const victim = prng.pick(active);
      members.splice(members.indexOf(victim), 1);
    }
    for (let i = members.length - 1; i >= 0; i--) if (members[i].state.phase === 'stopped') members.splice(i, 1);
  }
  // Quiesce: callbacks finish, the network delivers, time passes past every session of the crashed.
  for (let round = 0; round < 400; round++) {
    ctx.sleep(100);
    for (const sim of members) {
      const deadline = sim.state.nextDeadlineMs();
      if (deadline !== null && deadline <= now()) apply(sim, sim.state.tick(now()));
      while (sim.network.length > 0) deliver(sim);
      while (sim.queue.length > 0) runCallback(sim);
    }
  }
  const finalOwners = new Map<string, string[]>();
  for (const sim of members) for (const key of sim.holding) finalOwners.set(key, [...(finalOwners.get(key) ?? []), sim.name]);
  return { doubles, lostCount: members.reduce((sum, sim) => sum + sim.lost, 0), commitErrors: members.flatMap((sim) => sim.commitErrors), finalOwners, live: members.length };
}

describe('ConsumerMemberState against the KIP-848 coordinator (seeded simulation)', () => {
  it('never hands a partition to a member while another holds it, and ends with one owner per partition', () => {
    const seed = seedForRun('consumer member simulation');
    for (let run = 0; run < 6; run++) {
      const result = simulate(seed + run, 3_000);
      expect(result.doubles).toEqual([]);
      // No member here is fenced (the network and callbacks stay inside every timeout): nothing is lost.
      expect(result.lostCount).toBe(0);
      expect(result.commitErrors).toEqual([]);
      expect(result.live).toBeGreaterThan(0);
      expect(result.finalOwners.size).toBe(12);
      expect([...result.finalOwners.values()].every((names) => names.length === 1)).toBe(true);
    }
  });
});
