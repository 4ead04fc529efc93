// One consumer's membership in a classic-protocol group, as a state machine on injected time: the
// part of Kafka's AbstractCoordinator/ConsumerCoordinator that decides what to send and which
// rebalance callbacks to run, without the I/O. Every input (a call below, with `nowMs`) returns the
// effects the caller must carry out, in order (member_effects.ts: MemberEffect). Nothing here awaits,
// reads a clock or starts a timer; `nextDeadlineMs()` says when `tick` is next worth calling.
//
// Phases and how they move (assertTransition keeps this table honest):
//
//   idle ──start──▶ joining ──JoinGroup ok──▶ syncing ──SyncGroup ok──▶ stable
//                    ▲  │ ▲                     │                          │
//                    │  │ └── MEMBER_ID_REQUIRED, UNKNOWN_MEMBER_ID: rejoin at once
//                    │  └──coordinator error──▶ backoff ──retryAtMs──▶ joining
//                    └── rebalance needed (heartbeat says so, metadata changed, cooperative
//                        revocation, session expired, ILLEGAL_GENERATION …) from syncing/stable
//   syncing/stable ──max.poll.interval.ms exceeded──▶ leftGroup ──pollCompleted──▶ joining
//   any ──stop──▶ leaving (dynamic member: LeaveGroup in flight) ──▶ stopped; static: stopped
//   any ──fatal error──▶ failed
//
// Ownership. `owned` is exactly what the callbacks have told the user: it grows only through an
// `assigned` effect and shrinks only through `revoked` or `lost`. Eager members revoke everything
// before they rejoin; cooperative members (KIP-429) keep what they own, revoke after SyncGroup
// only what the assignment took away, and then rejoin at once so it can be handed on. Partitions
// are "lost" rather than revoked whenever the coordinator may already have given them away: the
// generation was reset (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, session expiry), the member left
// after exceeding max.poll.interval.ms, or a fatal error ended the membership.
//
// Requests carry a requestId; a response is matched to the request it answers and ignored when
// that request is no longer awaited (a heartbeat answered after the member began rejoining, a
// JoinGroup answered after stop). Callers must report every request's fate: a response, or
// `requestFailed` for a disconnect or timeout.

import { assert, assertNever } from '../assert.js';
import { rebalanceProtocolFor, type PartitionAssignor, type RebalanceProtocol } from '../assignors/assignor.js';
import { consumerProtocolVersionMax, decodeAssignment, encodeStickyUserData, encodeSubscription } from '../assignors/consumer_protocol.js';
import { ErrorCode, LanesError, errorCodeName } from '../errors.js';
import { assignAsLeader, metadataSnapshotOf, sameMetadataSnapshot } from './leader_assignment.js';
import type {
  HeartbeatResponse,
  MemberApi,
  MemberJoinGroupResponse as JoinGroupResponse,
  MemberLeaveGroupResponse as LeaveGroupResponse,
  MemberRequest,
  MemberSyncGroupResponse as SyncGroupResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
} from '../group/group_api.js';
import type { MemberEffect } from './member_effects.js';
import { MemberMachine } from './member_machine.js';
import { memberConfigOf, type MemberConfig, type MemberConfigInput } from './member_config.js';
import { errorActionFor, isCoordinatorError } from './member_errors.js';
import { PartitionSet } from './partition_set.js';

export type MemberPhase = 'idle' | 'joining' | 'syncing' | 'stable' | 'backoff' | 'leftGroup' | 'leaving' | 'stopped' | 'failed';

const allowedFrom: Record<MemberPhase, readonly MemberPhase[]> = {
  idle: [],
  joining: ['idle', 'joining', 'syncing', 'stable', 'backoff', 'leftGroup'],
  syncing: ['joining'],
  stable: ['syncing'],
  backoff: ['joining', 'syncing'],
  leftGroup: ['syncing', 'stable'],
  leaving: ['joining', 'syncing', 'stable', 'backoff'],
  stopped: ['idle', 'joining', 'syncing', 'stable', 'backoff', 'leftGroup', 'leaving'],
  failed: ['joining', 'syncing', 'stable', 'backoff'],
};

/** What is remembered about a request until its response or failure arrives. */
interface PendingRequest {
  readonly api: MemberApi;
  readonly generationId: number;
  readonly memberId: string;
}

const noGeneration = -1;
const noMemberId = '';

type SendEffect = Extract<MemberEffect, { readonly type: 'send' }>;

export class MemberState extends MemberMachine<'syncing' | 'backoff', SendEffect, PendingRequest, MemberConfig> {
  readonly protocol: RebalanceProtocol;

  private generationIdValue = noGeneration;
  private leaderId = '';
  private protocolName: string | null = null;
  /**
   * An eager member owns nothing while it rejoins; what it held in `generationIdValue` is kept
   * here for its subscription's ownedPartitions, so that the sticky assignor can keep it in place.
   */
  private previousAssignment = new PartitionSet();
  /** The topics named in the last JoinGroup; a different set now means rejoin. */
  private joinedTopics: string[] = [];
  /** The leader's view of the group's topics when it assigned; null for followers. */
  private leaderMetadataSnapshot: Map<string, number> | null = null;
  private leaderGroupTopics: string[] = [];
  /** A rebalance was asked for while JoinGroup/SyncGroup were in flight: run it after SyncGroup. */
  private rejoinReason: string | null = null;

  private joinRequestId = 0;
  private syncRequestId = 0;

  private sessionConfirmedMs = 0;
  private retryAtMs = 0;

  constructor(config: MemberConfigInput) {
    super(memberConfigOf(config), allowedFrom, noMemberId);
    this.protocol = rebalanceProtocolFor(this.config.assignors);
  }

  // ---------------------------------------------------------------------------------------------
  // Read-only views.

  /** −1 when the member holds no generation. */
  get generationId(): number {
    return this.generationIdValue;
  }

  get isLeader(): boolean {
    return this.memberIdValue !== noMemberId && this.leaderId === this.memberIdValue;
  }

  /** The earliest time at which `tick` has something to do; null when no timer runs. */
  nextDeadlineMs(): number | null {
    switch (this.phaseValue) {
      case 'backoff':
        return this.retryAtMs;
      case 'syncing':
      case 'stable': {
        let deadline = Math.min(this.sessionConfirmedMs + this.config.sessionTimeoutMs, this.lastPollMs + this.config.maxPollIntervalMs);
        if (this.heartbeatRequestId === 0) deadline = Math.min(deadline, this.heartbeatDueMs);
        return deadline;
      }
      case 'idle':
      case 'joining':
      case 'leftGroup':
      case 'leaving':
      case 'stopped':
      case 'failed':
        return null;
      default:
        return assertNever(this.phaseValue, 'member phase');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Inputs from the consumer.

  /** Heartbeats, session expiry, max.poll.interval.ms and retry backoff all run from here. */
  tick(nowMs: number): MemberEffect[] {
    this.begin(nowMs);
    switch (this.phaseValue) {
      case 'backoff':
        if (nowMs >= this.retryAtMs) this.rejoin('retrying after a coordinator error');
        break;
      case 'syncing':
      case 'stable':
        this.checkTimers();
        break;
      case 'idle':
      case 'joining':
      case 'leftGroup':
      case 'leaving':
      case 'stopped':
      case 'failed':
        break;
      default:
        assertNever(this.phaseValue, 'member phase');
    }
    return this.finish();
  }

  /**
   * Topic partition counts from metadata. Rejoins when the subscription's topics changed (a
   * pattern matched a new topic) or, on the leader, when a group topic's partition count changed.
   */
  metadataChanged(partitionsPerTopic: ReadonlyMap<string, number>, nowMs: number): MemberEffect[] {
    this.begin(nowMs);
    this.subscription.metadataChanged(partitionsPerTopic);
    const reason = this.staleJoinReason();
    if (reason !== null) this.requestRejoin(reason);
    return this.finish();
  }

  /**
   * Leaves the group. Partitions are revoked when the member is stable, lost when a rebalance is
   * under way (Java's onLeavePrepare). Dynamic members send LeaveGroup so the group rebalances at
   * once; static members (KIP-345) do not, so a restart within the session keeps their partitions.
   */
  protected leave(): void {
    if (this.phaseValue === 'stable' && this.hasGeneration()) this.revoke(this.owned.copy());
    else this.loseAll();
    this.forgetGroupRequests();
    if (this.config.groupInstanceId === null && this.memberIdValue !== noMemberId) {
      this.leaveRequestId = this.send({
        api: 'LeaveGroup',
        body: { groupId: this.config.groupId, members: [{ memberId: this.memberIdValue, groupInstanceId: null, reason: 'the consumer is stopping' }] },
      });
      this.transition('leaving');
    } else {
      this.stopped();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Responses.

  joinGroupResponse(requestId: number, response: JoinGroupResponse, nowMs: number): MemberEffect[] {
    this.begin(nowMs);
    if (this.take(requestId, 'JoinGroup') === undefined) return this.finish();
    assert(this.phaseValue === 'joining', `JoinGroup answered in phase ${this.phaseValue}`);
    this.joinRequestId = 0;
    const action = errorActionFor('JoinGroup', response.errorCode);
    switch (action) {
      case 'none':
        this.joined(response);
        break;
      case 'memberIdRequired':
        // KIP-394: the coordinator made an id and waits for the member to come back with it.
        assert(response.memberId !== noMemberId, 'MEMBER_ID_REQUIRED carries the member id to use');
        this.memberIdValue = response.memberId;
        this.sendJoin('rejoining with the member id the coordinator gave');
        break;
      default:
        this.handleErrorAction(action, response.errorCode, 'JoinGroup');
    }
    return this.finish();
  }

  syncGroupResponse(requestId: number, response: SyncGroupResponse, nowMs: number): MemberEffect[] {
    this.begin(nowMs);
    const request = this.take(requestId, 'SyncGroup');
    if (request === undefined) return this.finish();
    assert(this.phaseValue === 'syncing', `SyncGroup answered in phase ${this.phaseValue}`);
    assert(request.generationId === this.generationIdValue, 'SyncGroup answered for the generation it was sent in');
    this.syncRequestId = 0;
    const action = errorActionFor('SyncGroup', response.errorCode);
    if (action === 'none') this.synced(response);
    else this.handleErrorAction(action, response.errorCode, 'SyncGroup');
    return this.finish();
  }

  heartbeatResponse(requestId: number, response: HeartbeatResponse, nowMs: number): MemberEffect[] {
    this.begin(nowMs);
    const request = this.take(requestId, 'Heartbeat');
    if (request === undefined) return this.finish();
    this.heartbeatRequestId = 0;
    assert(this.phaseValue === 'syncing' || this.phaseValue === 'stable', `Heartbeat answered in phase ${this.phaseValue}`);
    const action = errorActionFor('Heartbeat', response.errorCode);
    switch (action) {
      case 'none':
        this.sessionConfirmedMs = nowMs;
        this.event({ type: 'HEARTBEAT', memberId: this.memberIdValue, generationId: this.generationIdValue });
        break;
      case 'retry':
        // Only the heartbeat is retried; the session clock keeps running, so a coordinator that
        // stays away long enough still ends in session expiry.
        this.heartbeatDueMs = nowMs + this.backoffMs();
        this.event({ type: 'COORDINATOR_UNAVAILABLE', errorCode: response.errorCode, retryAtMs: this.heartbeatDueMs });
        break;
      case 'rejoin':
        // While syncing, the SyncGroup response will say the same; act on it there (Java too).
        if (this.phaseValue === 'stable') this.rejoin('the group is rebalancing');
        break;
      default:
        this.handleErrorAction(action, response.errorCode, 'Heartbeat');
    }
    return this.finish();
  }

  leaveGroupResponse(requestId: number, _response: LeaveGroupResponse, nowMs: number): MemberEffect[] {
    this.begin(nowMs);
    if (this.take(requestId, 'LeaveGroup') === undefined) return this.finish();
    // Whatever the answer, the member is out: an error here (UNKNOWN_MEMBER_ID after expiry)
    // means the coordinator had already removed it.
    this.leftGroupAnswered(requestId);
    return this.finish();
  }

  /** A JoinGroup, SyncGroup, Heartbeat or LeaveGroup got no response (a dropped connection, a timeout). */
  protected groupRequestFailed(requestId: number, api: Exclude<MemberApi, 'OffsetCommit'>): void {
    switch (api) {
      case 'JoinGroup':
        this.joinRequestId = 0;
        this.backoff(ErrorCode.NETWORK_EXCEPTION);
        break;
      case 'SyncGroup':
        this.syncRequestId = 0;
        this.backoff(ErrorCode.NETWORK_EXCEPTION);
        break;
      case 'Heartbeat':
        this.heartbeatRequestId = 0;
        this.heartbeatDueMs = this.nowMsValue + this.backoffMs();
        break;
      case 'LeaveGroup':
        this.leftGroupAnswered(requestId);
        break;
      default:
        assertNever(api, 'api');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Commits.

  /**
   * Commits go under the member's generation. Refused when there is no generation, or while
   * SyncGroup is in flight (the coordinator would answer REBALANCE_IN_PROGRESS). Allowed while
   * rejoining, so that onPartitionsRevoked can commit before the partitions move.
   */
  protected commitRefusal(): number {
    const inGroup = this.phaseValue === 'joining' || this.phaseValue === 'stable' || this.phaseValue === 'syncing';
    if (!inGroup || !this.hasGeneration()) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (this.phaseValue === 'syncing') return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  protected sendCommit(body: OffsetCommitRequest): void {
    this.send({ api: 'OffsetCommit', body });
  }

  protected commitAnswered(requestId: number, request: PendingRequest, errorCode: number, response: OffsetCommitResponse): void {
    this.effects.push({ type: 'commitCompleted', requestId, errorCode, response });
    // A commit made under an older generation says nothing about the current one.
    const current = request.generationId === this.generationIdValue && request.memberId === this.memberIdValue;
    const inGroup = this.phaseValue === 'joining' || this.phaseValue === 'syncing' || this.phaseValue === 'stable';
    if (current && inGroup) {
      const action = errorActionFor('OffsetCommit', errorCode);
      if (action === 'rejoin') this.requestRejoin('a commit found the group rebalancing');
      else if (action !== 'none') this.handleErrorAction(action, errorCode, 'OffsetCommit');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Joining and syncing.

  protected joinFirst(): void {
    this.sendJoin('the consumer started');
  }

  protected rejoinAfterPollTimeout(): void {
    this.rejoin('the consumer polled again after leaving the group');
  }

  private joined(response: JoinGroupResponse): void {
    assert(response.generationId >= 0, `JoinGroup succeeded with generation ${response.generationId}`);
    assert(response.memberId !== noMemberId, 'JoinGroup succeeded without a member id');
    assert(response.protocolName !== null, 'JoinGroup succeeded without a protocol name');
    this.memberIdValue = response.memberId;
    this.generationIdValue = response.generationId;
    this.leaderId = response.leader;
    this.protocolName = response.protocolName;
    this.retryAttempts = 0;
    this.transition('syncing');
    // The coordinator heard from us just now; heartbeats start while SyncGroup is in flight.
    this.sessionConfirmedMs = this.nowMsValue;
    this.heartbeatDueMs = this.nowMsValue + this.config.heartbeatIntervalMs;

    let assignments: { memberId: string; assignment: Uint8Array }[] = [];
    this.leaderMetadataSnapshot = null;
    this.leaderGroupTopics = [];
    if (this.isLeader) {
      const assignor = this.config.assignors.find((candidate) => candidate.name === response.protocolName);
      if (assignor === undefined) {
        this.fail(new LanesError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `the coordinator chose ${response.protocolName}, which this member did not offer`));
        return;
      }
      let result;
      try {
        result = assignAsLeader(assignor, response.members, this.subscription.partitionsPerTopic);
      } catch (error) {
        if (!(error instanceof LanesError)) throw error;
        this.fail(error);
        return;
      }
      // KIP-814: a static leader that rejoined must not reassign; it still watches metadata.
      if (response.skipAssignment !== true) assignments = result.assignments;
      this.leaderMetadataSnapshot = result.metadataSnapshot;
      this.leaderGroupTopics = result.groupTopics;
      this.effects.push({ type: 'watchTopics', topics: result.groupTopics });
    }
    this.syncRequestId = this.send({
      api: 'SyncGroup',
      body: {
        groupId: this.config.groupId,
        generationId: this.generationIdValue,
        memberId: this.memberIdValue,
        groupInstanceId: this.config.groupInstanceId,
        protocolType: 'consumer',
        protocolName: response.protocolName,
        assignments,
      },
    });
  }

  private synced(response: SyncGroupResponse): void {
    let decoded;
    try {
      decoded = decodeAssignment(response.assignment);
    } catch (error) {
      if (!(error instanceof LanesError)) throw error;
      this.fail(error);
      return;
    }
    const subscribed = new Set(this.subscribedTopics());
    const received = PartitionSet.of(decoded.assignedPartitions);
    // A leader working from an older subscription may hand out topics this member no longer
    // wants: never take them, and rejoin so they go elsewhere.
    const assigned = received.filterTopics((topic) => subscribed.has(topic));
    if (assigned.size !== received.size) this.rejoinReason ??= 'the assignment includes topics this member no longer subscribes to';

    if (this.protocol === 'EAGER') assert(this.owned.size === 0, 'an eager member owns nothing when SyncGroup completes');
    const revoked = this.owned.minus(assigned);
    const added = assigned.minus(this.owned);
    this.revoke(revoked);
    this.owned.addAll(added);
    this.effects.push({ type: 'assigned', partitions: added.toList() });
    this.previousAssignment = this.owned.copy();
    this.transition('stable');
    this.event({
      type: 'GROUP_JOIN',
      generationId: this.generationIdValue,
      memberId: this.memberIdValue,
      leaderId: this.leaderId,
      isLeader: this.isLeader,
      groupProtocol: this.protocolName as string,
      memberAssignment: this.owned.toList(),
    });

    // KIP-429: what this member gave up can only be handed on in the next rebalance.
    if (revoked.size > 0) this.rejoinReason ??= 'partitions were revoked and must be reassigned';
    this.rejoinReason ??= this.staleJoinReason();
    if (this.rejoinReason !== null) this.rejoin(this.rejoinReason);
  }

  /** Why the group must rebalance given what the member knows now, or null. */
  private staleJoinReason(): string | null {
    if (this.phaseValue !== 'syncing' && this.phaseValue !== 'stable') return null;
    if (this.subscribedTopics().join('\u0000') !== this.joinedTopics.join('\u0000')) return 'the subscription matches different topics';
    if (this.leaderMetadataSnapshot !== null) {
      const now = metadataSnapshotOf(this.leaderGroupTopics, this.subscription.partitionsPerTopic);
      if (!sameMetadataSnapshot(now, this.leaderMetadataSnapshot)) return "the group's topics changed in metadata";
    }
    return null;
  }

  /** Rejoin now when stable; when JoinGroup/SyncGroup are in flight, right after SyncGroup. */
  private requestRejoin(reason: string): void {
    if (this.phaseValue === 'stable') this.rejoin(reason);
    else if (this.phaseValue === 'joining' || this.phaseValue === 'syncing') this.rejoinReason ??= reason;
  }

  /** Java's onJoinPrepare, then JoinGroup. */
  private rejoin(reason: string): void {
    this.event({ type: 'REBALANCING', memberId: this.memberIdValue, reason });
    if (!this.hasGeneration()) {
      this.loseAll();
    } else if (this.protocol === 'EAGER') {
      this.revoke(this.owned.copy());
    } else {
      const subscribed = new Set(this.subscribedTopics());
      this.revoke(this.owned.filterTopics((topic) => !subscribed.has(topic)));
    }
    this.sendJoin(reason);
  }

  private sendJoin(reason: string): void {
    this.forgetGroupRequests();
    this.rejoinReason = null;
    this.joinedTopics = this.subscribedTopics();
    this.transition('joining');
    const claimed = this.protocol === 'COOPERATIVE' ? this.owned : this.previousAssignment;
    const ownedPartitions = claimed.toList();
    const generationId = this.hasGeneration() ? this.generationIdValue : noGeneration;
    this.joinRequestId = this.send({
      api: 'JoinGroup',
      body: {
        groupId: this.config.groupId,
        memberId: this.memberIdValue,
        groupInstanceId: this.config.groupInstanceId,
        sessionTimeoutMs: this.config.sessionTimeoutMs,
        rebalanceTimeoutMs: this.config.rebalanceTimeoutMs,
        protocolType: 'consumer',
        protocols: this.config.assignors.map((assignor) => ({
          name: assignor.name,
          metadata: subscriptionBytes(assignor, this.joinedTopics, ownedPartitions, generationId),
        })),
        reason,
      },
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Timers.

  private checkTimers(): void {
    const nowMs = this.nowMsValue;
    if (this.pollIntervalExceeded()) {
      this.leaveForPollTimeout();
      return;
    }
    if (nowMs >= this.sessionConfirmedMs + this.config.sessionTimeoutMs) {
      // No heartbeat got through for a whole session: the coordinator has expelled this member
      // and may have handed its partitions on.
      this.resetMember();
      this.rejoin('the session timed out without a successful heartbeat');
      return;
    }
    if (this.heartbeatRequestId === 0 && nowMs >= this.heartbeatDueMs) {
      this.heartbeatDueMs = nowMs + this.config.heartbeatIntervalMs;
      this.heartbeatRequestId = this.send({
        api: 'Heartbeat',
        body: {
          groupId: this.config.groupId,
          generationId: this.generationIdValue,
          memberId: this.memberIdValue,
          groupInstanceId: this.config.groupInstanceId,
        },
      });
    }
  }

  /**
   * The handler ran past max.poll.interval.ms. Java's heartbeat thread then leaves the group so the
   * others can take over instead of waiting for the rebalance timeout; the consumer rejoins on its
   * next poll. The partitions are lost, not revoked: the handler may still be running, and once
   * LeaveGroup lands they belong to someone else.
   */
  private leaveForPollTimeout(): void {
    const memberId = this.memberIdValue;
    this.loseAll();
    this.forgetGroupRequests();
    // A static member does not send LeaveGroup (Java neither): the coordinator keeps its place
    // until its session runs out, so a quick return keeps the assignment.
    if (this.config.groupInstanceId === null && memberId !== noMemberId) {
      this.send({
        api: 'LeaveGroup',
        body: { groupId: this.config.groupId, members: [{ memberId, groupInstanceId: null, reason: 'max.poll.interval.ms exceeded' }] },
      });
    }
    this.resetMember();
    this.enterLeftGroup(memberId);
  }

  // ---------------------------------------------------------------------------------------------
  // Errors.

  private handleErrorAction(action: ReturnType<typeof errorActionFor>, errorCode: number, api: MemberApi): void {
    switch (action) {
      case 'retry':
        this.backoff(errorCode);
        break;
      case 'rejoin':
        this.rejoin(`${api} answered ${errorCodeName(errorCode)}`);
        break;
      case 'resetGeneration':
        this.resetGeneration();
        this.rejoin(`${api} answered ${errorCodeName(errorCode)}`);
        break;
      case 'resetMember':
        this.resetMember();
        this.rejoin(`${api} answered ${errorCodeName(errorCode)}`);
        break;
      case 'fatal':
        this.fail(new LanesError(errorCode, `${api} failed for member ${this.memberIdValue || '(none)'} of group ${this.config.groupId}`));
        break;
      case 'none':
      case 'memberIdRequired':
        assert(false, `${action} is handled by the caller`);
        break;
      default:
        assertNever(action, 'error action');
    }
  }

  /** Waits before rejoining: the coordinator is away, or (JoinGroup) busy with a rebalance. */
  private backoff(errorCode: number): void {
    const coordinatorAway = isCoordinatorError(errorCode);
    assert(coordinatorAway || errorCode === ErrorCode.REBALANCE_IN_PROGRESS, `${errorCodeName(errorCode)} is not retried`);
    this.forgetGroupRequests();
    this.retryAtMs = this.nowMsValue + this.backoffMs();
    this.retryAttempts++;
    this.transition('backoff');
    if (coordinatorAway) this.event({ type: 'COORDINATOR_UNAVAILABLE', errorCode, retryAtMs: this.retryAtMs });
  }

  private resetGeneration(): void {
    this.loseAll();
    this.generationIdValue = noGeneration;
    this.leaderId = '';
    this.leaderMetadataSnapshot = null;
  }

  private resetMember(): void {
    this.resetGeneration();
    this.memberIdValue = noMemberId;
  }

  // ---------------------------------------------------------------------------------------------
  // Ownership.

  protected override loseAll(): void {
    this.previousAssignment = new PartitionSet();
    super.loseAll();
  }

  private hasGeneration(): boolean {
    return this.generationIdValue !== noGeneration && this.memberIdValue !== noMemberId;
  }

  // ---------------------------------------------------------------------------------------------
  // Requests, phases, bookkeeping.

  private send(request: MemberRequest): number {
    const requestId = this.nextRequestId++;
    this.pending.set(requestId, { api: request.api, generationId: this.generationIdValue, memberId: this.memberIdValue });
    this.effects.push({ type: 'send', requestId, request });
    return requestId;
  }

  /** Stops awaiting JoinGroup, SyncGroup and Heartbeat: their answers would be about a past state. */
  protected forgetGroupRequests(): void {
    for (const requestId of [this.joinRequestId, this.syncRequestId, this.heartbeatRequestId]) {
      if (requestId !== 0) this.pending.delete(requestId);
    }
    this.joinRequestId = 0;
    this.syncRequestId = 0;
    this.heartbeatRequestId = 0;
  }

  private leftGroupAnswered(requestId: number): void {
    if (this.phaseValue === 'leaving' && requestId === this.leaveRequestId) this.stopped();
  }

  protected checkInvariants(): void {
    if (this.phaseValue === 'syncing' || this.phaseValue === 'stable') assert(this.hasGeneration(), `${this.phaseValue} without a generation`);
    if (this.phaseValue === 'joining') assert(this.joinRequestId !== 0, 'joining without a JoinGroup in flight');
    if (this.phaseValue === 'syncing') assert(this.syncRequestId !== 0, 'syncing without a SyncGroup in flight');
    if (this.protocol === 'EAGER' && this.phaseValue !== 'stable') assert(this.owned.size === 0, `an eager member owns partitions while ${this.phaseValue}`);
    if (this.phaseValue === 'stopped' || this.phaseValue === 'failed' || this.phaseValue === 'leftGroup' || this.phaseValue === 'leaving') {
      assert(this.owned.size === 0, `owns partitions while ${this.phaseValue}`);
    }
    // Whoever forgets its generation reports its partitions lost in the same step.
    if (!this.hasGeneration()) assert(this.owned.size === 0, 'owns partitions without a generation');
    if (this.heartbeatRequestId !== 0) assert(this.phaseValue === 'syncing' || this.phaseValue === 'stable', `heartbeat in flight while ${this.phaseValue}`);
  }
}

/**
 * A member's subscription for one assignor. The 'sticky' protocol also gets Java StickyAssignor's
 * user data (previous assignment and generation): Java leaders read stickiness only from there.
 */
function subscriptionBytes(
  assignor: PartitionAssignor,
  topics: readonly string[],
  ownedPartitions: ReturnType<PartitionSet['toList']>,
  generationId: number,
): Uint8Array {
  const userData = assignor.name === 'sticky' ? encodeStickyUserData({ previousAssignment: ownedPartitions, generationId }) : null;
  return encodeSubscription({ version: consumerProtocolVersionMax, topics, userData, ownedPartitions, generationId });
}
