// What the classic member (member_state.ts) and the consumer-protocol member
// (consumer_member_state.ts) share: the effect-machine skeleton (an input begins at `nowMs`,
// collects effects, checks the member's invariants and hands the effects out), requests awaited
// by id, the checked phase table, ownership as the callbacks report it, and the bookkeeping of
// commits, polls and stopping that does not depend on how the member joins. Each subclass keeps
// only what differs between the two protocols: how it joins, heartbeats, leaves and reconciles.

import { assert } from '../assert.js';
import { ErrorCode, type LanesError } from '../errors.js';
import type { OffsetCommitRequest, OffsetCommitResponse, OffsetCommitTopic } from '../group/group_api.js';
import type { MemberEvent, MemberSubscription, SharedMemberEffect } from './member_effects.js';
import { PartitionSet } from './partition_set.js';
import { TopicSubscription } from './topic_subscription.js';

/** The phases both members have (each adds its own: the classic member's syncing and backoff). */
export type SharedMemberPhase = 'idle' | 'joining' | 'stable' | 'leftGroup' | 'leaving' | 'stopped' | 'failed';

/** The settings both members read. */
export interface SharedMemberConfig {
  readonly groupId: string;
  readonly groupInstanceId: string | null;
  readonly maxPollIntervalMs: number;
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
}

/**
 * @typeParam OwnPhase the phases only this member has
 * @typeParam OwnEffect the effects only this member hands out (its `send`, and any marker)
 * @typeParam Pending what is remembered about a request until its response or failure arrives
 */
export abstract class MemberMachine<
  OwnPhase extends string,
  OwnEffect extends { readonly type: string },
  Pending extends { readonly api: string },
  Config extends SharedMemberConfig,
> {
  protected phaseValue: SharedMemberPhase | OwnPhase;
  protected memberIdValue: string;
  protected readonly subscription = new TopicSubscription();
  /** What the callbacks have handed the user and not taken back. */
  protected readonly owned = new PartitionSet();

  protected readonly pending = new Map<number, Pending>();
  protected nextRequestId = 1;
  protected heartbeatRequestId = 0;
  protected leaveRequestId = 0;

  protected nowMsValue = 0;
  protected heartbeatDueMs = 0;
  protected lastPollMs = 0;
  protected retryAttempts = 0;

  protected effects: (SharedMemberEffect | OwnEffect)[] = [];

  protected constructor(
    readonly config: Config,
    private readonly allowedFrom: Readonly<Record<SharedMemberPhase | OwnPhase, readonly (SharedMemberPhase | OwnPhase)[]>>,
    memberId: string,
  ) {
    this.phaseValue = 'idle';
    this.memberIdValue = memberId;
  }

  // ---------------------------------------------------------------------------------------------
  // Read-only views.

  get phase(): SharedMemberPhase | OwnPhase {
    return this.phaseValue;
  }

  get memberId(): string {
    return this.memberIdValue;
  }

  /** The classic member's generation, or the consumer-protocol member's epoch: what commits carry. */
  abstract get generationId(): number;

  /** What the callbacks have handed the user and not taken back. */
  ownedPartitions(): ReturnType<PartitionSet['toList']> {
    return this.owned.toList();
  }

  /** The topics the subscription covers now: the names plus metadata topics a pattern matches. */
  subscribedTopics(): string[] {
    return this.subscription.topics();
  }

  // ---------------------------------------------------------------------------------------------
  // Inputs both members take the same way.

  start(subscription: MemberSubscription, nowMs: number): (SharedMemberEffect | OwnEffect)[] {
    this.begin(nowMs);
    assert(this.phaseValue === 'idle', `start in phase ${this.phaseValue}`);
    this.subscription.subscribe(subscription);
    this.lastPollMs = nowMs;
    this.joinFirst();
    return this.finish();
  }

  /**
   * The consumer loop came back for more work: a batch finished, or there was nothing to do.
   * Resets the max.poll.interval.ms clock; a member that left for exceeding it rejoins here,
   * as Java's consumer rejoins on its next poll().
   */
  pollCompleted(nowMs: number): (SharedMemberEffect | OwnEffect)[] {
    this.begin(nowMs);
    this.lastPollMs = nowMs;
    if (this.phaseValue === 'leftGroup') this.rejoinAfterPollTimeout();
    return this.finish();
  }

  /**
   * Sends an OffsetCommit under the member's generation (classic) or epoch (consumer protocol),
   * unless `commitRefusal` names why it cannot (commitRefused with that code).
   */
  commitOffsets(topics: readonly OffsetCommitTopic[], nowMs: number): (SharedMemberEffect | OwnEffect)[] {
    this.begin(nowMs);
    const refusal = this.commitRefusal();
    if (refusal !== ErrorCode.NONE) {
      this.effects.push({ type: 'commitRefused', errorCode: refusal });
    } else {
      this.sendCommit({
        groupId: this.config.groupId,
        generationId: this.generationId,
        memberId: this.memberIdValue,
        groupInstanceId: this.config.groupInstanceId,
        topics,
      });
    }
    return this.finish();
  }

  /**
   * Stops: a member in the group leaves it its own way (`leave`), one that is not just stops;
   * stopping again, or after a fatal error, changes nothing.
   */
  stop(nowMs: number): (SharedMemberEffect | OwnEffect)[] {
    this.begin(nowMs);
    switch (this.phaseValue) {
      case 'leaving':
      case 'stopped':
      case 'failed':
        break;
      case 'idle':
      case 'leftGroup':
        this.stopped();
        break;
      default:
        this.leave();
    }
    return this.finish();
  }

  offsetCommitResponse(requestId: number, response: OffsetCommitResponse, nowMs: number): (SharedMemberEffect | OwnEffect)[] {
    this.begin(nowMs);
    const request = this.take(requestId, 'OffsetCommit');
    if (request !== undefined) this.commitAnswered(requestId, request, firstCommitError(response), response);
    return this.finish();
  }

  /** A request got no response: the connection dropped or the request timed out. */
  requestFailed(requestId: number, nowMs: number): (SharedMemberEffect | OwnEffect)[] {
    this.begin(nowMs);
    const request = this.take(requestId);
    if (request === undefined) return this.finish();
    const api: Pending['api'] = request.api;
    if (isGroupRequest<Pending['api']>(api)) this.groupRequestFailed(requestId, api);
    else this.effects.push({ type: 'commitCompleted', requestId, errorCode: ErrorCode.NETWORK_EXCEPTION, response: null });
    return this.finish();
  }

  // ---------------------------------------------------------------------------------------------
  // What each member does its own way.

  /** The first join, from `start`. */
  protected abstract joinFirst(): void;
  /** `stop` while the member is in the group (joining it, or further). */
  protected abstract leave(): void;
  /** `pollCompleted` in leftGroup: the member left for exceeding max.poll.interval.ms and comes back. */
  protected abstract rejoinAfterPollTimeout(): void;
  /** Why a commit cannot be sent now (UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS), or NONE. */
  protected abstract commitRefusal(): number;
  protected abstract sendCommit(body: OffsetCommitRequest): void;
  /** An OffsetCommit was answered; `errorCode` is its first partition error, or NONE. */
  protected abstract commitAnswered(requestId: number, request: Pending, errorCode: number, response: OffsetCommitResponse): void;
  /** A group request (not a commit) got no response. */
  protected abstract groupRequestFailed(requestId: number, api: Exclude<Pending['api'], 'OffsetCommit'>): void;
  /** Stops awaiting the group requests in flight: their answers would be about a past state. */
  protected abstract forgetGroupRequests(): void;
  protected abstract checkInvariants(): void;

  // ---------------------------------------------------------------------------------------------
  // Shared steps.

  /** The handler ran past max.poll.interval.ms (checked on `tick`). */
  protected pollIntervalExceeded(): boolean {
    return this.nowMsValue >= this.lastPollMs + this.config.maxPollIntervalMs;
  }

  /** The last step of leaving for max.poll.interval.ms: the member is out until its next poll. */
  protected enterLeftGroup(memberId: string): void {
    this.transition('leftGroup');
    this.event({ type: 'GROUP_LEAVE', memberId, reason: 'max.poll.interval.ms exceeded' });
  }

  /** A fatal error ends the membership: the partitions are lost, nothing more is sent. */
  protected fail(error: LanesError): void {
    this.loseAll();
    this.forgetGroupRequests();
    this.transition('failed');
    this.event({ type: 'CRASH', error, restart: false });
  }

  protected stopped(): void {
    this.leaveRequestId = 0;
    this.transition('stopped');
    this.event({ type: 'STOP' });
  }

  /** retryBackoffMs doubled per consecutive failure, up to retryBackoffMaxMs (no jitter: no randomness in core). */
  protected backoffMs(): number {
    const exponent = Math.min(this.retryAttempts, 20);
    return Math.min(this.config.retryBackoffMaxMs, this.config.retryBackoffMs * 2 ** exponent);
  }

  // ---------------------------------------------------------------------------------------------
  // Ownership.

  protected revoke(partitions: PartitionSet): void {
    if (partitions.size === 0) return;
    this.owned.deleteAll(partitions);
    this.effects.push({ type: 'revoked', partitions: partitions.toList() });
  }

  /** Forgets every partition at once, reporting them lost: they may be someone else's already. */
  protected loseAll(): void {
    if (this.owned.size === 0) return;
    const lost = this.owned.toList();
    this.owned.deleteAll(this.owned.copy());
    this.effects.push({ type: 'lost', partitions: lost });
  }

  // ---------------------------------------------------------------------------------------------
  // Requests, phases, bookkeeping.

  /** The request awaited under this id, no longer awaited; undefined when it is not (a stale answer). */
  protected take(requestId: number, api?: Pending['api'] | 'OffsetCommit'): Pending | undefined {
    const request = this.pending.get(requestId);
    if (request === undefined) return undefined;
    assert(api === undefined || request.api === api, `request ${requestId} was ${request.api}, answered as ${api}`);
    this.pending.delete(requestId);
    return request;
  }

  protected transition(to: SharedMemberPhase | OwnPhase): void {
    assert(this.allowedFrom[to].includes(this.phaseValue), `member ${this.memberIdValue || '(none)'}: ${this.phaseValue} → ${to}`);
    this.phaseValue = to;
  }

  protected event(event: MemberEvent): void {
    this.effects.push({ type: 'event', event });
  }

  protected begin(nowMs: number): void {
    assert(Number.isFinite(nowMs), `nowMs ${nowMs} is not a time`);
    assert(nowMs >= this.nowMsValue, `time went back from ${this.nowMsValue} to ${nowMs}`);
    assert(this.effects.length === 0, 'effects of the previous input were handed out');
    this.nowMsValue = nowMs;
  }

  protected finish(): (SharedMemberEffect | OwnEffect)[] {
    this.checkInvariants();
    const effects = this.effects;
    this.effects = [];
    return effects;
  }
}

/** Every request a member sends but OffsetCommit is about its membership. */
function isGroupRequest<Api extends string>(api: Api): api is Exclude<Api, 'OffsetCommit'> {
  return api !== 'OffsetCommit';
}

/** An OffsetCommit answer's first partition error, or NONE. */
function firstCommitError(response: OffsetCommitResponse): number {
  let errorCode: number = ErrorCode.NONE;
  for (const topic of response.topics) {
    for (const partition of topic.partitions) if (errorCode === ErrorCode.NONE) errorCode = partition.errorCode;
  }
  return errorCode;
}
