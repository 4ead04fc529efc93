// The virtual-time engine of `lanes lab`: a scenario run on a simulated clock, deterministic for a
// seed. The control plane is the real thing: one GroupCoordinator per group (core/group, classic
// and consumer protocol), the real member state machines the embedded client runs
// (core/client MemberState and ConsumerMemberState, whose leader runs the real assignors), every
// JoinGroup, SyncGroup, Heartbeat, LeaveGroup, ConsumerGroupHeartbeat and OffsetCommit passed
// between them with a fixed network latency, every timer (session, rebalance, heartbeat,
// max.poll.interval.ms) fired at its simulated time. The data plane is modelled in counts:
//
//   produce   each partition's log end offset grows at its share of the producers' rates
//             (production.ts): no records exist;
//   consume   a member's poll loop runs in steps of k polls (k × max.poll.records records, about
//             one step per sampling interval, at most a second): at the start of a step it takes
//             what its partitions hold up to its capacity for the step (its processing rate, or
//             its per-record time distribution, drawn from the seeded generator), shared evenly
//             across its partitions; the step's records count as processed at its end, or in
//             proportion to the time elapsed when the step is cut short (a kill, lost partitions);
//   commit    auto: at the end of a step, when auto.commit.interval.ms has passed; after: at the
//             end of each step; before: at the start of each step, for the records it took; and
//             for revoked partitions (a graceful rebalance or leave) as their step completes.
//
// A partition's next owner starts from its committed offset, so records past it that a crashed
// or expelled member had processed are processed again (counted as processedTwice, when they
// are), and records a commit-before member had committed but not processed are never processed
// (counted as skipped, when the next owner starts past them).

import { assert } from '../assert.js';
import { assignorFor } from '../assignors/registry.js';
import { decodeSubscription, type TopicPartitions } from '../assignors/consumer_protocol.js';
import { ConsumerMemberState } from '../client/consumer_member_state.js';
import type { ConsumerMemberEffect, MemberEffect } from '../client/member_effects.js';
import { MemberState } from '../client/member_state.js';
import { GroupCoordinator, type GroupCoordinatorOptions, type GroupResult } from '../group/coordinator.js';
import type { GroupReply, OffsetCommitTopic } from '../group/group_api.js';
import type { GroupRecord } from '../group/group_record.js';
import { Prng } from '../prng.js';
import { EventQueue } from './event_queue.js';
import { Production } from './production.js';
import { LabRecorder } from './recorder.js';
import { memberSeriesKey, partitionName, type LabReport } from './report.js';
import type { GroupSpec, Scenario, TimelineEvent } from './scenario.js';

/** One way, member to coordinator or back: a request is answered two of these after it is sent. */
export const virtualRequestLatencyMs = 1;
/** fetch.max.wait.ms: a member with nothing to fetch polls again after this long at most. */
const fetchWaitMs = 500;
/** The longest step of a member's poll loop (unless one poll takes longer). */
const stepMsMax = 1000;
/**
 * A caught-up member's step lasts at least the step quantum ÷ this. It polls again once it has
 * processed what it took, and takes what arrived meanwhile; without a floor those steps shrink
 * to 1 ms (a member at 10,000/s on a partition getting 7,812/s takes 78 % of its last step's time
 * each time), and 1m-events' 72 caught-up members made 3.6 million steps each per virtual hour.
 * A tenth of the quantum (100 ms in a long run) is far below the sampling the report shows.
 */
const caughtUpStepsPerQuantum = 10;

export interface VirtualRunOptions {
  readonly seed: number;
  /** Set in a comparison (variation.ts). */
  readonly variant?: { readonly key: string; readonly value: string };
  /** Called after each sample, for progress output. */
  readonly onSample?: (atMs: number, durationMs: number) => void;
}

/** Runs the scenario in virtual time and returns its report. */
export function runVirtual(scenario: Scenario, options: VirtualRunOptions): LabReport {
  const report = new VirtualRun(scenario, options).run();
  return options.variant === undefined ? report : { ...report, variant: options.variant };
}

type AnyEffect = MemberEffect | ConsumerMemberEffect;
type AnyRequest = Extract<AnyEffect, { type: 'send' }>['request'];

interface Step {
  readonly startMs: number;
  readonly endMs: number;
  /** partition → records taken for this step. */
  readonly taken: Map<string, number>;
}

interface SimMember {
  readonly name: string;
  readonly key: string;
  readonly group: SimGroup;
  readonly state: MemberState | ConsumerMemberState;
  alive: boolean;
  /** Slow-down factor from `slow` events: processing takes this many times as long. */
  factor: number;
  /** partition → next offset to process (the fetch position). */
  readonly positions: Map<string, number>;
  /** Records processed so far, including the part of the current step already done. */
  processed: number;
  step: Step | null;
  /** Bumped to cancel the scheduled step. */
  stepToken: number;
  /** Fractional capacity carried to the next step, so rates are met exactly over time. */
  carry: number;
  lastAutoCommitMs: number;
  /** Deadlines a tick is already scheduled for. */
  readonly ticksAt: Set<number>;
}

interface SimGroup {
  readonly spec: GroupSpec;
  coordinator: GroupCoordinator;
  readonly records: GroupRecord[];
  readonly members: Map<string, SimMember>;
  /** partition → the highest offset any member of the group processed up to. */
  readonly processedUpTo: Map<string, number>;
  readonly ticksAt: Set<number>;
  rebalancing: boolean;
  pendingTriggers: string[];
  dirty: boolean;
}

interface PendingRequest {
  readonly member: SimMember;
  readonly memberRequestId: number;
}

class VirtualRun {
  private nowMs = 0;
  private readonly queue = new EventQueue();
  private readonly production: Production;
  private readonly recorder: LabRecorder;
  private readonly prng: Prng;
  private readonly groups = new Map<string, SimGroup>();
  private readonly requests = new Map<number, PendingRequest>();
  private requestIdNext = 1;
  private brokerDownUntilMs = -1;
  private readonly keepRecords: boolean;
  private readonly quantumMs: number;
  /** The shortest step of a member that took less than it could process (caughtUpStepsPerQuantum). */
  private readonly caughtUpStepMsMin: number;

  constructor(
    private readonly scenario: Scenario,
    private readonly options: VirtualRunOptions,
  ) {
    this.production = new Production(scenario);
    this.recorder = new LabRecorder(scenario, 'virtual', options.seed);
    this.prng = new Prng(options.seed);
    this.keepRecords = scenario.timeline.some((event) => event.event === 'broker-restart');
    this.quantumMs = Math.max(1, Math.min(stepMsMax, scenario.sampleEveryMs));
    this.caughtUpStepMsMin = Math.max(1, Math.floor(this.quantumMs / caughtUpStepsPerQuantum));
    for (const spec of scenario.groups) {
      this.groups.set(spec.name, {
        spec, coordinator: new GroupCoordinator(this.coordinatorOptions(spec)), records: [], members: new Map(),
        processedUpTo: new Map(), ticksAt: new Set(), rebalancing: false, pendingTriggers: [], dirty: false,
      });
    }
  }

  private coordinatorOptions(spec: GroupSpec): GroupCoordinatorOptions {
    const broker = this.scenario.broker;
    return {
      config: {
        initialRebalanceDelayMs: broker.initialRebalanceDelayMs,
        sessionTimeoutMsMin: broker.groupMinSessionTimeoutMs,
        // The consumer protocol's session and heartbeat are the broker's: this group's coordinator
        // takes them from the group, so groups in one scenario may differ.
        consumerSessionTimeoutMs: spec.sessionTimeoutMs,
        consumerHeartbeatIntervalMs: spec.heartbeatIntervalMs,
        consumerAssignor: spec.protocol === 'consumer' && (spec.assignor === 'uniform' || spec.assignor === 'range') ? spec.assignor : 'uniform',
      },
      partitionCount: (topic) => this.production.partitionCount(topic),
      topicNames: () => [...this.production.partitionCounts().keys()],
      decodeSubscribedTopics: (metadata) => {
        try {
          return decodeSubscription(metadata).topics;
        } catch {
          return undefined;
        }
      },
    };
  }

  run(): LabReport {
    const { durationMs, sampleEveryMs } = this.scenario;
    for (const group of this.groups.values()) {
      this.noteTrigger(group, 'start');
      for (const name of group.spec.members) this.queue.add(0, () => this.startMember(group, name));
    }
    for (const event of this.scenario.timeline) this.queue.add(event.atMs, () => this.timelineEvent(event));
    for (let atMs = 0; ; atMs = Math.min(durationMs, atMs + sampleEveryMs)) {
      this.queue.add(atMs, () => this.sample(), true);
      if (atMs === durationMs) break;
    }
    for (;;) {
      const next = this.queue.peekMs();
      if (next === undefined || next > durationMs) break;
      const entry = this.queue.take() as { atMs: number; run: () => void };
      assert(entry.atMs >= this.nowMs, 'the virtual clock went back');
      this.nowMs = entry.atMs;
      entry.run();
      for (const group of this.groups.values()) if (group.dirty) this.checkRebalance(group);
    }
    return this.recorder.finish(durationMs);
  }

  // ─── The timeline ───────────────────────────────────────────────────────────────────────────

  private timelineEvent(event: TimelineEvent): void {
    switch (event.event) {
      case 'join': {
        const group = this.group(event.group);
        this.noteTrigger(group, `join ${event.member}`);
        this.startMember(group, event.member);
        return;
      }
      case 'kill': {
        const member = this.group(event.group).members.get(event.member);
        if (member !== undefined && member.alive) this.kill(member);
        return;
      }
      case 'leave': {
        const member = this.group(event.group).members.get(event.member);
        if (member === undefined || !member.alive) return;
        this.noteTrigger(member.group, `leave ${member.name}`);
        this.apply(member, member.state.stop(this.nowMs));
        this.gone(member);
        return;
      }
      case 'slow': {
        const member = this.group(event.group).members.get(event.member);
        if (member !== undefined) member.factor = event.factor;
        return;
      }
      case 'add-partitions': {
        this.production.addPartitions(event.topic, event.partitions, this.nowMs);
        const counts = this.production.partitionCounts();
        for (const group of this.groups.values()) {
          if (!group.spec.topics.includes(event.topic)) continue;
          this.noteTrigger(group, `add-partitions ${event.topic}`);
          if (group.spec.protocol === 'consumer') this.absorb(group, group.coordinator.topicsChanged(this.nowMs));
          for (const member of group.members.values()) if (member.alive) this.apply(member, member.state.metadataChanged(counts, this.nowMs));
        }
        return;
      }
      case 'broker-restart':
        this.brokerRestart(event.downMs);
        return;
    }
  }

  private group(name: string): SimGroup {
    const group = this.groups.get(name);
    assert(group !== undefined, `no group ${name}`);
    return group;
  }

  private startMember(group: SimGroup, name: string): void {
    const spec = group.spec;
    const assignor = assignorFor(spec.assignor);
    assert(spec.protocol === 'consumer' || assignor !== undefined, `no assignor ${spec.assignor}`);
    const state = spec.protocol === 'classic' && assignor !== undefined
      ? new MemberState({
        groupId: spec.name,
        assignors: [assignor],
        sessionTimeoutMs: spec.sessionTimeoutMs,
        heartbeatIntervalMs: spec.heartbeatIntervalMs,
        maxPollIntervalMs: spec.maxPollIntervalMs,
      })
      : new ConsumerMemberState({ groupId: spec.name, memberId: `${spec.name}-${name}`, maxPollIntervalMs: spec.maxPollIntervalMs, serverAssignor: spec.assignor });
    const member: SimMember = {
      name, key: memberSeriesKey(spec.name, name), group, state, alive: true, factor: 1, positions: new Map(), processed: 0,
      step: null, stepToken: 0, carry: 0, lastAutoCommitMs: this.nowMs, ticksAt: new Set(),
    };
    group.members.set(name, member);
    this.recorder.memberJoined(this.nowMs, spec.name, name);
    this.apply(member, state.metadataChanged(this.production.partitionCounts(), this.nowMs));
    this.apply(member, state.start({ topics: spec.topics }, this.nowMs));
    this.scheduleStep(member, this.nowMs);
  }

  /** SIGKILL: the process stops where it is; the coordinator learns of it when the session expires. */
  private kill(member: SimMember): void {
    this.cutStep(member, [...member.positions.keys()]);
    this.gone(member);
  }

  private gone(member: SimMember): void {
    member.alive = false;
    member.stepToken++;
    member.positions.clear();
    member.step = null;
    this.recorder.memberGone(this.nowMs, member.group.spec.name, member.name);
  }

  private brokerRestart(downMs: number): void {
    const upAtMs = this.nowMs + downMs;
    this.brokerDownUntilMs = upAtMs;
    for (const group of this.groups.values()) {
      // Connections break: whatever the coordinator had parked is never answered.
      for (const requestId of group.coordinator.parkedRequests()) this.fail(Number(requestId));
      this.noteTrigger(group, 'broker-restart');
    }
    this.queue.add(upAtMs, () => {
      for (const group of this.groups.values()) {
        group.coordinator = GroupCoordinator.replay(group.records, this.nowMs, this.coordinatorOptions(group.spec));
        group.ticksAt.clear();
        this.scheduleCoordinatorTick(group);
        group.dirty = true;
      }
    });
  }

  private brokerDown(): boolean {
    return this.nowMs < this.brokerDownUntilMs;
  }

  // ─── The control plane: member effects, requests, replies, timers ───────────────────────────

  private apply(member: SimMember, effects: readonly AnyEffect[]): void {
    let ownershipChanged = false;
    for (const effect of effects) {
      switch (effect.type) {
        case 'send':
          this.send(member, effect.requestId, effect.request);
          // Heartbeats and commits change nothing a rebalance is measured by, unless one is under way.
          if (member.group.rebalancing || (effect.request.api !== 'Heartbeat' && effect.request.api !== 'OffsetCommit' && effect.request.api !== 'ConsumerGroupHeartbeat')) {
            member.group.dirty = true;
          }
          break;
        case 'assigned':
          for (const partition of names(effect.partitions)) this.assign(member, partition);
          ownershipChanged = true;
          break;
        case 'revoked':
          this.revoke(member, names(effect.partitions));
          ownershipChanged = true;
          break;
        case 'lost':
          this.cutStep(member, names(effect.partitions));
          for (const partition of names(effect.partitions)) member.positions.delete(partition);
          ownershipChanged = true;
          break;
        case 'callbacksDone': {
          const state = member.state;
          assert(state instanceof ConsumerMemberState, 'callbacksDone from a classic member');
          this.apply(member, state.callbacksCompleted(effect.callbackId, this.nowMs));
          break;
        }
        case 'event':
          if (effect.event.type === 'GROUP_LEAVE') this.noteTrigger(member.group, `max.poll.interval.ms exceeded by ${member.name}`);
          break;
        case 'watchTopics':
        case 'commitCompleted':
        case 'commitRefused':
          break;
      }
    }
    if (ownershipChanged) {
      member.group.dirty = true;
      this.recorder.owned(this.nowMs, member.group.spec.name, member.name, [...member.positions.keys()]);
      // A member that was waiting for work polls at once when partitions arrive.
      if (member.alive && member.step === null && member.positions.size > 0) this.scheduleStep(member, this.nowMs);
    }
    this.scheduleMemberTick(member);
  }

  private send(member: SimMember, memberRequestId: number, request: AnyRequest): void {
    const requestId = this.requestIdNext++;
    this.requests.set(requestId, { member, memberRequestId });
    const group = member.group;
    this.queue.add(this.nowMs + virtualRequestLatencyMs, () => {
      if (this.brokerDown()) return this.fail(requestId);
      const coordinator = group.coordinator;
      const now = this.nowMs;
      const client = { clientId: member.name, clientHost: '/lab' };
      switch (request.api) {
        case 'JoinGroup':
          return this.absorb(group, coordinator.joinGroup(now, requestId, { ...request.body, ...client, requireKnownMemberId: true }));
        case 'SyncGroup':
          return this.absorb(group, coordinator.syncGroup(now, requestId, request.body));
        case 'Heartbeat':
          return this.absorb(group, coordinator.heartbeat(now, requestId, request.body));
        case 'LeaveGroup':
          return this.absorb(group, coordinator.leaveGroup(now, requestId, request.body));
        case 'OffsetCommit':
          return this.absorb(group, coordinator.offsetCommit(now, requestId, request.body));
        case 'ConsumerGroupHeartbeat':
          return this.absorb(group, coordinator.consumerGroupHeartbeat(now, requestId, { ...request.body, ...client }));
      }
    });
  }

  /** The request's connection broke: the member hears so after the latency. */
  private fail(requestId: number): void {
    const pending = this.requests.get(requestId);
    this.requests.delete(requestId);
    if (pending === undefined) return;
    this.queue.add(this.nowMs + virtualRequestLatencyMs, () => {
      const member = pending.member;
      if (member.alive) this.apply(member, member.state.requestFailed(pending.memberRequestId, this.nowMs));
    });
  }

  private absorb(group: SimGroup, result: GroupResult): void {
    if (this.keepRecords) group.records.push(...result.records);
    for (const event of result.events) {
      if (event.type === 'memberRemoved' && event.cause !== 'leaveGroup') {
        const member = [...group.members.values()].find((candidate) => candidate.state.memberId === event.memberId);
        this.noteTrigger(group, `${event.cause} of ${member?.name ?? event.memberId}`);
      }
    }
    for (const reply of result.replies) {
      const pending = this.requests.get(Number(reply.requestId));
      this.requests.delete(Number(reply.requestId));
      if (pending === undefined) continue;
      this.queue.add(this.nowMs + virtualRequestLatencyMs, () => this.deliver(pending, reply));
    }
    this.scheduleCoordinatorTick(group);
  }

  private deliver(pending: PendingRequest, reply: GroupReply): void {
    const member = pending.member;
    if (!member.alive) return; // the process is gone; nobody reads the answer
    const state = member.state;
    const id = pending.memberRequestId;
    const now = this.nowMs;
    let effects: readonly AnyEffect[];
    switch (reply.api) {
      case 'JoinGroup':
        assert(state instanceof MemberState, 'JoinGroup answer for a consumer-protocol member');
        effects = state.joinGroupResponse(id, reply.response, now);
        break;
      case 'SyncGroup':
        assert(state instanceof MemberState, 'SyncGroup answer for a consumer-protocol member');
        effects = state.syncGroupResponse(id, reply.response, now);
        break;
      case 'Heartbeat':
        assert(state instanceof MemberState, 'Heartbeat answer for a consumer-protocol member');
        if (reply.response.errorCode !== 0) member.group.dirty = true;
        effects = state.heartbeatResponse(id, reply.response, now);
        break;
      case 'LeaveGroup':
        assert(state instanceof MemberState, 'LeaveGroup answer for a consumer-protocol member');
        effects = state.leaveGroupResponse(id, reply.response, now);
        break;
      case 'OffsetCommit':
        effects = state.offsetCommitResponse(id, reply.response, now);
        break;
      case 'ConsumerGroupHeartbeat':
        assert(state instanceof ConsumerMemberState, 'ConsumerGroupHeartbeat answer for a classic member');
        // The coordinator repeats a member's assignment in its answers; only a different one matters.
        if (reply.response.errorCode !== 0 || member.group.rebalancing
          || (reply.response.assignment !== null && !sameSet(names(reply.response.assignment), [...member.positions.keys()]))) {
          member.group.dirty = true;
        }
        effects = state.heartbeatResponse(id, reply.response, now);
        break;
      default:
        return;
    }
    this.apply(member, effects);
  }

  private scheduleCoordinatorTick(group: SimGroup): void {
    const deadline = group.coordinator.nextDeadlineMs();
    if (deadline === undefined) return;
    const atMs = Math.max(this.nowMs, Math.ceil(deadline));
    if (group.ticksAt.has(atMs)) return;
    group.ticksAt.add(atMs);
    const coordinator = group.coordinator;
    this.queue.add(atMs, () => {
      group.ticksAt.delete(atMs);
      if (group.coordinator !== coordinator || this.brokerDown()) return;
      this.absorb(group, coordinator.tick(this.nowMs));
    });
  }

  private scheduleMemberTick(member: SimMember): void {
    if (!member.alive) return;
    const deadline = member.state.nextDeadlineMs();
    if (deadline === null) return;
    const atMs = Math.max(this.nowMs, Math.ceil(deadline));
    if (member.ticksAt.has(atMs)) return;
    member.ticksAt.add(atMs);
    this.queue.add(atMs, () => {
      member.ticksAt.delete(atMs);
      if (member.alive) this.apply(member, member.state.tick(this.nowMs));
    });
  }

  // ─── The data plane: positions, steps, commits ──────────────────────────────────────────────

  /** A partition handed to the member starts at the group's committed offset (the earliest when none). */
  private assign(member: SimMember, partition: string): void {
    const group = member.group;
    const committed = this.committed(group).get(partition) ?? 0;
    const upTo = group.processedUpTo.get(partition) ?? 0;
    // Committed past anything processed: a commit-before member died with these in hand.
    if (committed > upTo) {
      this.recorder.skipped(group.spec.name, committed - upTo);
      group.processedUpTo.set(partition, committed);
    }
    member.positions.set(partition, committed);
  }

  /** Graceful: the poll that revokes runs after the step's records are processed; their offsets are committed. */
  private revoke(member: SimMember, partitions: readonly string[]): void {
    const step = member.step;
    for (const partition of partitions) {
      const taken = step?.taken.get(partition);
      if (taken !== undefined) {
        this.processRecords(member, partition, taken);
        step?.taken.delete(partition);
      }
    }
    this.commit(member, partitions);
    for (const partition of partitions) member.positions.delete(partition);
  }

  /** The step ends early for these partitions: what was processed by now counts, the rest is dropped. */
  private cutStep(member: SimMember, partitions: readonly string[]): void {
    const step = member.step;
    if (step === null) return;
    const done = step.endMs > step.startMs ? (this.nowMs - step.startMs) / (step.endMs - step.startMs) : 1;
    for (const partition of partitions) {
      const taken = step.taken.get(partition);
      if (taken === undefined) continue;
      this.processRecords(member, partition, Math.floor(taken * done));
      step.taken.delete(partition);
    }
  }

  /** The member processes `count` records of the partition from its position on. */
  private processRecords(member: SimMember, partition: string, count: number): void {
    const from = member.positions.get(partition);
    if (from === undefined || count <= 0) return;
    const to = from + count;
    const group = member.group;
    const upTo = group.processedUpTo.get(partition) ?? 0;
    if (upTo > from) this.recorder.processedTwice(group.spec.name, Math.min(to, upTo) - from);
    if (to > upTo) group.processedUpTo.set(partition, to);
    member.positions.set(partition, to);
    member.processed += count;
  }

  private commit(member: SimMember, partitions: readonly string[], ahead?: ReadonlyMap<string, number>): void {
    if (partitions.length === 0 || !member.alive) return;
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: null }[]>();
    for (const partition of partitions) {
      const position = member.positions.get(partition);
      if (position === undefined) continue;
      const dash = partition.lastIndexOf('-');
      const topic = partition.slice(0, dash);
      const list = byTopic.get(topic) ?? [];
      list.push({ partitionIndex: Number(partition.slice(dash + 1)), committedOffset: position + (ahead?.get(partition) ?? 0), committedLeaderEpoch: -1, committedMetadata: null });
      byTopic.set(topic, list);
    }
    const topics: OffsetCommitTopic[] = [...byTopic].map(([name, list]) => ({ name, partitions: list }));
    if (topics.length > 0) this.apply(member, member.state.commitOffsets(topics, this.nowMs));
  }

  private scheduleStep(member: SimMember, atMs: number): void {
    const token = ++member.stepToken;
    this.queue.add(atMs, () => {
      if (member.alive && member.stepToken === token) this.pollStep(member);
    });
  }

  /** One iteration of the poll loop: finish the step that ends now, poll, and take the next step's records. */
  private pollStep(member: SimMember): void {
    const spec = member.group.spec;
    const step = member.step;
    member.step = null;
    if (step !== null) {
      for (const [partition, taken] of step.taken) this.processRecords(member, partition, taken);
      const owned = [...member.positions.keys()];
      if (spec.commit === 'after') this.commit(member, owned);
      else if (spec.commit === 'auto' && this.nowMs - member.lastAutoCommitMs >= spec.autoCommitIntervalMs) {
        this.commit(member, owned);
        member.lastAutoCommitMs = this.nowMs;
      }
    }
    if (!member.alive) return;
    this.apply(member, member.state.pollCompleted(this.nowMs));
    if (!member.alive) return;

    const ratePerMs = this.processingRatePerMs(spec) / member.factor;
    const pollMs = spec.maxPollRecords / ratePerMs;
    const polls = Math.max(1, Math.floor(this.quantumMs / pollMs));
    const durationMs = Math.max(1, Math.round(polls * pollMs));
    const partitions = [...member.positions.keys()];
    const available = partitions.map((partition) => Math.max(0, Math.floor(this.production.logEnd(partition, this.nowMs)) - (member.positions.get(partition) ?? 0)));
    const total = available.reduce((sum, count) => sum + count, 0);
    if (this.brokerDown() || total === 0) {
      // Nothing to fetch: the fetch waits for records, then the loop polls again.
      this.scheduleStep(member, this.nowMs + Math.min(durationMs, fetchWaitMs, this.quantumMs));
      return;
    }
    const capacityExact = this.capacity(spec, member, durationMs) + member.carry;
    const capacity = Math.floor(capacityExact);
    const taken = shareEvenly(partitions, available, Math.min(capacity, polls * spec.maxPollRecords, total));
    const used = [...taken.values()].reduce((sum, count) => sum + count, 0);
    member.carry = used < capacity ? 0 : capacityExact - capacity;
    // A member that took less than it could process is done when those records are: it polls
    // again then, as a real poll loop does, instead of holding a full max.poll.records' time.
    const stepMs = used < capacity ? Math.min(durationMs, Math.max(this.caughtUpStepMsMin, Math.round(used / ratePerMs))) : durationMs;
    member.step = { startMs: this.nowMs, endMs: this.nowMs + stepMs, taken };
    if (spec.commit === 'before') this.commit(member, [...taken.keys()], taken);
    this.scheduleStep(member, this.nowMs + stepMs);
  }

  private processingRatePerMs(spec: GroupSpec): number {
    const processing = spec.processing;
    if ('ratePerSec' in processing) return processing.ratePerSec / 1000;
    const meanMs = meanOf(processing.perRecordMs);
    return meanMs > 0 ? 1 / meanMs : Number.MAX_SAFE_INTEGER;
  }

  /** Records the member can process in `durationMs`: exact for a rate, drawn for a per-record distribution. */
  private capacity(spec: GroupSpec, member: SimMember, durationMs: number): number {
    const processing = spec.processing;
    const mean = durationMs * this.processingRatePerMs(spec) / member.factor;
    if ('ratePerSec' in processing) return mean;
    const distribution = processing.perRecordMs;
    const meanMs = meanOf(distribution) * member.factor;
    const sdMs = sdOf(distribution) * member.factor;
    if (sdMs === 0 || meanMs === 0) return mean;
    // Records completed in a window of renewals: mean t/μ, variance t·σ²/μ³ (renewal theorem).
    const sd = Math.sqrt((durationMs * sdMs * sdMs) / (meanMs * meanMs * meanMs));
    return Math.max(0, mean + sd * this.normal());
  }

  private normal(): number {
    const u = Math.max(this.prng.next(), Number.MIN_VALUE);
    const v = this.prng.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private committed(group: SimGroup): Map<string, number> {
    const offsets = new Map<string, number>();
    for (const topic of group.coordinator.offsetFetch({ groupId: group.spec.name, topics: null }).topics) {
      for (const partition of topic.partitions) {
        if (partition.committedOffset >= 0) offsets.set(partitionName(topic.name, partition.partitionIndex), partition.committedOffset);
      }
    }
    return offsets;
  }

  // ─── Rebalances and samples ─────────────────────────────────────────────────────────────────

  /**
   * What happened to the group, for the next rebalance's trigger. Noted things take effect later
   * (a LeaveGroup arrives after its latency, an expiry after the session), so they wait for the
   * rebalance they cause; each one noted causes one.
   */
  private noteTrigger(group: SimGroup, trigger: string): void {
    if (group.rebalancing) this.recorder.rebalanceStarted(this.nowMs, group.spec.name, trigger);
    else group.pendingTriggers.push(trigger);
    group.dirty = true;
  }

  /** A rebalance runs from the moment the group stops being settled to the moment it is again. */
  private checkRebalance(group: SimGroup): void {
    group.dirty = false;
    const settled = this.settled(group);
    if (!group.rebalancing && !settled) {
      group.rebalancing = true;
      const triggers = group.pendingTriggers.length === 0 ? ['rebalance'] : group.pendingTriggers;
      for (const trigger of triggers) this.recorder.rebalanceStarted(this.nowMs, group.spec.name, trigger);
      group.pendingTriggers = [];
    } else if (group.rebalancing && settled) {
      group.rebalancing = false;
      this.recorder.rebalanceEnded(this.nowMs, group.spec.name);
    }
  }

  /** Every live member holds what the coordinator means it to hold, and no rebalance is under way. */
  private settled(group: SimGroup): boolean {
    if (this.brokerDown()) return false;
    const live = [...group.members.values()].filter((member) => member.alive);
    if (group.spec.protocol === 'classic') {
      if (live.some((member) => member.state.phase !== 'stable')) return false;
      return live.length === 0 || group.coordinator.describeGroups([group.spec.name])[0].groupState === 'Stable';
    }
    if (live.some((member) => member.state.phase !== 'stable')) return false;
    const described = group.coordinator.consumerGroupDescribe([group.spec.name])[0];
    // A new group epoch (a member came or went, topics changed) is a rebalance until the target
    // assignment is computed for it and every member has reached it.
    if (described.assignmentEpoch !== described.groupEpoch) return false;
    const byId = new Map(described.members.map((entry) => [entry.memberId, entry]));
    return live.every((member) => {
      const entry = byId.get(member.state.memberId);
      if (entry === undefined || entry.memberEpoch !== described.assignmentEpoch) return false;
      const target = names(entry.targetAssignment);
      const current = names(entry.assignment);
      return target.length === member.positions.size && current.length === target.length
        && target.every((partition) => member.positions.has(partition)) && sameSet(target, current);
    });
  }

  private sample(): void {
    const now = this.nowMs;
    const logEnd = new Map<string, number>();
    for (const partition of this.production.partitionNames()) logEnd.set(partition, Math.floor(this.production.logEnd(partition, now)));
    const committed = new Map<string, Map<string, number>>();
    const processed = new Map<string, number>();
    for (const group of this.groups.values()) {
      committed.set(group.spec.name, this.committed(group));
      for (const member of group.members.values()) processed.set(member.key, member.processed + this.inStep(member));
    }
    this.recorder.sample(now, { logEnd, committed, processed });
    this.options.onSample?.(now, this.scenario.durationMs);
  }

  /** Records of the current step already processed by now. */
  private inStep(member: SimMember): number {
    const step = member.step;
    if (step === null || !member.alive) return 0;
    const done = step.endMs > step.startMs ? Math.min(1, (this.nowMs - step.startMs) / (step.endMs - step.startMs)) : 1;
    let count = 0;
    for (const taken of step.taken.values()) count += Math.floor(taken * done);
    return count;
  }
}

/** "topic-partition" names of a protocol partition list. */
function names(partitions: readonly TopicPartitions[]): string[] {
  return partitions.flatMap(({ topic, partitions: indexes }) => indexes.map((partition) => partitionName(topic, partition)));
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return a.length === b.length && b.every((item) => set.has(item));
}

/** Splits `total` records over the partitions evenly, none taking more than it has (water-filling). */
function shareEvenly(partitions: readonly string[], available: readonly number[], total: number): Map<string, number> {
  const taken = new Map<string, number>();
  let left = total;
  const order = partitions.map((_, index) => index).sort((a, b) => available[a] - available[b] || a - b);
  order.forEach((index, rank) => {
    const share = Math.min(available[index], Math.floor(left / (order.length - rank)));
    if (share > 0) taken.set(partitions[index], share);
    left -= share;
  });
  // Rounding leaves a few records: the partitions with room take one more each.
  for (const index of order) {
    if (left <= 0) break;
    const now = taken.get(partitions[index]) ?? 0;
    if (now < available[index]) {
      taken.set(partitions[index], now + 1);
      left--;
    }
  }
  return taken;
}

function meanOf(distribution: Extract<GroupSpec['processing'], { perRecordMs: unknown }>['perRecordMs']): number {
  switch (distribution.kind) {
    case 'fixed':
      return distribution.ms;
    case 'uniform':
      return (distribution.minMs + distribution.maxMs) / 2;
    case 'exponential':
      return distribution.meanMs;
  }
}

function sdOf(distribution: Extract<GroupSpec['processing'], { perRecordMs: unknown }>['perRecordMs']): number {
  switch (distribution.kind) {
    case 'fixed':
      return 0;
    case 'uniform':
      return (distribution.maxMs - distribution.minMs) / Math.sqrt(12);
    case 'exponential':
      return distribution.meanMs;
  }
}
