// Runs a core/client member state machine with real time and a BrokerPort: the I/O half of a
// consumer's group membership. Main thread. Either protocol: MemberState (classic: JoinGroup,
// SyncGroup, Heartbeat) or ConsumerMemberState (KIP-848: ConsumerGroupHeartbeat only).
//
// Every input is handed to the reducer at once (its state is always current) and its effects are
// carried out strictly in order through one queue: a rebalance callback is awaited before the next
// effect runs, so an eager member's JoinGroup goes out only after onPartitionsRevoked returned.
// Two kinds of effect skip the queue because nothing ordered depends on them and a callback may
// wait for them: Heartbeat sends (heartbeats must not stall behind a slow listener) and everything
// about offset commits (onPartitionsRevoked commits, and must see its commit answered). A
// consumer-protocol member's `callbacksDone` marker runs in the queue, so it reaches the member
// only after every callback before it has returned: its ConsumerGroupHeartbeats can then skip the
// queue too, since the member only acknowledges a revocation (or leaves) once told so.
//
// Time is performance.now(): monotonic, as the reducer asserts. One Node timer is armed at the
// reducer's nextDeadlineMs() after every input.

import { performance } from 'node:perf_hooks';
import { assert } from '../../core/assert.js';
import { ErrorCode, LanesError } from '../../core/errors.js';
import { MemberState } from '../../core/client/member_state.js';
import type { ConsumerMemberState } from '../../core/client/consumer_member_state.js';
import type { ConsumerMemberEffect, MemberEffect, MemberEvent } from '../../core/client/member_effects.js';
import type { OffsetCommitResponse, OffsetCommitTopic } from '../../core/group/group_api.js';
import type { TopicPartitions } from '../../core/assignors/consumer_protocol.js';
import type { BrokerPort } from './broker_port.js';
import type { Logger } from '../logger.js';

export interface MemberCallbacks {
  revoked(partitions: readonly TopicPartitions[]): Promise<void>;
  assigned(partitions: readonly TopicPartitions[]): Promise<void>;
  lost(partitions: readonly TopicPartitions[]): Promise<void>;
  event(event: MemberEvent): void;
}

export interface CommitOutcome {
  errorCode: number;
  response: OffsetCommitResponse | null;
}

/** A group member of either protocol. */
export type GroupMemberState = MemberState | ConsumerMemberState;
type AnyMemberEffect = MemberEffect | ConsumerMemberEffect;

export class MemberDriver {
  readonly member: GroupMemberState;
  readonly #broker: BrokerPort;
  readonly #callbacks: MemberCallbacks;
  readonly #clientId: string;
  readonly #logger: Logger;
  readonly #queue: AnyMemberEffect[] = [];
  #draining: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  readonly #commits = new Map<number, (outcome: CommitOutcome) => void>();
  #stopped: () => void = () => {};
  /** Resolves when the member reports STOP (it has left the group). */
  readonly #stoppedPromise = new Promise<void>((resolve) => (this.#stopped = resolve));

  constructor(member: GroupMemberState, broker: BrokerPort, callbacks: MemberCallbacks, clientId: string, logger: Logger) {
    this.member = member;
    this.#broker = broker;
    this.#callbacks = callbacks;
    this.#clientId = clientId;
    this.#logger = logger;
  }

  /** Feeds one input to the reducer and schedules its effects. */
  input(step: (nowMs: number) => readonly AnyMemberEffect[]): void {
    if (this.#closed) return;
    let effects: readonly AnyMemberEffect[];
    try {
      effects = step(performance.now());
    } catch (error) {
      // An assertion in the reducer: a bug, not an operating error. Stop the membership loudly
      // rather than run on in a state nobody checked.
      this.#logger.fatal({ err: error }, 'the group member state machine failed');
      this.close();
      this.#callbacks.event({ type: 'CRASH', error: new LanesError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the group member failed', { cause: error }), restart: false });
      return;
    }
    for (const effect of effects) {
      if (this.#bypassesQueue(effect)) this.#runNow(effect);
      else this.#queue.push(effect);
    }
    this.#startDrain();
    this.#arm();
  }

  /** True after close(), or after the reducer failed an assertion. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves once every queued effect so far has run (callbacks included). */
  async settled(): Promise<void> {
    while (this.#draining !== null) await this.#draining;
  }

  /** Commits under the member's generation; resolves with the first error code, or NONE. */
  commit(topics: readonly OffsetCommitTopic[]): Promise<CommitOutcome> {
    if (this.#closed) return Promise.resolve({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, response: null });
    const effects = this.member.commitOffsets(topics, performance.now());
    let outcome: Promise<CommitOutcome> | null = null;
    for (const effect of effects) {
      if (effect.type === 'send' && effect.request.api === 'OffsetCommit') {
        const requestId = effect.requestId;
        // Request ids are the reducer's and never repeat: one waiter per commit, answered once.
        assert(!this.#commits.has(requestId), `commit request ${requestId} is already waiting`);
        outcome = new Promise((resolve) => this.#commits.set(requestId, resolve));
        this.#runNow(effect);
      } else if (effect.type === 'commitRefused') {
        outcome = Promise.resolve({ errorCode: effect.errorCode, response: null });
      } else if (this.#bypassesQueue(effect)) {
        this.#runNow(effect);
      } else {
        this.#queue.push(effect);
      }
    }
    this.#startDrain();
    this.#arm();
    return outcome ?? Promise.resolve({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, response: null });
  }

  /**
   * Leaves the group (the member gives up its partitions through the callbacks first), waits for
   * every effect of that to run, and closes.
   */
  async stop(): Promise<void> {
    this.input((nowMs) => this.member.stop(nowMs));
    // A failed member (CRASH) has nothing to leave and never reports STOP.
    if (this.member.phase !== 'failed' && !this.#closed) await this.#stoppedPromise;
    await this.settled();
    this.close();
  }

  /** No more inputs after this: the timer stops and late answers are dropped. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    for (const resolve of this.#commits.values()) resolve({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, response: null });
    this.#commits.clear();
  }

  #bypassesQueue(effect: AnyMemberEffect): boolean {
    if (effect.type === 'send') return effect.request.api === 'Heartbeat' || effect.request.api === 'OffsetCommit' || effect.request.api === 'ConsumerGroupHeartbeat';
    if (effect.type === 'event') return effect.event.type === 'HEARTBEAT';
    return effect.type === 'commitCompleted' || effect.type === 'commitRefused' || effect.type === 'watchTopics';
  }

  #arm(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#closed) return;
    const deadline = this.member.nextDeadlineMs();
    if (deadline === null) return;
    const delay = Math.max(0, Math.ceil(deadline - performance.now()));
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.input((nowMs) => this.member.tick(nowMs));
    }, delay);
    this.#timer.unref();
  }

  #startDrain(): void {
    if (this.#queue.length === 0 || this.#draining !== null) return;
    let finished!: () => void;
    this.#draining = new Promise((resolve) => (finished = resolve));
    void this.#drain().finally(() => {
      this.#draining = null;
      finished();
      // Inputs that arrived while the last callback ran were queued behind it.
      this.#startDrain();
    });
  }

  async #drain(): Promise<void> {
    {
      while (this.#queue.length > 0) {
        const effect = this.#queue.shift()!;
        try {
          switch (effect.type) {
            case 'revoked':
              await this.#callbacks.revoked(effect.partitions);
              break;
            case 'assigned':
              await this.#callbacks.assigned(effect.partitions);
              break;
            case 'lost':
              await this.#callbacks.lost(effect.partitions);
              break;
            default:
              this.#runNow(effect);
          }
        } catch (error) {
          // A listener's failure must not wedge the membership: Java logs it and carries on.
          this.#logger.error({ err: error, effect: effect.type }, 'a rebalance listener failed');
        }
      }
    }
  }

  #runNow(effect: AnyMemberEffect): void {
    switch (effect.type) {
      case 'send':
        this.#send(effect.requestId, effect.request);
        break;
      case 'event':
        if (effect.event.type === 'STOP') this.#stopped();
        this.#callbacks.event(effect.event);
        break;
      case 'commitCompleted': {
        const resolve = this.#commits.get(effect.requestId);
        this.#commits.delete(effect.requestId);
        resolve?.({ errorCode: effect.errorCode, response: effect.response });
        break;
      }
      case 'callbacksDone': {
        const member = this.member;
        assert(!(member instanceof MemberState), 'only a consumer-protocol member awaits its callbacks');
        const callbackId = effect.callbackId;
        this.input((nowMs) => member.callbacksCompleted(callbackId, nowMs));
        break;
      }
      case 'commitRefused':
      case 'watchTopics':
        // commitRefused is answered where commit() reads it; the consumer watches every topic.
        break;
      case 'revoked':
      case 'assigned':
      case 'lost':
        throw new Error(`${effect.type} runs through the queue`);
    }
  }

  #send(requestId: number, request: Extract<AnyMemberEffect, { type: 'send' }>['request']): void {
    const failed = (error: unknown) => {
      this.#logger.debug({ err: error, api: request.api }, 'group request failed');
      this.input((nowMs) => this.member.requestFailed(requestId, nowMs));
    };
    const broker = this.#broker;
    const member = this.member;
    // Each protocol's own requests come only from its own member.
    const classic = (): MemberState => {
      assert(member instanceof MemberState, `${request.api} comes from a classic member`);
      return member;
    };
    switch (request.api) {
      case 'JoinGroup':
        broker
          .joinGroup({ ...request.body, clientId: this.#clientId, clientHost: broker.clientHost, requireKnownMemberId: true })
          .then((response) => this.input((nowMs) => classic().joinGroupResponse(requestId, response, nowMs)), failed);
        break;
      case 'SyncGroup':
        broker.syncGroup(request.body).then((response) => this.input((nowMs) => classic().syncGroupResponse(requestId, response, nowMs)), failed);
        break;
      case 'Heartbeat':
        broker.heartbeat(request.body).then((response) => this.input((nowMs) => classic().heartbeatResponse(requestId, response, nowMs)), failed);
        break;
      case 'LeaveGroup':
        broker.leaveGroup(request.body).then((response) => this.input((nowMs) => classic().leaveGroupResponse(requestId, response, nowMs)), failed);
        break;
      case 'ConsumerGroupHeartbeat': {
        assert(!(member instanceof MemberState), 'ConsumerGroupHeartbeat comes from a consumer-protocol member');
        broker
          .consumerGroupHeartbeat({ ...request.body, clientId: this.#clientId, clientHost: broker.clientHost })
          .then((response) => this.input((nowMs) => member.heartbeatResponse(requestId, response, nowMs)), failed);
        break;
      }
      case 'OffsetCommit':
        broker.offsetCommit(request.body).then(
          (response) => this.input((nowMs) => member.offsetCommitResponse(requestId, response, nowMs)),
          (error: unknown) => {
            this.#logger.debug({ err: error }, 'offset commit failed');
            this.input((nowMs) => member.requestFailed(requestId, nowMs));
            // After close() inputs are dropped: answer the waiting commit here.
            const resolve = this.#commits.get(requestId);
            this.#commits.delete(requestId);
            resolve?.({ errorCode: ErrorCode.NETWORK_EXCEPTION, response: null });
          },
        );
        break;
    }
  }
}
