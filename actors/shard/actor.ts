// What the shard runtime knows about an actor. Each actor is owned by exactly one shard thread
// and only that thread ever calls it, so actors hold plain (non-atomic) state.
//
// Mailbox contract: the shard's request ring is the mailbox. Envelopes reach an actor in the
// order the host wrote them (per actor FIFO); `receive` gets a view into the ring that is valid
// only during the call, so an actor copies whatever it keeps. An actor that must answer later
// (an acknowledgement after fsync, a parked JoinGroup) keeps the correlation id and replies
// through the same ReplySink when ready.
import type { GroupCalls } from '../../core/group/group_calls.js';
import type { TxnCalls } from '../../core/txn/txn_calls.js';
import type { ActorAddress } from '../call_body.js';
import type { EnvelopeHeader } from '../envelope.js';

export interface ReplySink {
  /** The most bytes one reply may take (a ring record); `reply` with more is a bug. */
  readonly replyBytesMax: number;
  /** Reserves `bytes` in the reply ring (waiting for the host to drain it if full) and fills it. */
  reply(bytes: number, write: (view: Uint8Array) => void): void;
  /** Makes the replies written so far visible to the host. */
  publish(): void;
}

/**
 * How the runtime answers an unexpected exception from an actor (anything but a LanesError, which
 * is an operating error answered with its own code and leaves the actor's state as it was).
 */
export interface ActorFailure {
  /** The Kafka code for the failed request, and for every later one when `offline`. */
  readonly errorCode: number;
  readonly message: string;
  /**
   * True when the actor's state may be half changed: the runtime then answers every later request
   * to it with `errorCode`, never calls its endTurn, tick or nextDeadlineMs again, and calls
   * takeOffline once. False when the failure touched nothing shared (a read-only request).
   */
  readonly offline: boolean;
}

export interface Actor {
  readonly actorId: number;
  /** What the actor is, for logs: "partition orders-3", "group coordinator". */
  readonly label?: string;
  receive(envelope: Uint8Array, header: EnvelopeHeader): void;
  /** Called once at the end of every turn in which the actor received mail. */
  endTurn(): void;
  /**
   * Called when replies become visible before the turn ends (the reply ring filled up and must be
   * published for the host to drain it): publish the shared state those replies report (the
   * partition directory), so the host never sees an answer newer than the directory.
   */
  beforeRepliesVisible?(): void;
  /**
   * Periodic housekeeping (retention, interval flush, timers), every tick of the shard while the
   * actor needs it (needsTick).
   */
  tick(nowMs: number): void;
  /**
   * Asked after each tick: false when the actor's ticks would do nothing until it next receives
   * mail (or the shard is told with ShardRuntime.resumeTicks), so the runtime stops ticking it
   * until then. Absent, the actor is ticked every time (coordinators with timers of their own).
   */
  needsTick?(): boolean;
  /** The earliest moment the actor needs a tick sooner than the shard's regular one, if any. */
  nextDeadlineMs?(): number | undefined;
  close(): Promise<void>;
  /**
   * Classifies an unexpected exception the actor threw: from receive (`header` is that request's)
   * or from endTurn, tick or nextDeadlineMs (`header` null). Absent, the runtime answers
   * UNKNOWN_SERVER_ERROR and takes the actor offline: it cannot tell whether the actor's state
   * was half changed, and an actor serving from a state nobody designed could lose acknowledged
   * data.
   */
  classifyFailure?(error: unknown, header: EnvelopeHeader | null): ActorFailure;
  /**
   * Called once when the runtime takes the actor offline: answer what the actor holds (parked
   * requests, queued replies) with `failure`'s code, since no later turn will.
   */
  takeOffline?(failure: ActorFailure): void;
}

/** The group coordinator actor of every shard answers at this id. */
export const groupCoordinatorActorId = 0xffff_fffe;

/** The transaction coordinator actor of every shard answers at this id. */
export const txnCoordinatorActorId = 0xffff_fffd;

/** The transaction coordinator as the host calls it: the calls of core/txn/txn_calls.ts. */
export const txnCoordinator: ActorAddress<TxnCalls> = { actorId: txnCoordinatorActorId };

/** The group coordinator as the host calls it: the calls of core/group/group_calls.ts. */
export const groupCoordinator: ActorAddress<GroupCalls> = { actorId: groupCoordinatorActorId };
