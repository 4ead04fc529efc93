// A shard's event loop. One per worker thread; it multiplexes many actors:
//
//   turn:  drain up to `envelopesPerTurn` envelopes from the request ring, hand each to its
//          actor, release the ring, let touched actors finish the turn (publish directory slots,
//          start a group fsync), run housekeeping when due (each actor that needs it: see
//          #ticking), publish replies once. (A reply ring
//          that fills mid-turn publishes early; touched actors first publish their directory
//          slots, so no answer the host sees is newer than the directory it serves fetches from.)
//   idle:  if given a poll budget (off by default: core/limits.ts shardPollBudgetUs), poll the
//          ring a few tens of µs while polls keep finding work (ring/spin_policy.ts:
//          a request that comes that soon then costs the host no notify and this thread no
//          wake-up); then announce sleep on the doorbell, re-check the ring, then
//          Atomics.waitAsync (no timeout) until a host publish, or the wake timer rings the
//          doorbell for the next housekeeping tick or actor deadline.
//
// The loop yields to Node's event loop between turns (setImmediate) because the control plane
// (comlink messages) and fsync completions arrive there. It never blocks the thread except when
// the reply ring is full, which only the host can cure by draining it, and for a poll's budget.
//
// Failure boundary: one request can never take the shard down. An actor that throws a LanesError
// answers that request with its code (an operating error; the actor's state is unchanged). Any
// other exception from an actor — while handling a request, or in its endTurn, tick or deadline —
// is a bug confined to that actor: it is logged at error with the actor and request kind, the
// request (if any) is answered, and the actor says through classifyFailure whether its state can
// still be trusted; if not (the default), the actor is taken offline and every later request to
// it answers the same code, while every other actor on the shard keeps serving. What stays fatal
// is a broken invariant of the runtime itself (its rings), which every actor shares.
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { assert } from '../../core/assert.js';
import { ErrorCode, isLanesError, errorCodeName } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import {
  appendResultHeaderBytes,
  dataViewOf,
  encodeMessage,
  envelopeHeaderBytes,
  EnvelopeKind,
  fetchResultHeaderBytes,
  readEnvelopeHeader,
  writeAppendResult,
  writeEnvelopeHeader,
  writeFetchResultHeader,
  type EnvelopeHeader,
} from '../envelope.js';
import type { Doorbell } from '../ring/doorbell.js';
import type { RingReader, RingWriter } from '../ring/spsc_ring.js';
import { encodeCallBody } from '../call_body.js';
import { componentLogger, logger as rootLogger, type Logger } from '../logger.js';
import { pollUntil, type SpinPolicy } from '../ring/spin_policy.js';
import type { Actor, ActorFailure, ReplySink } from './actor.js';

export interface ShardRuntimeOptions {
  shardId: number;
  requests: RingReader;
  replies: RingWriter;
  doorbell: Doorbell;
  clock: Clock;
  envelopesPerTurn: number;
  tickIntervalMs: number;
  /** Extra housekeeping every tick (epoch reclamation). */
  onTick?: (nowMs: number) => void;
  /** Where actor failures are reported; default the root logger's shard child. */
  logger?: Logger;
  /**
   * Polling before parking (ring/spin_policy.ts); default none. A poll blocks the thread, so only
   * a shard on a thread of its own may have one.
   */
  spin?: SpinPolicy;
  /** Monotonic µs for the polls; default performance.now(). */
  nowUs?: () => number;
}

const performanceNowUs = (): number => performance.now() * 1000;

const envelopeKindNames: Record<number, string> = Object.fromEntries(Object.entries(EnvelopeKind).map(([name, kind]) => [kind, name]));

function labelOf(actor: Actor): string {
  return actor.label ?? `${actor.constructor.name} ${actor.actorId}`;
}

/** Bytes 8..12 of every reply: the correlation id (little-endian, as the host reads it). */
function replyCorrelationId(view: Uint8Array): number {
  return (view[8] | (view[9] << 8) | (view[10] << 16) | (view[11] << 24)) >>> 0;
}

export class ShardRuntime implements ReplySink {
  readonly #options: ShardRuntimeOptions;
  readonly #actors = new Map<number, Actor>();
  readonly #touched = new Set<Actor>();
  /** Actors with deadlines of their own (group coordinators); partitions only use the tick. */
  readonly #timed = new Set<Actor>();
  /**
   * The actors the next tick visits: every actor that received mail since its last tick, and
   * those whose last tick left something to do (Actor.needsTick). A quiet partition (one segment,
   * nothing owed to an interval flush) leaves the set, so a tick costs what is due rather than
   * ~2.4 µs for each of the thousands of partitions a shard may hold.
   */
  readonly #ticking = new Set<Actor>();
  /** Actors taken offline after an unexpected exception, with the answer every request gets. */
  readonly #offline = new Map<Actor, ActorFailure>();
  readonly #logger: Logger;
  /**
   * The request being dispatched (its actor's replies may report state it has not published), and
   * whether that actor has answered it yet (no double reply).
   */
  #dispatching: EnvelopeHeader | null = null;
  #dispatchAnswered = false;
  #stopping = false;
  #stopped: Promise<void> | null = null;
  #nextTickMs = 0;
  #wakeTimer: NodeJS.Timeout | null = null;
  #wakeTimerAtMs = 0;
  envelopesHandled = 0;
  turns = 0;

  constructor(options: ShardRuntimeOptions) {
    assert(options.envelopesPerTurn > 0, 'a turn must handle at least one envelope');
    this.#options = options;
    this.#logger = options.logger ?? componentLogger(rootLogger, 'shard', { shard: options.shardId });
  }

  add(actor: Actor): void {
    assert(!this.#actors.has(actor.actorId), `actor ${actor.actorId} already runs on shard ${this.#options.shardId}`);
    this.#actors.set(actor.actorId, actor);
    this.#ticking.add(actor);
    if (actor.nextDeadlineMs !== undefined) this.#timed.add(actor);
  }

  get(actorId: number): Actor | undefined {
    return this.#actors.get(actorId);
  }

  async remove(actorId: number): Promise<Actor | undefined> {
    const actor = this.#actors.get(actorId);
    if (actor === undefined) return undefined;
    this.#actors.delete(actorId);
    this.#touched.delete(actor);
    this.#timed.delete(actor);
    this.#ticking.delete(actor);
    await this.#close(actor);
    return actor;
  }

  /**
   * Ticks `actor` again from the next tick on: for a change made outside its mail (a topic's
   * configs altered through the control plane) that may give its housekeeping something to do.
   */
  resumeTicks(actor: Actor): void {
    if (this.#actors.get(actor.actorId) === actor && !this.#offline.has(actor)) this.#ticking.add(actor);
  }

  actors(): IterableIterator<Actor> {
    return this.#actors.values();
  }

  get replyBytesMax(): number {
    return this.#options.replies.payloadBytesMax;
  }

  reply(bytes: number, write: (view: Uint8Array) => void): void {
    const replies = this.#options.replies;
    let view = replies.reserve(bytes);
    if (view === null) {
      // waitForRoom publishes the replies written so far, mid-turn: publish what they report first.
      for (const actor of this.#touched) actor.beforeRepliesVisible?.();
      if (this.#dispatching !== null) this.#actors.get(this.#dispatching.actorId)?.beforeRepliesVisible?.();
      replies.waitForRoom(bytes);
      view = replies.reserve(bytes);
      assert(view !== null, 'reply ring has room after waiting for it');
    }
    write(view);
    if (this.#dispatching !== null && replyCorrelationId(view) === this.#dispatching.correlationId) this.#dispatchAnswered = true;
  }

  /** The failure an offline actor answers with; undefined while it serves (tests, diagnostics). */
  offlineReason(actor: Actor): ActorFailure | undefined {
    return this.#offline.get(actor);
  }

  publish(): void {
    this.#options.replies.publish();
  }

  /** Runs until stop(); rejects if an actor hits an invariant failure. */
  async run(): Promise<void> {
    const { doorbell, requests, clock, spin } = this.#options;
    const nowUs = this.#options.nowUs ?? performanceNowUs;
    this.#nextTickMs = clock.nowMs() + this.#options.tickIntervalMs;
    while (!this.#stopping) {
      if (this.#turn()) {
        await yieldToEventLoop();
        continue;
      }
      if (spin?.shouldPoll) {
        const found = pollUntil(this.#hasRequestsOrStopping, nowUs, spin.budgetUs);
        spin.polled(found);
        if (found) continue;
      }
      doorbell.prepareSleep();
      if (requests.hasData() || this.#stopping) {
        doorbell.cancelSleep();
        continue;
      }
      this.#armWakeTimer(this.#wakeAtMs());
      const parkedUs = spin === undefined ? 0 : nowUs();
      await doorbell.waitAsync();
      spin?.parked(nowUs() - parkedUs);
    }
    if (this.#wakeTimer !== null) clearTimeout(this.#wakeTimer);
    this.#wakeTimer = null;
    // Whatever the host published before asking us to stop is still answered.
    while (this.#turn());
  }

  readonly #hasRequestsOrStopping = (): boolean => this.#options.requests.hasData() || this.#stopping;

  /**
   * Serves everything in the request ring now, on the caller's stack. For a shard on the host's
   * own thread (host/shard_threads.ts): the host calls it right after publishing, so a request
   * needs no doorbell and no event-loop turn. Once stopping, the loop's last turns serve the rest.
   */
  runTurns(): void {
    if (this.#stopping) return;
    while (this.#turn());
  }

  /**
   * Makes sure the doorbell rings by `atMs` (a tick or an actor's deadline). One timer serves many
   * sleeps: it is re-armed only when a sleep needs an earlier wake than the one armed. A timeout
   * on every doorbell wait instead would cost a V8 delayed task and a libuv timer per sleep,
   * thousands per second when requests trickle in one at a time.
   */
  #armWakeTimer(atMs: number): void {
    if (this.#wakeTimer !== null && this.#wakeTimerAtMs <= atMs) return;
    if (this.#wakeTimer !== null) clearTimeout(this.#wakeTimer);
    this.#wakeTimerAtMs = atMs;
    this.#wakeTimer = setTimeout(this.#onWakeTimer, Math.max(1, atMs - this.#options.clock.nowMs()));
  }

  readonly #onWakeTimer = (): void => {
    this.#wakeTimer = null;
    // Rings only if the loop sleeps; awake, it sees the due tick at the end of its turn.
    this.#options.doorbell.ring();
  };

  /** The regular tick, or an actor's earlier deadline (a session timeout, a rebalance delay). */
  #wakeAtMs(): number {
    let wakeAtMs = this.#nextTickMs;
    for (const actor of this.#timed) {
      let deadline: number | undefined;
      try {
        deadline = actor.nextDeadlineMs?.();
      } catch (error) {
        this.#actorFailed(actor, error, null);
      }
      if (deadline !== undefined && deadline < wakeAtMs) wakeAtMs = deadline;
    }
    return wakeAtMs;
  }

  /** Asks the loop to end after the work already in the ring; resolves once every actor closed. */
  stop(loop: Promise<void>): Promise<void> {
    if (this.#stopped !== null) return this.#stopped;
    this.#stopping = true;
    this.#stopped = (async () => {
      this.#wake();
      await loop;
      for (const actor of [...this.#actors.values()]) await this.#close(actor);
      this.#actors.clear();
      this.publish();
    })();
    return this.#stopped;
  }

  #wake(): void {
    // A sleeping loop only wakes on its doorbell; ring it ourselves. (Not after cancelSleep():
    // ring() notifies only a doorbell that says asleep, and the loop waits with no timeout.)
    this.#options.doorbell.ring();
  }

  #turn(): boolean {
    const { requests, envelopesPerTurn, clock } = this.#options;
    let handled = 0;
    for (; handled < envelopesPerTurn; handled++) {
      const envelope = requests.read();
      if (envelope === null) break;
      this.#dispatch(envelope);
    }
    requests.release();
    // Inline try/catch, not a helper taking a closure: this runs every turn for every actor.
    for (const actor of this.#touched) {
      this.#ticking.add(actor);
      try {
        actor.endTurn();
      } catch (error) {
        this.#actorFailed(actor, error, null);
      }
    }
    this.#touched.clear();
    const nowMs = clock.nowMs();
    if (nowMs >= this.#wakeAtMs()) {
      this.#nextTickMs = nowMs + this.#options.tickIntervalMs;
      // Deleting the entry being visited is safe in a Set iteration.
      for (const actor of this.#ticking) {
        if (this.#offline.has(actor)) {
          this.#ticking.delete(actor);
          continue;
        }
        try {
          actor.tick(nowMs);
          if (actor.needsTick?.() === false) this.#ticking.delete(actor);
        } catch (error) {
          this.#actorFailed(actor, error, null);
        }
      }
      this.#options.onTick?.(nowMs);
    }
    this.publish();
    this.envelopesHandled += handled;
    if (handled > 0) this.turns++;
    return handled > 0;
  }

  #dispatch(envelope: Uint8Array): void {
    const header = readEnvelopeHeader(dataViewOf(envelope));
    const actor = this.#actors.get(header.actorId);
    if (actor === undefined) {
      this.replyError(header, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `no partition actor ${header.actorId} on shard ${this.#options.shardId}`);
      return;
    }
    const offline = this.#offline.get(actor);
    if (offline !== undefined) {
      this.replyError(header, offline.errorCode, offline.message);
      return;
    }
    this.#dispatching = header;
    this.#dispatchAnswered = false;
    try {
      actor.receive(envelope, header);
    } catch (error) {
      if (isLanesError(error)) {
        // An operating error: the actor refused this request and changed nothing.
        if (!this.#dispatchAnswered) this.replyError(header, error.errorCode, error.message);
      } else {
        this.#actorFailed(actor, error, header);
      }
    } finally {
      this.#dispatching = null;
    }
    if (!this.#offline.has(actor)) this.#touched.add(actor);
  }

  /** See the file comment: answer the request, log, and take the actor offline unless it is sure. */
  #actorFailed(actor: Actor, error: unknown, header: EnvelopeHeader | null): void {
    if (this.#offline.has(actor)) return; // already offline: its failure was reported
    const during = header === null ? 'housekeeping' : (envelopeKindNames[header.kind] ?? `kind ${header.kind}`);
    let failure: ActorFailure | undefined;
    try {
      failure = actor.classifyFailure?.(error, header);
    } catch (classifyError) {
      this.#logger.error({ actorId: actor.actorId, actor: labelOf(actor), err: classifyError }, 'actor failed to classify its own failure');
    }
    const reason = error instanceof Error ? error.message : String(error);
    failure ??= { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, message: `${labelOf(actor)} failed: ${reason}`, offline: true };
    this.#logger.error(
      { actorId: actor.actorId, actor: labelOf(actor), during, errorCode: errorCodeName(failure.errorCode), offline: failure.offline, err: error },
      failure.offline ? 'actor failed; taken offline, the shard keeps serving' : 'request failed in its actor; the shard keeps serving',
    );
    if (header !== null && !this.#dispatchAnswered) this.replyError(header, failure.errorCode, failure.message);
    if (!failure.offline) return;
    this.#offline.set(actor, failure);
    this.#touched.delete(actor);
    this.#timed.delete(actor);
    this.#ticking.delete(actor);
    try {
      actor.takeOffline?.(failure);
    } catch (offlineError) {
      this.#logger.error({ actorId: actor.actorId, actor: labelOf(actor), err: offlineError }, 'actor failed while going offline');
    }
  }

  /** Closes an actor; an offline one may fail to (its state is suspect): logged, not thrown. */
  async #close(actor: Actor): Promise<void> {
    if (!this.#offline.has(actor)) return actor.close();
    try {
      await actor.close();
    } catch (error) {
      this.#logger.error({ actorId: actor.actorId, actor: labelOf(actor), err: error }, 'offline actor failed to close');
    }
  }

  /** Answers a request of any kind with an error code and message. */
  replyError(header: EnvelopeHeader, errorCode: number, message: string): void {
    const text = encodeMessage(message);
    switch (header.kind) {
      case EnvelopeKind.Append:
        this.reply(appendResultHeaderBytes + text.length, (view) =>
          writeAppendResult(view, header.actorId, header.correlationId, { errorCode, recordCount: 0, baseOffset: -1, logStartOffset: -1, highWatermark: -1, message }, text),
        );
        return;
      case EnvelopeKind.Fetch:
        this.reply(fetchResultHeaderBytes + text.length, (view) => {
          writeFetchResultHeader(view, header.actorId, header.correlationId, { errorCode, batchBytes: 0, highWatermark: -1, logStartOffset: -1 });
          view.set(text, fetchResultHeaderBytes);
        });
        return;
      case EnvelopeKind.Call: {
        const body = encodeCallBody({ ok: false, errorCode, message });
        this.reply(envelopeHeaderBytes + body.length, (view) => {
          writeEnvelopeHeader(dataViewOf(view), EnvelopeKind.CallResult, header.actorId, header.correlationId);
          view.set(body, envelopeHeaderBytes);
        });
        return;
      }
      default:
        assert(false, `request of kind ${header.kind} cannot be answered with an error`);
    }
  }
}
