// Rebalance of a large group, broker side, in process (no sockets), on the real shard threads:
// classic eager (range), classic cooperative-sticky and the consumer protocol (KIP-848) side by
// side, for (a) one member joining a stable group and (b) one member leaving it; and (c), the unit
// those are made of, one heartbeat from every member with nothing changing.
//
// Measured from the event (the newcomer's first request, or the leaver's LeaveGroup / epoch −1
// heartbeat) until every partition is owned again and the ownership is balanced (every live member
// holds ⌊P/N⌋ or ⌈P/N⌉ partitions) — the end of the rebalance as the members see it. Members call
// the Broker's group API directly and as fast as it answers: a classic member heartbeats in a loop
// and rejoins when told REBALANCE_IN_PROGRESS (a cooperative one rejoins once more after revoking,
// as KIP-429 asks); a consumer-protocol member heartbeats in a loop, revoking at once what its
// assignment no longer lists and acknowledging it on its next heartbeat. Client heartbeat
// intervals, poll loops and network round trips are therefore not counted (no broker timer fires
// either: sessions and rebalance timeouts are 300 s). A partition handed to a member while another
// still holds it stops the bench with an error.
//
// "Paused" is ownership, not fetching: a partition is consumable while some member holds it in
// its assignment. For each partition whose owner is the same before and after the rebalance (it
// did not move), the bench records whether, and for how long, that owner had let go of it in
// between (eager revokes everything; cooperative and the consumer protocol only what moves).
// A dying member is measured as a leave: a session expiring adds the session timeout before the
// same path starts.
//
//   npm run build && node dist/bench/rebalance.bench.js [--members 100] [--partitions 1000] [--runs 3]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Broker } from '../actors/host/broker.js';
import type { AssignorMember, PartitionAssignor } from '../core/assignors/assignor.js';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../core/assignors/consumer_protocol.js';
import { cooperativeStickyAssignor } from '../core/assignors/cooperative_sticky.js';
import { rangeAssignor } from '../core/assignors/range.js';
import { ErrorCode } from '../core/errors.js';
import type { ConsumerTopicPartitions } from '../core/group/group_api.js';
import { printMachineFacts } from './support/machine.js';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '100' },
    partitions: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '3' },
  },
});
const memberCount = Number(values.members);
const partitionCount = Number(values.partitions);
const topic = 'rebalance';
const timeoutMs = 300_000;
const clientHost = '/127.0.0.1';

type Protocol = 'classic eager (range)' | 'classic cooperative-sticky' | 'consumer (uniform)';

/** Who holds each partition now, and, during a measured event, which holders let go in between. */
class Ownership {
  readonly owner = new Int32Array(partitionCount).fill(-1);
  owned = 0;
  readonly live = new Set<number>();
  // Per partition, during a measurement: its owner at the start, when that owner let go, and
  // how long it was let go of in total (only counted if the same member holds it at the end).
  before = new Int32Array(partitionCount).fill(-1);
  releasedAt = new Float64Array(partitionCount).fill(-1);
  pausedMs = new Float64Array(partitionCount);
  measuring = false;
  settledAt = -1;
  /** Group requests the members sent since the measurement started. */
  requests = 0;

  take(member: number, partition: number): void {
    if (this.owner[partition] !== -1) throw new Error(`partition ${partition} taken by ${member} while ${this.owner[partition]} holds it`);
    this.owner[partition] = member;
    this.owned++;
    if (this.measuring && this.releasedAt[partition] >= 0 && this.before[partition] === member) {
      this.pausedMs[partition] += performance.now() - this.releasedAt[partition];
      this.releasedAt[partition] = -1;
    }
    if (this.owned === partitionCount && this.settledAt < 0 && this.balanced()) this.settledAt = performance.now();
  }

  release(member: number, partition: number): void {
    if (this.owner[partition] !== member) throw new Error(`member ${member} released partition ${partition} it does not hold`);
    this.owner[partition] = -1;
    this.owned--;
    if (this.measuring && this.before[partition] === member && this.releasedAt[partition] < 0) this.releasedAt[partition] = performance.now();
  }

  balanced(): boolean {
    const counts = new Map<number, number>([...this.live].map((m) => [m, 0]));
    for (const m of this.owner) {
      if (!counts.has(m)) return false;
      counts.set(m, counts.get(m)! + 1);
    }
    const low = Math.floor(partitionCount / this.live.size);
    return [...counts.values()].every((n) => n === low || n === low + 1);
  }

  startMeasuring(): void {
    this.before = Int32Array.from(this.owner);
    this.releasedAt.fill(-1);
    this.pausedMs.fill(0);
    this.measuring = true;
    this.settledAt = -1;
    this.requests = 0;
  }

  /** Partitions that did not move, how many of them paused, and the longest pause. */
  stayers(): { unmoved: number; paused: number; maxPauseMs: number; membersUnmoved: number; membersPaused: number } {
    let unmoved = 0, paused = 0, maxPauseMs = 0;
    const moved = new Set<number>(), pausedMembers = new Set<number>(), holders = new Set<number>();
    for (let p = 0; p < partitionCount; p++) {
      const was = this.before[p];
      if (was === -1) continue;
      holders.add(was);
      if (this.owner[p] !== was) { moved.add(was); continue; }
      unmoved++;
      if (this.pausedMs[p] > 0) { paused++; pausedMembers.add(was); maxPauseMs = Math.max(maxPauseMs, this.pausedMs[p]); }
    }
    const unmovedMembers = [...holders].filter((m) => !moved.has(m) && this.live.has(m));
    return { unmoved, paused, maxPauseMs, membersUnmoved: unmovedMembers.length, membersPaused: unmovedMembers.filter((m) => pausedMembers.has(m)).length };
  }
}

interface BenchMember {
  readonly index: number;
  /** Joins (or rejoins) and then heartbeats as fast as the broker answers until `stop`. */
  run(stop: () => boolean): Promise<void>;
  leave(): Promise<void>;
}

/** A classic member: JoinGroup/SyncGroup/Heartbeat against the Broker; the leader assigns. */
class ClassicMember implements BenchMember {
  memberId = '';
  generationId = -1;
  owned = new Set<number>();
  joined = false;
  constructor(readonly broker: Broker, readonly groupId: string, readonly index: number, readonly ownership: Ownership, readonly assignor: PartitionAssignor) {}

  get cooperative(): boolean { return this.assignor === cooperativeStickyAssignor; }

  async run(stop: () => boolean): Promise<void> {
    if (!this.joined) await this.rejoin();
    this.joined = true;
    while (!stop()) {
      this.ownership.requests++;
      const { errorCode } = await this.broker.heartbeat({ groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null });
      if (errorCode === ErrorCode.NONE) continue;
      if (errorCode !== ErrorCode.REBALANCE_IN_PROGRESS) throw new Error(`Heartbeat failed with ${errorCode}`);
      await this.rejoin();
    }
  }

  async rejoin(): Promise<void> {
    // Eager: onPartitionsRevoked(everything) before JoinGroup.
    if (!this.cooperative) this.revoke([...this.owned]);
    for (;;) {
      const metadata = encodeSubscription({ version: 2, topics: [topic], ownedPartitions: [{ topic, partitions: [...this.owned].sort((a, b) => a - b) }], generationId: this.generationId });
      this.ownership.requests += 2;
      const join = await this.broker.joinGroup({
        groupId: this.groupId, memberId: this.memberId, groupInstanceId: null, sessionTimeoutMs: timeoutMs, rebalanceTimeoutMs: timeoutMs,
        protocolType: 'consumer', protocols: [{ name: this.assignor.name, metadata }], clientId: `member-${this.index}`, clientHost, requireKnownMemberId: false,
      });
      if (join.errorCode !== ErrorCode.NONE) throw new Error(`JoinGroup failed with ${join.errorCode}`);
      this.memberId = join.memberId;
      this.generationId = join.generationId;
      const assignments = join.leader === join.memberId ? this.assign(join.members) : [];
      const sync = await this.broker.syncGroup({
        groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null,
        protocolType: 'consumer', protocolName: this.assignor.name, assignments,
      });
      if (sync.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || sync.errorCode === ErrorCode.ILLEGAL_GENERATION) continue;
      if (sync.errorCode !== ErrorCode.NONE) throw new Error(`SyncGroup failed with ${sync.errorCode}`);
      const assigned = new Set(decodeAssignment(sync.assignment).assignedPartitions.flatMap((tp) => tp.partitions));
      const lost = [...this.owned].filter((p) => !assigned.has(p));
      this.revoke(lost);
      for (const p of assigned) if (!this.owned.has(p)) { this.owned.add(p); this.ownership.take(this.index, p); }
      // KIP-429: a member that revoked something rejoins at once so the partitions can be handed out.
      if (lost.length === 0) return;
    }
  }

  assign(members: readonly { memberId: string; groupInstanceId: string | null; metadata: Uint8Array }[]) {
    const spec = {
      members: members.map((m): AssignorMember => {
        const s = decodeSubscription(m.metadata);
        return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics: s.topics, ownedPartitions: s.ownedPartitions, generationId: s.generationId };
      }),
      partitionsPerTopic: new Map([[topic, partitionCount]]),
    };
    return [...this.assignor.assign(spec)].map(([memberId, assignment]) => ({
      memberId,
      assignment: encodeAssignment({ version: 0, assignedPartitions: [...assignment].map(([t, partitions]) => ({ topic: t, partitions })) }),
    }));
  }

  revoke(partitions: number[]): void {
    for (const p of partitions) { this.owned.delete(p); this.ownership.release(this.index, p); }
  }

  async leave(): Promise<void> {
    this.revoke([...this.owned]);
    this.ownership.requests++;
    const response = await this.broker.leaveGroup({ groupId: this.groupId, members: [{ memberId: this.memberId, groupInstanceId: null }] });
    if (response.errorCode !== ErrorCode.NONE) throw new Error(`LeaveGroup failed with ${response.errorCode}`);
  }
}

/** A consumer-protocol member: ConsumerGroupHeartbeat only; the coordinator assigns. */
class ConsumerMember implements BenchMember {
  readonly memberId = randomUUID();
  epoch = 0;
  owned = new Set<number>();
  ownedChanged = true;
  constructor(readonly broker: Broker, readonly groupId: string, readonly index: number, readonly ownership: Ownership) {}

  async run(stop: () => boolean): Promise<void> {
    while (!stop()) {
      const joining = this.epoch === 0;
      const owned: ConsumerTopicPartitions[] | null = joining ? [] : this.ownedChanged ? [{ topic, partitions: [...this.owned] }] : null;
      this.ownedChanged = false;
      this.ownership.requests++;
      const response = await this.broker.consumerGroupHeartbeat({
        groupId: this.groupId, memberId: this.memberId, memberEpoch: this.epoch, instanceId: null, rackId: null,
        rebalanceTimeoutMs: joining ? timeoutMs : -1, subscribedTopicNames: joining ? [topic] : null, subscribedTopicRegex: null,
        serverAssignor: null, ownedPartitions: owned, clientId: `member-${this.index}`, clientHost,
      });
      if (response.errorCode !== ErrorCode.NONE) throw new Error(`ConsumerGroupHeartbeat failed with ${response.errorCode}: ${response.errorMessage}`);
      this.epoch = response.memberEpoch;
      if (response.assignment === null) continue;
      const assigned = new Set(response.assignment.flatMap((tp) => tp.partitions));
      // Revoke first (another member may get them only after this member's next heartbeat).
      for (const p of [...this.owned]) if (!assigned.has(p)) { this.owned.delete(p); this.ownership.release(this.index, p); this.ownedChanged = true; }
      for (const p of assigned) if (!this.owned.has(p)) { this.owned.add(p); this.ownership.take(this.index, p); this.ownedChanged = true; }
    }
  }

  async leave(): Promise<void> {
    for (const p of this.owned) this.ownership.release(this.index, p);
    this.owned.clear();
    const response = await this.broker.consumerGroupHeartbeat({
      groupId: this.groupId, memberId: this.memberId, memberEpoch: -1, instanceId: null, rackId: null, rebalanceTimeoutMs: -1,
      subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, ownedPartitions: null, clientId: `member-${this.index}`, clientHost,
    });
    this.ownership.requests++;
    if (response.errorCode !== ErrorCode.NONE) throw new Error(`leaving heartbeat failed with ${response.errorCode}`);
  }
}

/** Runs every live member until the ownership is complete and balanced; returns when it was. */
async function runUntilSettled(members: readonly BenchMember[], ownership: Ownership, event: () => Promise<void>): Promise<number> {
  const started = performance.now();
  const stop = () => ownership.settledAt >= 0;
  await Promise.all([event(), ...members.map((m) => m.run(stop))]);
  return ownership.settledAt - started;
}

interface Outcome { ms: number; requests: number; stayers: ReturnType<Ownership['stayers']> }
interface Row { protocol: Protocol; join: Outcome; leave: Outcome; idle: { ms: number; requests: number } }

async function measure(broker: Broker, protocol: Protocol, run: number): Promise<Row> {
  const groupId = `rebalance-${protocol.replace(/\W+/g, '-')}-${run}`;
  const ownership = new Ownership();
  const make = (index: number): BenchMember => {
    ownership.live.add(index);
    if (protocol === 'consumer (uniform)') return new ConsumerMember(broker, groupId, index, ownership);
    return new ClassicMember(broker, groupId, index, ownership, protocol === 'classic eager (range)' ? rangeAssignor : cooperativeStickyAssignor);
  };
  const members = Array.from({ length: memberCount }, (_, i) => make(i));
  await runUntilSettled(members, ownership, async () => {});

  // (a) one member joins.
  ownership.startMeasuring();
  const newcomer = make(memberCount);
  const joinMs = await runUntilSettled([...members, newcomer], ownership, async () => {});
  const join = { ms: joinMs, requests: ownership.requests, stayers: ownership.stayers() };

  // (b) one member (the first) leaves.
  ownership.startMeasuring();
  const [leaver, ...rest] = members;
  ownership.live.delete(leaver.index);
  const leaveMs = await runUntilSettled([...rest, newcomer], ownership, () => leaver.leave());
  const leave = { ms: leaveMs, requests: ownership.requests, stayers: ownership.stayers() };
  ownership.measuring = false;

  // (c) the unit the rebalances are made of: one heartbeat from every member, nothing changing.
  ownership.requests = 0;
  const once = () => { let sent = false; return () => { const stop = sent; sent = true; return stop; }; };
  const idleStarted = performance.now();
  await Promise.all([...rest, newcomer].map((m) => m.run(once())));
  const idle = { ms: performance.now() - idleStarted, requests: ownership.requests };
  return { protocol, join, leave, idle };
}

function outcomeText({ ms, requests, stayers: s }: Outcome): string {
  const pause = s.paused === 0 ? `none of ${s.unmoved}` : `${s.paused} of ${s.unmoved}, up to ${s.maxPauseMs.toFixed(1)} ms`;
  return `${ms.toFixed(1)} | ${requests} | ${s.membersPaused} of ${s.membersUnmoved} | ${pause}`;
}

async function main(): Promise<void> {
  printMachineFacts('Rebalance of a large group, broker side (in process)', `node dist/bench/rebalance.bench.js --members ${memberCount} --partitions ${partitionCount} --runs ${values.runs}`);
  // A short initial delay lets the first joins land in one classic generation (Kafka's reason for it).
  const broker = await Broker.start({
    storage: 'memory', shards: 2,
    groups: { initialRebalanceDelayMs: 200, consumerSessionTimeoutMs: timeoutMs, consumerHeartbeatIntervalMs: 5_000 },
  });
  // Small segments: in memory each partition takes one arena block, and nothing is produced here.
  await broker.createTopic(topic, { partitions: partitionCount, config: { segmentBytes: 256 * 1024, maxMessageBytes: 64 * 1024 } });
  const rows: Row[] = [];
  // Runs interleave the protocols, so a burst of load on the machine hits all three alike.
  for (let run = 0; run < Number(values.runs); run++) {
    for (const protocol of ['classic eager (range)', 'classic cooperative-sticky', 'consumer (uniform)'] as const) {
      rows.push(await measure(broker, protocol, run));
      console.error(`run ${run + 1}, ${protocol}: done`);
    }
  }
  await broker.stop();
  console.log(`\n${memberCount} members, ${partitionCount} partitions of one topic; paused = members (partitions) that kept their partitions but let go of them in between`);
  console.log('\n| protocol | event | settled (ms) | group requests | unmoved members that paused | unmoved partitions that paused |');
  console.log('|---|---|---:|---:|---:|---|');
  for (const r of rows) {
    console.log(`| ${r.protocol} | one joins | ${outcomeText(r.join)} |`);
    console.log(`| ${r.protocol} | one leaves | ${outcomeText(r.leave)} |`);
    console.log(`| ${r.protocol} | nothing (one heartbeat each) | ${r.idle.ms.toFixed(1)} | ${r.idle.requests} | – | – |`);
  }
}

await main();
