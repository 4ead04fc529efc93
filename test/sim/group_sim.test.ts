// A seeded simulation of one consumer group: members run a simple client model (join, sync,
// heartbeat, commit, leave, crash, restart) against the coordinator on a fake clock, with slow
// heartbeats and forward clock jumps. After every step a checker asserts what consumers rely on:
//   - in a Stable generation, no partition has two owners among members of that generation;
//   - the group's generation, and every generation a member is handed, only increase;
//   - an accepted commit is from a member under the generation it was given, which is current.
// The coordinator's own invariants run after every call as well (LANES_VERIFY=1).
//
// Each run draws a fresh first seed (printed) and simulates it and the seeds after it, so runs keep
// exploring new histories. On failure the test prints the failing LANES_SEED=<n>; run with that
// variable set to replay just that seed.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../core/errors.js';
import { GroupCoordinator, type GroupResult } from '../../core/group/coordinator.js';
import type { GroupReply, JoinGroupResponse, RequestId } from '../../core/group/group_api.js';
import { decodeGroupRecord, encodeGroupRecord, type GroupRecord } from '../../core/group/group_record.js';
import { FakeClock } from '../support/fake_clock.js';
import { Prng, seedForRun } from '../support/prng.js';

const groupId = 'sim';
const topic = 'orders';
const partitionCount = 8;
const memberCount = 5;
const stepsPerSeed = 400;
const seedsDefault = 24;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

type Phase = 'down' | 'needsJoin' | 'joining' | 'syncing' | 'stable';

interface SimMember {
  readonly name: string;
  phase: Phase;
  /** Bumped on every crash: replies to an earlier incarnation's requests are dropped. */
  incarnation: number;
  memberId: string;
  generationId: number;
  owned: number[];
  heartbeatIntervalMs: number;
  nextHeartbeatMs: number;
  /** A slow member sometimes lets its session lapse (a long GC pause, a stuck poll loop). */
  readonly slow: boolean;
  generationsSeen: number[];
}

/** The leader's assignor in this test: partition p goes to the (p mod n)-th member. */
function assignRoundRobin(memberIds: readonly string[]): Map<string, number[]> {
  const assignment = new Map<string, number[]>(memberIds.map((memberId) => [memberId, []]));
  for (let partition = 0; partition < partitionCount; partition++) {
    assignment.get(memberIds[partition % memberIds.length])?.push(partition);
  }
  return assignment;
}

function encodePartitions(partitions: readonly number[]): Uint8Array {
  return encoder.encode(partitions.join(','));
}

function decodePartitions(bytes: Uint8Array): number[] {
  const text = decoder.decode(bytes);
  return text === '' ? [] : text.split(',').map(Number);
}

class Simulation {
  readonly clock = new FakeClock(1_000_000);
  readonly coordinator = new GroupCoordinator({
    config: { initialRebalanceDelayMs: 500, sessionTimeoutMsMin: 1000 },
    partitionCount: (name) => (name === topic ? partitionCount : undefined),
  });
  readonly members: SimMember[];
  readonly records: GroupRecord[] = [];
  private readonly owners = new Map<RequestId, { member: SimMember; incarnation: number }>();
  private requestIdNext = 1;
  private generationMax = 0;
  commitsAccepted = 0;
  rebalances = 0;
  replays = 0;

  constructor(private readonly prng: Prng) {
    this.members = Array.from({ length: memberCount }, (_, index) => ({
      name: `m${index}`,
      phase: 'down' as Phase,
      incarnation: 0,
      memberId: '',
      generationId: -1,
      owned: [],
      heartbeatIntervalMs: 1000 + prng.int(0, 1000),
      nextHeartbeatMs: 0,
      slow: index === memberCount - 1,
      generationsSeen: [],
    }));
  }

  private send(member: SimMember, call: (requestId: RequestId, nowMs: number) => GroupResult): void {
    const requestId = this.requestIdNext++;
    this.owners.set(requestId, { member, incarnation: member.incarnation });
    this.dispatch(call(requestId, this.clock.nowMs()));
  }

  private dispatch(result: GroupResult): void {
    this.records.push(...result.records);
    for (const event of result.events) if (event.type === 'rebalance') this.rebalances++;
    for (const reply of result.replies) {
      const owner = this.owners.get(reply.requestId);
      expect(owner, `reply to unknown request ${String(reply.requestId)}`).toBeDefined();
      this.owners.delete(reply.requestId);
      if (owner === undefined || owner.incarnation !== owner.member.incarnation) continue; // a crashed process
      this.onReply(owner.member, reply);
    }
  }

  private onReply(member: SimMember, reply: GroupReply): void {
    switch (reply.api) {
      case 'JoinGroup':
        return this.onJoin(member, reply.response);
      case 'SyncGroup': {
        const { errorCode, assignment } = reply.response;
        if (errorCode === ErrorCode.NONE) {
          member.phase = 'stable';
          member.owned = decodePartitions(assignment);
          member.nextHeartbeatMs = this.clock.nowMs() + member.heartbeatIntervalMs;
        } else {
          this.onError(member, errorCode);
        }
        return;
      }
      case 'Heartbeat':
        if (reply.response.errorCode !== ErrorCode.NONE) this.onError(member, reply.response.errorCode);
        return;
      case 'OffsetCommit':
        for (const partition of reply.response.topics[0]?.partitions ?? []) {
          if (partition.errorCode !== ErrorCode.NONE) this.onError(member, partition.errorCode);
        }
        return;
      case 'LeaveGroup':
      case 'OffsetDelete':
      case 'DeleteGroups':
        return;
    }
  }

  private onJoin(member: SimMember, response: JoinGroupResponse): void {
    if (response.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      member.memberId = response.memberId;
      member.phase = 'needsJoin';
      return;
    }
    if (response.errorCode !== ErrorCode.NONE) return this.onError(member, response.errorCode);
    const last = member.generationsSeen.at(-1) ?? 0;
    expect(response.generationId, `${member.name} handed an older generation`).toBeGreaterThanOrEqual(last);
    member.generationsSeen.push(response.generationId);
    member.generationId = response.generationId;
    member.owned = [];
    member.phase = 'syncing';
    const assignments =
      response.leader === response.memberId
        ? [...assignRoundRobin(response.members.map((each) => each.memberId))].map(([memberId, partitions]) => ({
            memberId,
            assignment: encodePartitions(partitions),
          }))
        : [];
    this.send(member, (requestId, nowMs) =>
      this.coordinator.syncGroup(nowMs, requestId, {
        groupId,
        generationId: member.generationId,
        memberId: member.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'roundrobin',
        assignments,
      }),
    );
  }

  /** What a client does on an error: forget its id if the group forgot it, then rejoin. */
  private onError(member: SimMember, errorCode: number): void {
    if (member.phase === 'down') return;
    expect([
      ErrorCode.UNKNOWN_MEMBER_ID,
      ErrorCode.ILLEGAL_GENERATION,
      ErrorCode.REBALANCE_IN_PROGRESS,
    ]).toContain(errorCode);
    if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID) member.memberId = '';
    member.owned = [];
    member.phase = 'needsJoin';
  }

  private join(member: SimMember): void {
    member.phase = 'joining';
    this.send(member, (requestId, nowMs) =>
      this.coordinator.joinGroup(nowMs, requestId, {
        groupId,
        memberId: member.memberId,
        groupInstanceId: null,
        sessionTimeoutMs: 6000,
        rebalanceTimeoutMs: 10_000,
        protocolType: 'consumer',
        protocols: [{ name: 'roundrobin', metadata: encoder.encode(topic) }],
        clientId: member.name,
        clientHost: '/127.0.0.1',
        requireKnownMemberId: true,
      }),
    );
  }

  private heartbeat(member: SimMember): void {
    member.nextHeartbeatMs = this.clock.nowMs() + member.heartbeatIntervalMs;
    this.send(member, (requestId, nowMs) =>
      this.coordinator.heartbeat(nowMs, requestId, {
        groupId,
        generationId: member.generationId,
        memberId: member.memberId,
        groupInstanceId: null,
      }),
    );
  }

  /**
   * Commits the owned partitions under the member's generation, or, for a `late` commit, under
   * the generation before it: an asynchronous commit that was still in flight when the member
   * rejoined. The coordinator must refuse those.
   */
  private commit(member: SimMember, late = false): void {
    const generationId = late ? (member.generationsSeen.at(-2) ?? member.generationId - 1) : member.generationId;
    const memberId = member.memberId;
    const partitions = member.owned.map((partition) => ({
      partitionIndex: partition,
      committedOffset: this.clock.nowMs(),
      committedLeaderEpoch: -1,
      committedMetadata: null,
    }));
    this.send(member, (requestId, nowMs) => {
      const result = this.coordinator.offsetCommit(nowMs, requestId, { groupId, generationId, memberId, groupInstanceId: null, topics: [{ name: topic, partitions }] });
      const reply = result.replies.find((each) => each.requestId === requestId);
      const accepted = reply?.api === 'OffsetCommit' && reply.response.topics[0].partitions.some((p) => p.errorCode === ErrorCode.NONE);
      if (accepted) {
        // A commit is accepted only from a current member under the current generation.
        const group = this.coordinator.snapshot().find((each) => each.groupId === groupId);
        expect(group?.generationId, 'commit accepted under a stale generation').toBe(generationId);
        expect(group?.members.some((each) => each.memberId === memberId), 'commit accepted from a non-member').toBe(true);
        expect(member.generationsSeen).toContain(generationId);
        this.commitsAccepted++;
      }
      return result;
    });
  }

  private leave(member: SimMember): void {
    const memberId = member.memberId;
    this.send(member, (requestId, nowMs) => this.coordinator.leaveGroup(nowMs, requestId, { groupId, members: [{ memberId, groupInstanceId: null }] }));
    this.crash(member);
  }

  private crash(member: SimMember): void {
    member.incarnation++;
    member.phase = 'down';
    member.memberId = '';
    member.generationId = -1;
    member.owned = [];
  }

  step(): void {
    const prng = this.prng;
    // Time passes: mostly a little, sometimes a jump that outlasts every session.
    this.clock.advance(prng.chance(0.02) ? prng.int(5_000, 30_000) : prng.int(0, 1_200));
    this.dispatch(this.coordinator.tick(this.clock.nowMs()));
    for (const member of this.members) {
      const now = this.clock.nowMs();
      switch (member.phase) {
        case 'down':
          if (prng.chance(0.3)) this.join(member);
          break;
        case 'needsJoin':
          // Slow members sometimes take long to come back to the group.
          if (!member.slow || prng.chance(0.3)) this.join(member);
          break;
        case 'joining':
        case 'syncing':
          break;
        case 'stable':
          if (prng.chance(0.01)) this.crash(member);
          else if (prng.chance(0.01)) this.leave(member);
          else {
            if (now >= member.nextHeartbeatMs && !(member.slow && prng.chance(0.7))) this.heartbeat(member);
            if (member.phase === 'stable' && member.owned.length > 0 && prng.chance(0.2)) this.commit(member);
            if (member.phase === 'stable' && member.owned.length > 0 && prng.chance(0.03)) this.commit(member, true);
          }
          break;
      }
    }
    this.check();
  }

  /**
   * Whenever the group rests (Stable or Empty), everything durable about it was written: a
   * coordinator rebuilt from the encoded records must hold the same group and offsets.
   */
  checkReplay(): void {
    const state = this.coordinator.groupState(groupId);
    if (state !== 'Stable' && state !== 'Empty') return;
    const decoded = this.records.map(encodeGroupRecord).map(({ key, value }) => decodeGroupRecord(key, value));
    const replayed = GroupCoordinator.replay(decoded, this.clock.nowMs(), {
      partitionCount: (name) => (name === topic ? partitionCount : undefined),
    });
    expect(replayed.snapshot()).toEqual(this.coordinator.snapshot());
    this.replays++;
  }

  private check(): void {
    const group = this.coordinator.snapshot().find((each) => each.groupId === groupId);
    if (group === undefined) return;
    expect(group.generationId, 'the generation went backwards').toBeGreaterThanOrEqual(this.generationMax);
    this.generationMax = group.generationId;
    if (group.state !== 'Stable') return;
    // The coordinator's view: the assignment it holds gives no partition twice.
    const assigned = group.members.flatMap((member) => decodePartitions(member.assignment));
    expect(new Set(assigned).size, `coordinator gives a partition twice: ${assigned}`).toBe(assigned.length);
    // The clients' view: members of the current generation never believe they share a partition.
    const owners = new Map<number, string>();
    for (const member of this.members) {
      if (member.phase !== 'stable' || member.generationId !== group.generationId) continue;
      for (const partition of member.owned) {
        expect(owners.get(partition), `partition ${partition} owned by ${owners.get(partition)} and ${member.name}`).toBeUndefined();
        owners.set(partition, member.name);
      }
    }
  }
}

function runSeed(seed: number): Simulation {
  const simulation = new Simulation(new Prng(seed));
  try {
    for (let step = 1; step <= stepsPerSeed; step++) {
      simulation.step();
      if (step % 50 === 0) simulation.checkReplay();
    }
  } catch (error) {
    console.error(`group simulation failed: replay with LANES_SEED=${seed}`);
    throw error;
  }
  return simulation;
}

describe('group simulation', () => {
  it('keeps partition ownership exclusive, generations increasing and commits current', () => {
    const replaying = (process.env.LANES_SEED ?? '') !== '';
    const first = seedForRun('group simulation (first seed)');
    const seeds = replaying ? [first] : Array.from({ length: seedsDefault }, (_, index) => (first + index) >>> 0);
    let commits = 0;
    let rebalances = 0;
    let replays = 0;
    for (const seed of seeds) {
      const simulation = runSeed(seed);
      commits += simulation.commitsAccepted;
      rebalances += simulation.rebalances;
      replays += simulation.replays;
    }
    if (seeds.length > 1) expect(replays).toBeGreaterThan(0);
    // The run must have exercised the protocol, or its checks proved nothing.
    expect(commits).toBeGreaterThan(seeds.length * 10);
    expect(rebalances).toBeGreaterThan(seeds.length * 2);
  });
});
