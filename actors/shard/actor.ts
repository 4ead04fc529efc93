// What the shard runtime knows about an actor. Each actor is owned by exactly one shard thread
// and only that thread ever calls it, so actors hold plain (non-atomic) state.
//
// Mailbox contract: the shard's request ring is the mailbox. Envelopes reach an actor in the
// order the host wrote them (per actor FIFO); `receive` gets a view into the ring that is valid
// only during the call, so an actor copies whatever it keeps. An actor that must answer later
// (an acknowledgement after fsync, a parked JoinGroup) keeps the correlation id and replies
// through the same ReplySink when ready.
import type { EnvelopeHeader } from '../envelope.js';

export interface ReplySink {
  /** Reserves `bytes` in the reply ring (waiting for the host to drain it if full) and fills it. */
  reply(bytes: number, write: (view: Uint8Array) => void): void;
  /** Makes the replies written so far visible to the host. */
  publish(): void;
}

export interface Actor {
  readonly actorId: number;
  receive(envelope: Uint8Array, header: EnvelopeHeader): void;
  /** Called once at the end of every turn in which the actor received mail. */
  endTurn(): void;
  /**
   * Called when replies become visible before the turn ends (the reply ring filled up and must be
   * published for the host to drain it): publish the shared state those replies report (the
   * partition directory), so the host never sees an answer newer than the directory.
   */
  beforeRepliesVisible?(): void;
  /** Periodic housekeeping (retention, interval flush, timers), every tick of the shard. */
  tick(nowMs: number): void;
  /** The earliest moment the actor needs a tick sooner than the shard's regular one, if any. */
  nextDeadlineMs?(): number | undefined;
  close(): Promise<void>;
}

/** The group coordinator actor of every shard answers at this id. */
export const groupCoordinatorActorId = 0xffff_fffe;
