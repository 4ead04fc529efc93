// One consumer's membership in a consumer-protocol group (KIP-848), as a state machine on injected
// time: the part of Java's ConsumerMembershipManager and ConsumerHeartbeatRequestManager that
// decides what to send and which rebalance callbacks to run, without the I/O. Same contract as
// the classic member (member_state.ts): every input returns the effects to carry out in order,
// `nextDeadlineMs()` says when `tick` is next worth calling.
//
// The coordinator computes the assignment; the member only heartbeats (ConsumerGroupHeartbeat)
// and reconciles towards what each answer says it may consume:
//
//   idle ──start──▶ joining ──heartbeat (epoch 0) answered──▶ stable ◀──┐
//                    ▲  ▲                                       │       │ every heartbeat, on the
//                    │  └──FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID (partitions lost)
//                    │                                          │       │ coordinator's interval
//                    └──pollCompleted── leftGroup ◀──max.poll.interval.ms exceeded
//   joining/stable ──stop──▶ leaving (revoke, then leave with epoch −1, or −2 static) ──▶ stopped
//   any ──fatal error──▶ failed
//
// Reconciliation. An answer's assignment is a target: what it lacks of `owned` is revoked, what
// it adds is assigned, and a `callbacksDone` marker follows those callback effects. Until the
// caller answers the marker with `callbacksCompleted`, heartbeats report everything the member may
// be handling: what it held when its last reconciliation completed (`reported`, which includes the
// partitions being revoked) and what it was just assigned. Only the heartbeat after the marker
// (sent at once) leaves the revoked partitions out, which is what frees them in the coordinator.
// So a partition reaches its next owner only after onPartitionsRevoked here has returned (its
// commit included), and never while an onPartitionsAssigned that may start reading it is pending.
// A new target that arrives while callbacks run is reconciled when they finish.
//
// Every heartbeat is a full one (subscription, rebalance timeout, owned partitions): an answer
// lost on the way then costs nothing, and every answer carries the assignment. Patterns in the
// subscription are matched here against metadata and sent as names (no SubscribedTopicRegex), as
// the classic member matches them.
//
// Partitions are "lost" rather than revoked when the coordinator may already have given them away:
// the member was fenced (FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID), left after exceeding
// max.poll.interval.ms, or failed.

import { assert, assertNever } from '../assert.js';
import { ErrorCode, LanesError, errorCodeName } from '../errors.js';
import type { ConsumerGroupHeartbeatResponse, OffsetCommitRequest, OffsetCommitResponse } from '../group/group_api.js';
import { consumerMemberConfigOf, type ConsumerMemberConfig, type ConsumerMemberConfigInput } from './consumer_member_config.js';
import type { ConsumerMemberEffect, ConsumerMemberRequest, SharedMemberEffect } from './member_effects.js';
import { MemberMachine, type SharedMemberPhase } from './member_machine.js';
import { isCoordinatorError } from './member_errors.js';
import { PartitionSet } from './partition_set.js';

export type ConsumerMemberPhase = SharedMemberPhase;

const allowedFrom: Record<ConsumerMemberPhase, readonly ConsumerMemberPhase[]> = {
  idle: [],
  joining: ['idle', 'joining', 'stable', 'leftGroup'],
  stable: ['joining'],
  leftGroup: ['stable'],
  leaving: ['joining', 'stable'],
  stopped: ['idle', 'joining', 'stable', 'leftGroup', 'leaving'],
  failed: ['joining', 'stable'],
};

/** Kafka's member epochs that are not epochs: join, leave, and leave as a static member that returns. */
const joinEpoch = 0;
const leaveEpoch = -1;
const leaveStaticEpoch = -2;

/** The group protocol name GROUP_JOIN reports (KafkaJS's groupProtocol). */
export const consumerGroupProtocolName = 'consumer';

interface PendingRequest {
  readonly api: ConsumerMemberRequest['api'];
  readonly memberEpoch: number;
  /** OffsetCommit: what to send again if only the epoch was stale. */
  readonly commit: OffsetCommitRequest | null;
}

type OwnEffect = Exclude<ConsumerMemberEffect, SharedMemberEffect>;

export class ConsumerMemberState extends MemberMachine<never, OwnEffect, PendingRequest, ConsumerMemberConfig> {
  /** The topic names the last heartbeat subscribed to; a different set now means heartbeat at once. */
  private sentTopics = '';

  private memberEpochValue = joinEpoch;
  /** `owned` as of the last completed reconciliation: still held until the callbacks since have returned. */
  private reported = new PartitionSet();
  /** The latest assignment the coordinator sent that is not reconciled yet. */
  private target: PartitionSet | null = null;
  /** The callbacksDone marker awaited, 0 when none; what completing it does. */
  private callbackId = 0;
  private callbackPurpose: 'reconcile' | 'leave' | null = null;
  private nextCallbackId = 1;

  /** Commits answered STALE_MEMBER_EPOCH under the epoch the member still holds: resent after the next heartbeat answer. */
  private readonly staleCommits = new Map<number, OffsetCommitRequest>();
  /** Something the coordinator must hear soon arrived while a heartbeat was in flight. */
  private heartbeatAgain = false;

  /** The coordinator's group.consumer.heartbeat.interval.ms, from its last answer. */
  private heartbeatIntervalMs = 0;

  constructor(config: ConsumerMemberConfigInput) {
    const memberConfig = consumerMemberConfigOf(config);
    super(memberConfig, allowedFrom, memberConfig.memberId);
  }

  // ---------------------------------------------------------------------------------------------
  // Read-only views.

  /** The member epoch: what commits carry (the classic member's generation). 0 while not in the group. */
  get generationId(): number {
    return this.memberEpochValue;
  }

  nextDeadlineMs(): number | null {
    let deadline = this.phaseValue === 'stable' ? this.lastPollMs + this.config.maxPollIntervalMs : Number.POSITIVE_INFINITY;
    if (this.canHeartbeat() && this.heartbeatRequestId === 0) deadline = Math.min(deadline, this.heartbeatDueMs);
    return Number.isFinite(deadline) ? deadline : null;
  }

  // ---------------------------------------------------------------------------------------------
  // Inputs from the consumer.

  /** Heartbeats, max.poll.interval.ms and retry backoff all run from here. */
  tick(nowMs: number): ConsumerMemberEffect[] {
    this.begin(nowMs);
    if (this.phaseValue === 'stable' && this.pollIntervalExceeded()) {
      this.leaveForPollTimeout();
    } else if (this.canHeartbeat() && this.heartbeatRequestId === 0 && nowMs >= this.heartbeatDueMs) {
      this.sendHeartbeat();
    }
    return this.finish();
  }

  /** Topic partition counts from metadata: a pattern matching other topics now changes the subscription at once. */
  metadataChanged(partitionsPerTopic: ReadonlyMap<string, number>, nowMs: number): ConsumerMemberEffect[] {
    this.begin(nowMs);
    this.subscription.metadataChanged(partitionsPerTopic);
    if ((this.phaseValue === 'joining' || this.phaseValue === 'stable') && this.subscribedTopics().join('\u0000') !== this.sentTopics) this.heartbeatSoon();
    return this.finish();
  }

  /**
   * Leaves the group: what the member owns is revoked (its callbacks commit), and once they have
   * returned the member leaves with epoch −1, or −2 when static (KIP-848: the coordinator keeps
   * its partitions for it until its session runs out, so a restart gets them back).
   */
  protected leave(): void {
    this.target = null;
    // A join still in flight is not awaited: the leave follows it to the coordinator.
    if (this.phaseValue === 'joining') this.forgetGroupRequests();
    // Until the leave's callbacks have returned the member may be handling all it owns, including
    // what a reconciliation still running just assigned (its onPartitionsAssigned may not even
    // have started): heartbeats meanwhile claim all of it, or the coordinator hands it on.
    this.reported = this.claimed();
    this.revoke(this.owned.copy());
    this.transition('leaving');
    this.awaitCallbacks('leave');
  }

  /** The caller ran every callback effect up to the `callbacksDone` marker with this id. */
  callbacksCompleted(callbackId: number, nowMs: number): ConsumerMemberEffect[] {
    this.begin(nowMs);
    if (callbackId !== this.callbackId) return this.finish();
    const purpose = this.callbackPurpose;
    this.callbackId = 0;
    this.callbackPurpose = null;
    switch (purpose) {
      case 'reconcile':
        this.reported = this.owned.copy();
        this.event({
          type: 'GROUP_JOIN',
          generationId: this.memberEpochValue,
          memberId: this.memberIdValue,
          leaderId: '',
          isLeader: false,
          groupProtocol: consumerGroupProtocolName,
          memberAssignment: this.owned.toList(),
        });
        // The acknowledgement: the coordinator hands revoked partitions on only after hearing it.
        this.heartbeatSoon();
        this.reconcile();
        break;
      case 'leave':
        this.sendLeave();
        break;
      case null:
        assert(false, 'a callbacksDone marker without a purpose');
        break;
      default:
        assertNever(purpose, 'callback purpose');
    }
    return this.finish();
  }

  // ---------------------------------------------------------------------------------------------
  // Responses.

  heartbeatResponse(requestId: number, response: ConsumerGroupHeartbeatResponse, nowMs: number): ConsumerMemberEffect[] {
    this.begin(nowMs);
    const request = this.take(requestId, 'ConsumerGroupHeartbeat');
    if (request === undefined) return this.finish();
    if (requestId === this.leaveRequestId) {
      // Whatever the answer, the member is out: UNKNOWN_MEMBER_ID means it was already removed.
      this.stopped();
      return this.finish();
    }
    this.heartbeatRequestId = 0;
    assert(this.canHeartbeat(), `a heartbeat answered in phase ${this.phaseValue}`);
    const errorCode = response.errorCode;
    if (errorCode === ErrorCode.NONE) {
      this.heartbeatAnswered(response);
    } else if (isCoordinatorError(errorCode) || errorCode === ErrorCode.UNRELEASED_INSTANCE_ID) {
      // The coordinator is away, or (static) our previous incarnation has not left yet: its
      // session expiring releases the instance id. Only the heartbeat is retried.
      this.retryHeartbeat();
      if (isCoordinatorError(errorCode)) this.event({ type: 'COORDINATOR_UNAVAILABLE', errorCode, retryAtMs: this.heartbeatDueMs });
    } else if (this.phaseValue === 'leaving') {
      // Leaving anyway: the leave itself settles it.
    } else if (errorCode === ErrorCode.FENCED_MEMBER_EPOCH || errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
      this.fenced(`the heartbeat answered ${errorCodeName(errorCode)}`);
    } else {
      const detail = response.errorMessage === null ? '' : `: ${response.errorMessage}`;
      this.fail(new LanesError(errorCode, `ConsumerGroupHeartbeat failed for member ${this.memberIdValue} of group ${this.config.groupId}${detail}`));
    }
    if (this.heartbeatAgain && this.heartbeatRequestId === 0 && this.canHeartbeat()) this.sendHeartbeat();
    return this.finish();
  }

  /** A heartbeat got no response: a leave is done anyway, any other heartbeat is retried. */
  protected groupRequestFailed(requestId: number, _api: 'ConsumerGroupHeartbeat'): void {
    if (requestId === this.leaveRequestId) {
      this.stopped();
    } else {
      this.heartbeatRequestId = 0;
      this.retryHeartbeat();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Commits.

  /**
   * Commits go under the member epoch. Refused when the member holds no epoch; allowed while
   * leaving, so onPartitionsRevoked can commit.
   */
  protected commitRefusal(): number {
    return this.inGroup() ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  protected sendCommit(body: OffsetCommitRequest): void {
    this.sendCommitAs(this.nextRequestId++, body);
  }

  protected commitAnswered(requestId: number, request: PendingRequest, errorCode: number, response: OffsetCommitResponse): void {
    if (errorCode === ErrorCode.STALE_MEMBER_EPOCH && this.inGroup() && request.commit !== null) {
      // The coordinator moved the member epoch (a heartbeat answer says so, or is on its way): the
      // partitions are still ours, so the same commit goes again under the new epoch, as Java's
      // commits retry. Once the epoch is known here, at once; else after the next heartbeat answer.
      if (request.memberEpoch !== this.memberEpochValue) {
        this.sendCommitAs(requestId, { ...request.commit, generationId: this.memberEpochValue });
      } else {
        this.staleCommits.set(requestId, request.commit);
        this.heartbeatSoon();
      }
      return;
    }
    this.effects.push({ type: 'commitCompleted', requestId, errorCode, response });
  }

  // ---------------------------------------------------------------------------------------------
  // Heartbeats and reconciliation.

  private heartbeatAnswered(response: ConsumerGroupHeartbeatResponse): void {
    this.retryAttempts = 0;
    // v0 coordinators name the member in their first answer.
    if (response.memberId !== null && response.memberId !== '') this.memberIdValue = response.memberId;
    if (response.heartbeatIntervalMs > 0) this.heartbeatIntervalMs = response.heartbeatIntervalMs;
    this.heartbeatDueMs = this.nowMsValue + this.heartbeatIntervalMs;
    if (response.memberEpoch > 0) this.memberEpochValue = response.memberEpoch;
    if (this.phaseValue === 'joining') {
      assert(this.memberEpochValue > 0, `joined with member epoch ${response.memberEpoch}`);
      this.transition('stable');
    }
    this.event({ type: 'HEARTBEAT', memberId: this.memberIdValue, generationId: this.memberEpochValue });
    this.resendStaleCommits();
    if (response.assignment !== null && this.phaseValue === 'stable') {
      this.target = PartitionSet.of(response.assignment);
      this.reconcile();
    }
  }

  /** Moves `owned` to the latest target, unless callbacks of an earlier step are still running. */
  private reconcile(): void {
    if (this.callbackId !== 0 || this.target === null || this.phaseValue !== 'stable') return;
    const target = this.target;
    this.target = null;
    const revoked = this.owned.minus(target);
    const added = target.minus(this.owned);
    if (revoked.size === 0 && added.size === 0) return;
    this.event({ type: 'REBALANCING', memberId: this.memberIdValue, reason: 'the coordinator changed the assignment' });
    this.revoke(revoked);
    this.owned.addAll(added);
    this.effects.push({ type: 'assigned', partitions: added.toList() });
    this.awaitCallbacks('reconcile');
  }

  private awaitCallbacks(purpose: 'reconcile' | 'leave'): void {
    this.callbackId = this.nextCallbackId++;
    this.callbackPurpose = purpose;
    this.effects.push({ type: 'callbacksDone', callbackId: this.callbackId });
  }

  /** Heartbeats run while joining, in the group, and while a stopping member's revocation callbacks run. */
  private canHeartbeat(): boolean {
    if (this.phaseValue === 'leaving') return this.leaveRequestId === 0 && this.memberEpochValue > 0;
    return this.phaseValue === 'joining' || this.phaseValue === 'stable';
  }

  /** The member holds an epoch its commits can carry: in the group, or stopping but not yet gone. */
  private inGroup(): boolean {
    return this.phaseValue === 'stable' || (this.phaseValue === 'leaving' && this.leaveRequestId === 0 && this.memberEpochValue > 0);
  }

  /** Sends a heartbeat now, or right after the one in flight is answered. */
  private heartbeatSoon(): void {
    if (!this.canHeartbeat()) return;
    if (this.heartbeatRequestId === 0) this.sendHeartbeat();
    else this.heartbeatAgain = true;
  }

  private retryHeartbeat(): void {
    this.heartbeatDueMs = this.nowMsValue + this.backoffMs();
    this.retryAttempts++;
  }

  private sendHeartbeat(): void {
    assert(this.heartbeatRequestId === 0, 'one heartbeat in flight at a time');
    const joining = this.phaseValue === 'joining';
    if (joining) assert(this.reported.size === 0 && this.owned.size === 0, 'a member joins owning nothing');
    const topics = this.subscribedTopics();
    this.sentTopics = topics.join('\u0000');
    this.heartbeatAgain = false;
    // Until an answer says otherwise, the next heartbeat is one interval away.
    this.heartbeatDueMs = this.nowMsValue + this.heartbeatIntervalMs;
    this.heartbeatRequestId = this.send({
      api: 'ConsumerGroupHeartbeat',
      body: {
        groupId: this.config.groupId,
        memberId: this.memberIdValue,
        memberEpoch: joining ? joinEpoch : this.memberEpochValue,
        instanceId: this.config.groupInstanceId,
        rackId: null,
        rebalanceTimeoutMs: this.config.rebalanceTimeoutMs,
        subscribedTopicNames: topics,
        subscribedTopicRegex: null,
        serverAssignor: this.config.serverAssignor,
        ownedPartitions: this.claimed().toList(),
      },
    });
  }

  /** What heartbeats say the member owns: all it may be handling (see the top of the file). */
  private claimed(): PartitionSet {
    const claimed = this.reported.copy();
    claimed.addAll(this.owned);
    return claimed;
  }

  private sendLeave(): void {
    this.failStaleCommits();
    this.forgetGroupRequests();
    this.reported = new PartitionSet();
    this.leaveRequestId = this.send({
      api: 'ConsumerGroupHeartbeat',
      body: {
        groupId: this.config.groupId,
        memberId: this.memberIdValue,
        memberEpoch: this.config.groupInstanceId === null ? leaveEpoch : leaveStaticEpoch,
        instanceId: this.config.groupInstanceId,
        rackId: null,
        rebalanceTimeoutMs: -1,
        subscribedTopicNames: null,
        subscribedTopicRegex: null,
        serverAssignor: null,
        ownedPartitions: null,
      },
    });
  }

  /** Parked commits go again under the epoch held now, or fail when the member holds none. */
  private resendStaleCommits(): void {
    if (!this.inGroup()) {
      this.failStaleCommits();
      return;
    }
    for (const [requestId, commit] of this.staleCommits) this.sendCommitAs(requestId, { ...commit, generationId: this.memberEpochValue });
    this.staleCommits.clear();
  }

  /** The member no longer holds the partitions its parked commits were for. */
  private failStaleCommits(): void {
    for (const requestId of this.staleCommits.keys()) this.effects.push({ type: 'commitCompleted', requestId, errorCode: ErrorCode.STALE_MEMBER_EPOCH, response: null });
    this.staleCommits.clear();
  }

  /** Sends a commit under this request id: a new one, or the same commit again under a newer epoch. */
  private sendCommitAs(requestId: number, body: OffsetCommitRequest): void {
    this.pending.set(requestId, { api: 'OffsetCommit', memberEpoch: body.generationId, commit: body });
    this.effects.push({ type: 'send', requestId, request: { api: 'OffsetCommit', body } });
  }

  // ---------------------------------------------------------------------------------------------
  // Joining, fencing, leaving.

  private join(): void {
    this.memberEpochValue = joinEpoch;
    this.reported = new PartitionSet();
    this.target = null;
    this.transition('joining');
    this.forgetGroupRequests();
    this.sendHeartbeat();
  }

  protected joinFirst(): void {
    this.join();
  }

  protected rejoinAfterPollTimeout(): void {
    this.join();
  }

  /** The coordinator no longer counts this member: its partitions may be someone else's already. */
  private fenced(reason: string): void {
    this.event({ type: 'REBALANCING', memberId: this.memberIdValue, reason });
    this.loseAll();
    this.join();
  }

  /**
   * The handler ran past max.poll.interval.ms: leave, so the others take over now rather than
   * after the rebalance timeout; rejoin on the next poll. The partitions are lost, not revoked:
   * the handler may still be running, and once the leave lands they belong to someone else.
   */
  private leaveForPollTimeout(): void {
    const memberId = this.memberIdValue;
    this.loseAll();
    this.sendLeave();
    // The answer to that leave changes nothing: the member is out either way.
    this.pending.delete(this.leaveRequestId);
    this.leaveRequestId = 0;
    this.memberEpochValue = joinEpoch;
    this.reported = new PartitionSet();
    this.enterLeftGroup(memberId);
  }

  protected override stopped(): void {
    this.failStaleCommits();
    this.memberEpochValue = joinEpoch;
    this.reported = new PartitionSet();
    super.stopped();
  }

  // ---------------------------------------------------------------------------------------------
  // Ownership.

  /** Forgets every partition at once; callbacks of an unfinished reconciliation no longer count. */
  protected override loseAll(): void {
    this.failStaleCommits();
    this.target = null;
    this.callbackId = 0;
    this.callbackPurpose = null;
    this.reported = new PartitionSet();
    super.loseAll();
  }

  // ---------------------------------------------------------------------------------------------
  // Requests, phases, bookkeeping.

  private send(request: ConsumerMemberRequest & { api: 'ConsumerGroupHeartbeat' }): number {
    const requestId = this.nextRequestId++;
    this.pending.set(requestId, { api: request.api, memberEpoch: request.body.memberEpoch, commit: null });
    this.effects.push({ type: 'send', requestId, request });
    return requestId;
  }

  /** Stops awaiting the heartbeat in flight: its answer would be about a past state. */
  protected forgetGroupRequests(): void {
    if (this.heartbeatRequestId !== 0) this.pending.delete(this.heartbeatRequestId);
    this.heartbeatRequestId = 0;
    this.heartbeatAgain = false;
  }

  protected checkInvariants(): void {
    if (this.phaseValue === 'stable') assert(this.memberEpochValue > 0, 'stable without a member epoch');
    if (this.phaseValue === 'joining') assert(this.owned.size === 0 && this.memberEpochValue === joinEpoch, 'joining owns nothing, at epoch 0');
    if (this.phaseValue !== 'stable' && this.phaseValue !== 'leaving') assert(this.owned.size === 0, `owns partitions while ${this.phaseValue}`);
    if (this.heartbeatRequestId !== 0) assert(this.canHeartbeat(), `heartbeat in flight while ${this.phaseValue}`);
    // What the coordinator hears the member owns, it owns — except partitions whose revocation
    // callbacks have not returned yet, which it still reports.
    if (this.callbackId === 0) this.reported.forEach((topic, partition) => assert(this.owned.has(topic, partition), `reports ${topic}-${partition} without owning it`));
  }
}
