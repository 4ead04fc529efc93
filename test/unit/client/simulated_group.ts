// A small classic-protocol coordinator and a message loop for MemberState tests: members send
// what their effects ask for, the coordinator answers as Kafka's classic protocol does (two-step
// join, join barrier, sync barrier, heartbeat answers, session and rebalance timeouts), and the
// answers come back on a fake clock. It is a test double, deliberately simpler than core/group:
// no initial rebalance delay, protocol chosen from the first member's list.

import { assert } from '../../../core/assert.js';
import { MemberState } from '../../../core/client/member_state.js';
import type { MemberEffect, MemberEvent, MemberSubscription } from '../../../core/client/member_effects.js';
import type {
  MemberJoinGroupRequest as JoinGroupRequest,
  MemberJoinGroupResponse as JoinGroupResponse,
  MemberRequest,
} from '../../../core/group/group_api.js';
import type { MemberConfigInput } from '../../../core/client/member_config.js';
import { ErrorCode } from '../../../core/errors.js';
import type { TopicPartitions } from '../../../core/assignors/consumer_protocol.js';

export type CallbackRecord = { kind: 'revoked' | 'assigned' | 'lost'; partitions: readonly TopicPartitions[]; atMs: number };

export class SimulatedMember {
  readonly callbacks: CallbackRecord[] = [];
  readonly events: MemberEvent[] = [];
  readonly sent: MemberRequest[] = [];
  readonly effects: MemberEffect[] = [];
  constructor(
    readonly name: string,
    readonly state: MemberState,
  ) {}

  /** Callbacks as compact strings ("revoked t-0,t-1"), for expectations that read like a log. */
  callbackLog(): string[] {
    return this.callbacks.map(({ kind, partitions }) => `${kind} ${partitions.flatMap(({ topic, partitions: ps }) => ps.map((p) => `${topic}-${p}`)).join(',')}`.trim());
  }

  owned(): string[] {
    return this.state.ownedPartitions().flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}-${p}`));
  }

  eventTypes(): string[] {
    return this.events.map((event) => event.type);
  }
}

interface CoordinatorMember {
  memberId: string;
  groupInstanceId: string | null;
  metadataByProtocol: Map<string, Uint8Array>;
  protocols: string[];
  lastHeardMs: number;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  joinRequest: { member: SimulatedMember; requestId: number } | null;
  syncRequest: { member: SimulatedMember; requestId: number } | null;
  assignment: Uint8Array;
}

type Delivery = { member: SimulatedMember; requestId: number; respond: () => MemberEffect[] };

export class SimulatedGroup {
  nowMs = 0;
  generationId = 0;
  state: 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' = 'Empty';
  leaderId = '';
  protocolName = '';
  /** When set, requests from members are dropped on the floor (a partitioned network). */
  partitioned = new Set<string>();
  readonly members = new Map<string, CoordinatorMember>();
  private readonly simulated = new Map<string, SimulatedMember>();
  private readonly inbox: Delivery[] = [];
  private rebalanceDeadlineMs = 0;
  private nextMemberNumber = 1;
  partitionsPerTopic: Map<string, number>;

  constructor(partitionsPerTopic: Record<string, number>) {
    this.partitionsPerTopic = new Map(Object.entries(partitionsPerTopic));
  }

  addMember(name: string, config: Omit<MemberConfigInput, 'groupId'>): SimulatedMember {
    const member = new SimulatedMember(name, new MemberState({ groupId: 'g', ...config }));
    this.simulated.set(name, member);
    this.apply(member, member.state.metadataChanged(this.partitionsPerTopic, this.nowMs));
    return member;
  }

  start(member: SimulatedMember, subscription: MemberSubscription): void {
    this.apply(member, member.state.start(subscription, this.nowMs));
  }

  /** Feeds a member's effects: records callbacks and events, hands requests to the coordinator. */
  apply(member: SimulatedMember, effects: readonly MemberEffect[]): void {
    for (const effect of effects) {
      member.effects.push(effect);
      switch (effect.type) {
        case 'send':
          member.sent.push(effect.request);
          if (!this.partitioned.has(member.name)) this.receive(member, effect.requestId, effect.request);
          break;
        case 'revoked':
        case 'assigned':
        case 'lost':
          member.callbacks.push({ kind: effect.type, partitions: effect.partitions, atMs: this.nowMs });
          break;
        case 'event':
          member.events.push(effect.event);
          break;
        case 'watchTopics':
        case 'commitCompleted':
        case 'commitRefused':
          break;
      }
    }
  }

  /** Delivers queued responses until none are left (bounded: a livelock is a test failure). */
  settle(): void {
    for (let steps = 0; this.inbox.length > 0; steps++) {
      assert(steps < 10_000, 'the group did not settle');
      const delivery = this.inbox.shift() as Delivery;
      this.apply(delivery.member, delivery.respond());
    }
  }

  /** Advances the clock in steps, running every member's timers and the coordinator's. */
  advance(ms: number, stepMs = 100, beforeTick?: () => void): void {
    const end = this.nowMs + ms;
    while (this.nowMs < end) {
      this.nowMs = Math.min(end, this.nowMs + stepMs);
      beforeTick?.();
      this.expire();
      for (const member of this.simulated.values()) this.apply(member, member.state.tick(this.nowMs));
      this.settle();
    }
  }

  pollAll(): void {
    for (const member of this.simulated.values()) this.apply(member, member.state.pollCompleted(this.nowMs));
    this.settle();
  }

  setPartitions(topic: string, count: number): void {
    this.partitionsPerTopic.set(topic, count);
    for (const member of this.simulated.values()) this.apply(member, member.state.metadataChanged(this.partitionsPerTopic, this.nowMs));
    this.settle();
  }

  // ---------------------------------------------------------------------------------------------

  private reply(member: SimulatedMember, requestId: number, respond: () => MemberEffect[]): void {
    this.inbox.push({ member, requestId, respond });
  }

  private receive(member: SimulatedMember, requestId: number, request: MemberRequest): void {
    const state = member.state;
    const now = () => this.nowMs;
    switch (request.api) {
      case 'JoinGroup':
        return this.join(member, requestId, request.body);
      case 'SyncGroup': {
        const body = request.body;
        const known = this.members.get(body.memberId);
        if (known === undefined) return this.reply(member, requestId, () => state.syncGroupResponse(requestId, { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: new Uint8Array() }, now()));
        if (body.generationId !== this.generationId) return this.reply(member, requestId, () => state.syncGroupResponse(requestId, { errorCode: ErrorCode.ILLEGAL_GENERATION, assignment: new Uint8Array() }, now()));
        if (this.state !== 'CompletingRebalance') {
          const errorCode = this.state === 'Stable' ? ErrorCode.NONE : ErrorCode.REBALANCE_IN_PROGRESS;
          return this.reply(member, requestId, () => state.syncGroupResponse(requestId, { errorCode, assignment: known.assignment }, now()));
        }
        known.lastHeardMs = this.nowMs;
        known.syncRequest = { member, requestId };
        if (body.memberId === this.leaderId) {
          for (const { memberId, assignment } of body.assignments) {
            const target = this.members.get(memberId);
            if (target !== undefined) target.assignment = assignment;
          }
          this.state = 'Stable';
          for (const target of this.members.values()) {
            const pending = target.syncRequest;
            if (pending === null) continue;
            target.syncRequest = null;
            this.reply(pending.member, pending.requestId, () => pending.member.state.syncGroupResponse(pending.requestId, { errorCode: ErrorCode.NONE, assignment: target.assignment }, now()));
          }
        }
        return;
      }
      case 'Heartbeat': {
        const body = request.body;
        const known = this.members.get(body.memberId);
        let errorCode: number = ErrorCode.NONE;
        if (known === undefined) errorCode = ErrorCode.UNKNOWN_MEMBER_ID;
        else if (body.generationId !== this.generationId) errorCode = ErrorCode.ILLEGAL_GENERATION;
        else if (this.state === 'PreparingRebalance') errorCode = ErrorCode.REBALANCE_IN_PROGRESS;
        if (known !== undefined) known.lastHeardMs = this.nowMs;
        return this.reply(member, requestId, () => state.heartbeatResponse(requestId, { errorCode }, now()));
      }
      case 'LeaveGroup': {
        for (const { memberId } of request.body.members) this.removeMember(memberId);
        return this.reply(member, requestId, () => state.leaveGroupResponse(requestId, { errorCode: ErrorCode.NONE }, now()));
      }
      case 'OffsetCommit': {
        const body = request.body;
        let errorCode: number = ErrorCode.NONE;
        if (!this.members.has(body.memberId)) errorCode = ErrorCode.UNKNOWN_MEMBER_ID;
        else if (body.generationId !== this.generationId) errorCode = ErrorCode.ILLEGAL_GENERATION;
        else if (this.state === 'CompletingRebalance') errorCode = ErrorCode.REBALANCE_IN_PROGRESS;
        const topics = body.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }));
        return this.reply(member, requestId, () => state.offsetCommitResponse(requestId, { topics }, now()));
      }
    }
  }

  private join(member: SimulatedMember, requestId: number, body: JoinGroupRequest): void {
    const state = member.state;
    if (body.memberId === '') {
      const memberId = `${member.name}-${this.nextMemberNumber++}`;
      return this.reply(member, requestId, () => state.joinGroupResponse(requestId, joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId), this.nowMs));
    }
    let known = this.members.get(body.memberId);
    if (known === undefined) {
      // The two-step join: an id we handed out comes back. (Not tracked: any id is accepted.)
      known = {
        memberId: body.memberId,
        groupInstanceId: body.groupInstanceId,
        metadataByProtocol: new Map(),
        protocols: [],
        lastHeardMs: this.nowMs,
        sessionTimeoutMs: body.sessionTimeoutMs,
        rebalanceTimeoutMs: body.rebalanceTimeoutMs,
        joinRequest: null,
        syncRequest: null,
        assignment: new Uint8Array(),
      };
      this.members.set(body.memberId, known);
    }
    known.protocols = body.protocols.map((protocol) => protocol.name);
    known.metadataByProtocol = new Map(body.protocols.map((protocol) => [protocol.name, protocol.metadata]));
    known.lastHeardMs = this.nowMs;
    known.joinRequest = { member, requestId };
    if (this.state !== 'PreparingRebalance') this.prepareRebalance();
    this.maybeCompleteJoin(false);
  }

  private prepareRebalance(): void {
    // Held syncs learn that the group moved on.
    for (const known of this.members.values()) {
      const pending = known.syncRequest;
      if (pending === null) continue;
      known.syncRequest = null;
      this.reply(pending.member, pending.requestId, () => pending.member.state.syncGroupResponse(pending.requestId, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: new Uint8Array() }, this.nowMs));
    }
    this.state = 'PreparingRebalance';
    this.rebalanceDeadlineMs = this.nowMs + Math.max(0, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
  }

  private maybeCompleteJoin(deadlinePassed: boolean): void {
    if (this.state !== 'PreparingRebalance') return;
    const all = [...this.members.values()];
    if (!deadlinePassed && all.some((known) => known.joinRequest === null)) return;
    for (const known of all) if (known.joinRequest === null) this.members.delete(known.memberId);
    this.generationId++;
    if (this.members.size === 0) {
      this.state = 'Empty';
      return;
    }
    const members = [...this.members.values()];
    if (!this.members.has(this.leaderId)) this.leaderId = members[0].memberId;
    this.protocolName = members[0].protocols.find((name) => members.every((m) => m.protocols.includes(name))) as string;
    this.state = 'CompletingRebalance';
    for (const known of members) {
      const pending = known.joinRequest as { member: SimulatedMember; requestId: number };
      known.joinRequest = null;
      const response: JoinGroupResponse = {
        errorCode: ErrorCode.NONE,
        generationId: this.generationId,
        protocolName: this.protocolName,
        leader: this.leaderId,
        memberId: known.memberId,
        members:
          known.memberId === this.leaderId
            ? members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataByProtocol.get(this.protocolName) as Uint8Array }))
            : [],
      };
      this.reply(pending.member, pending.requestId, () => pending.member.state.joinGroupResponse(pending.requestId, response, this.nowMs));
    }
  }

  private removeMember(memberId: string): void {
    if (!this.members.delete(memberId)) return;
    if (this.members.size === 0) {
      this.state = 'Empty';
      return;
    }
    if (this.state !== 'PreparingRebalance') this.prepareRebalance();
    this.maybeCompleteJoin(false);
  }

  private expire(): void {
    for (const known of [...this.members.values()]) {
      if (known.joinRequest !== null) continue; // a parked join keeps its member alive
      if (this.nowMs >= known.lastHeardMs + known.sessionTimeoutMs) this.removeMember(known.memberId);
    }
    if (this.state === 'PreparingRebalance' && this.nowMs >= this.rebalanceDeadlineMs) this.maybeCompleteJoin(true);
  }
}

function joinError(errorCode: number, memberId = ''): JoinGroupResponse {
  return { errorCode, generationId: -1, protocolName: null, leader: '', memberId, members: [] };
}

