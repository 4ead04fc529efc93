// A seeded simulation of consumer-protocol (KIP-848) groups: model members join, heartbeat on
// the interval the coordinator gives, reconcile (revoking at once or, when slow, a few heartbeats
// later), commit what they own, leave (static members with −2 and back), crash and come back;
// the clock jumps forward past session and rebalance timeouts; topics grow and appear under a
// regex subscription; and now and then the coordinator is rebuilt from its records alone (a
// broker killed with kill -9: a call's records are written whole or not at all; the log is
// compacted first, as the offsets log is). After every step:
//   - no partition is owned twice: the coordinator's members hold disjoint partitions (its own
//     invariants, LANES_VERIFY=1), and each live member's own view is inside what the coordinator
//     says it holds — so the members' views are disjoint too;
//   - no commit is lost: every partition's committed offset is the last one a commit was
//     acknowledged for, before and after every rebuild.
// Each run draws a fresh first seed (printed); LANES_SEED=<n> replays one seed.
import { describe, expect, it } from 'vitest';
import { GroupCoordinator, type GroupResult } from '../../core/group/coordinator.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, ConsumerTopicPartitions, GroupReply, OffsetCommitResponse } from '../../core/group/group_api.js';
import { decodeGroupRecord, encodeGroupRecord, type GroupRecord } from '../../core/group/group_record.js';
import { compactGroupRecords } from '../../core/group/offsets_compaction.js';
import { FakeClock } from '../support/fake_clock.js';
import { Prng, seedForRun } from '../support/prng.js';

const groupId = 'sim';
/**
 * 20 seeds × 1,000 steps in the suite; LANES_SIM_STEPS raises the steps per seed for a long run
 * (LANES_SIM_STEPS=5000: 100,000 steps, about two minutes on a busy machine).
 */
const stepsPerSeed = Number(process.env.LANES_SIM_STEPS ?? '') || 1_000;
const seedsDefault = 20;
const sessionTimeoutMs = 45_000;

interface SimMember {
  readonly name: string;
  readonly instanceId: string | null;
  readonly slow: boolean;
  readonly regex: boolean;
  alive: boolean;
  memberId: string;
  epoch: number;
  joined: boolean;
  owned: Map<string, number[]>;
  /** A revoking assignment a slow member has not applied yet. */
  pending: readonly ConsumerTopicPartitions[] | null;
  nextHeartbeatMs: number;
  /** Its last heartbeat: a member that reaches its session timeout without one has been removed. */
  lastHeartbeatMs: number;
}

class Simulation {
  readonly clock = new FakeClock();
  readonly topics = new Map<string, number>([['orders', 6]]);
  coordinator: GroupCoordinator;
  readonly records: GroupRecord[] = [];
  readonly members: SimMember[] = [];
  /** "topic/partition" → the last offset a commit was acknowledged for. */
  readonly acknowledged = new Map<string, number>();
  commitsAccepted = 0;
  reconciliations = 0;
  restarts = 0;
  #requestId = 0;
  #memberIds = 0;

  constructor(readonly prng: Prng) {
    this.coordinator = new GroupCoordinator(this.options());
    for (let i = 0; i < 5; i++) {
      this.members.push({
        name: `m${i}`, instanceId: i < 2 ? `host-${i}` : null, slow: i % 2 === 1, regex: i === 4,
        alive: true, memberId: '', epoch: 0, joined: false, owned: new Map(), pending: null, nextHeartbeatMs: 0, lastHeartbeatMs: 0,
      });
    }
  }

  options() {
    return {
      config: { consumerSessionTimeoutMs: sessionTimeoutMs },
      partitionCount: (topic: string) => this.topics.get(topic),
      topicNames: () => [...this.topics.keys()].sort(),
    };
  }

  #absorb(result: GroupResult): GroupReply[] {
    this.records.push(...result.records);
    return result.replies;
  }

  #heartbeat(member: SimMember, request: Partial<ConsumerGroupHeartbeatRequest>): ConsumerGroupHeartbeatResponse {
    const full: ConsumerGroupHeartbeatRequest = {
      groupId, memberId: member.memberId, memberEpoch: member.epoch, instanceId: member.instanceId, rackId: null,
      rebalanceTimeoutMs: -1, subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null,
      ownedPartitions: [...member.owned].map(([topic, partitions]) => ({ topic, partitions })),
      clientId: member.name, clientHost: '/sim', ...request,
    };
    const [reply] = this.#absorb(this.coordinator.consumerGroupHeartbeat(this.clock.nowMs(), ++this.#requestId, full));
    member.lastHeartbeatMs = this.clock.nowMs();
    return reply.response as ConsumerGroupHeartbeatResponse;
  }

  #adopt(member: SimMember, assignment: readonly ConsumerTopicPartitions[]): void {
    member.owned = new Map(assignment.filter((tp) => tp.partitions.length > 0).map((tp) => [tp.topic, [...tp.partitions]]));
  }

  #handle(member: SimMember, response: ConsumerGroupHeartbeatResponse): void {
    if (response.errorCode !== 0) {
      // Fenced or unknown: drop everything, rejoin (a new member id unless static).
      member.joined = false;
      member.owned = new Map();
      member.pending = null;
      member.epoch = 0;
      return;
    }
    if (response.memberId !== null) member.memberId = response.memberId;
    if (response.memberEpoch !== member.epoch) this.reconciliations++;
    member.epoch = response.memberEpoch;
    member.nextHeartbeatMs = this.clock.nowMs() + response.heartbeatIntervalMs;
    if (response.assignment === null) return;
    const keeps = (topic: string, p: number) => response.assignment!.some((tp) => tp.topic === topic && tp.partitions.includes(p));
    const revokes = [...member.owned].some(([topic, partitions]) => partitions.some((p) => !keeps(topic, p)));
    if (member.slow && revokes && this.prng.chance(0.7)) member.pending = response.assignment;
    else {
      this.#adopt(member, response.assignment);
      member.pending = null;
    }
  }

  #join(member: SimMember): void {
    if (member.instanceId === null || member.memberId === '') member.memberId = `${member.name}-${++this.#memberIds}`;
    member.owned = new Map();
    member.epoch = 0;
    const response = this.#heartbeat(member, {
      memberEpoch: 0, rebalanceTimeoutMs: 20_000, ownedPartitions: [],
      subscribedTopicNames: member.regex ? null : ['orders'], subscribedTopicRegex: member.regex ? 'orders.*' : null,
      serverAssignor: this.prng.chance(0.1) ? 'range' : null,
    });
    if (response.errorCode === 0) member.joined = true;
    this.#handle(member, response);
    // A static member whose instance id is still held waits for its session to lapse.
    if (response.errorCode !== 0 && member.instanceId !== null) member.memberId = `${member.name}-${++this.#memberIds}`;
  }

  #poll(member: SimMember): void {
    if (member.pending !== null && !this.prng.chance(0.3)) {
      this.#adopt(member, member.pending);
      member.pending = null;
    }
    this.#handle(member, this.#heartbeat(member, {}));
  }

  #commit(member: SimMember): void {
    const owned = [...member.owned].flatMap(([topic, partitions]) => partitions.map((p) => [topic, p] as const));
    if (owned.length === 0) return;
    const [topic, partition] = owned[this.prng.int(0, owned.length - 1)];
    const key = `${topic}/${partition}`;
    const offset = (this.acknowledged.get(key) ?? 0) + this.prng.int(1, 5);
    const [reply] = this.#absorb(
      this.coordinator.offsetCommit(this.clock.nowMs(), ++this.#requestId, {
        groupId, generationId: member.epoch, memberId: member.memberId, groupInstanceId: null,
        topics: [{ name: topic, partitions: [{ partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }],
      }),
    );
    if ((reply.response as OffsetCommitResponse).topics[0].partitions[0].errorCode === 0) {
      this.acknowledged.set(key, offset);
      this.commitsAccepted++;
    }
  }

  step(): void {
    const prng = this.prng;
    const roll = prng.next();
    if (roll < 0.003) {
      this.clock.advance(prng.int(20_000, 60_000)); // a clock jump: sessions and rebalances time out
    } else if (roll < 0.006) {
      this.topics.set('orders', Math.min(12, (this.topics.get('orders') as number) + 1)); // partitions added
      this.#absorb(this.coordinator.topicsChanged(this.clock.nowMs()));
    } else if (roll < 0.008) {
      if (this.topics.has('orders-extra')) this.topics.delete('orders-extra');
      else this.topics.set('orders-extra', 2);
      this.#absorb(this.coordinator.topicsChanged(this.clock.nowMs()));
    } else if (roll < 0.010) {
      this.restart();
    } else {
      this.clock.advance(prng.int(0, 1_500));
    }
    this.#absorb(this.coordinator.tick(this.clock.nowMs()));
    for (const member of this.members) {
      const now = this.clock.nowMs();
      if (!member.alive) {
        if (prng.chance(0.05)) member.alive = true;
        continue;
      }
      if (!member.joined) {
        if (prng.chance(0.3)) this.#join(member);
        continue;
      }
      if (prng.chance(0.002)) {
        // kill -9: nothing sent; the coordinator finds out at the session timeout
        member.alive = false;
        member.joined = false;
        member.owned = new Map();
        member.pending = null;
        continue;
      }
      if (prng.chance(0.003)) {
        this.#heartbeat(member, { memberEpoch: member.instanceId !== null ? -2 : -1, ownedPartitions: null });
        member.joined = false;
        member.owned = new Map();
        member.pending = null;
        continue;
      }
      if (now >= member.nextHeartbeatMs && !(member.slow && prng.chance(0.5))) this.#poll(member);
      else if (now - member.lastHeartbeatMs >= sessionTimeoutMs) this.#poll(member); // learns it was removed
      if (member.joined && prng.chance(0.3)) this.#commit(member);
    }
    this.check();
  }

  /**
   * The broker restarts: a coordinator rebuilt from the encoded records alone, after the offsets
   * log's compaction (the latest record per key), which is also what keeps replays short.
   */
  restart(): void {
    const decoded = compactGroupRecords(this.records.map(encodeGroupRecord)).map(({ key, value }) => decodeGroupRecord(key, value));
    this.records.length = 0;
    this.records.push(...decoded);
    const before = this.coordinator.consumerSnapshot();
    this.coordinator = GroupCoordinator.replay(decoded, this.clock.nowMs(), this.options());
    expect(this.coordinator.consumerSnapshot()).toEqual(before);
    this.restarts++;
  }

  check(): void {
    // The coordinator's own invariants (disjoint holdings among its members) ran after its calls.
    const [described] = this.coordinator.consumerGroupDescribe([groupId]);
    const holdings = new Map(described.members.map((member) => [member.memberId, member]));
    const owners = new Map<string, string>();
    for (const member of this.members) {
      if (!member.alive || !member.joined) continue;
      const held = holdings.get(member.memberId);
      for (const [topic, partitions] of member.owned) {
        for (const partition of partitions) {
          const key = `${topic}-${partition}`;
          if (held !== undefined) {
            // What the member consumes, the coordinator counts as its (assigned or being revoked).
            const inAssigned = held.assignment.some((tp) => tp.topic === topic && tp.partitions.includes(partition));
            const revoking = !inAssigned && member.epoch === held.memberEpoch;
            expect(inAssigned || revoking, `${member.name} consumes ${key} the coordinator does not give it`).toBe(true);
            expect(owners.get(key), `${key} owned by ${owners.get(key)} and ${member.name}`).toBeUndefined();
            owners.set(key, member.name);
          }
        }
      }
    }
    const fetched = this.coordinator.offsetFetch({ groupId, topics: null });
    const committed = new Map<string, number>(fetched.topics.flatMap((topic) => topic.partitions.map((p) => [`${topic.name}/${p.partitionIndex}`, p.committedOffset] as [string, number])));
    for (const [key, offset] of this.acknowledged) expect(committed.get(key), `the acknowledged commit ${key}=${offset} was lost`).toBe(offset);
  }
}

function runSeed(seed: number): Simulation {
  const simulation = new Simulation(new Prng(seed));
  try {
    for (let step = 0; step < stepsPerSeed; step++) simulation.step();
    simulation.restart();
    simulation.check();
  } catch (error) {
    console.error(`consumer group simulation failed: replay with LANES_SEED=${seed}`);
    throw error;
  }
  return simulation;
}

describe('consumer group (KIP-848) simulation', () => {
  it('never gives a partition to two members and never loses an acknowledged commit', () => {
    const replaying = (process.env.LANES_SEED ?? '') !== '';
    const first = seedForRun('consumer group simulation (first seed)');
    const seeds = replaying ? [first] : Array.from({ length: seedsDefault }, (_, index) => (first + index) >>> 0);
    let commits = 0;
    let reconciliations = 0;
    let restarts = 0;
    for (const seed of seeds) {
      const simulation = runSeed(seed);
      commits += simulation.commitsAccepted;
      reconciliations += simulation.reconciliations;
      restarts += simulation.restarts;
    }
    // The run must have exercised the protocol, or its checks proved nothing.
    expect(commits).toBeGreaterThan(seeds.length * 100);
    expect(reconciliations).toBeGreaterThan(seeds.length * 20);
    expect(restarts).toBeGreaterThan(seeds.length);
  });
});
