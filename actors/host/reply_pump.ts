// The host's reply pump: drains every shard's reply ring and resolves the requests they answer.
//
// How it waits when the rings are empty, cheapest first for the case at hand:
//
//   nothing in flight   no reply can come (every reply answers a request), so it waits for the
//                       next publish of requests, which calls requestsPublished() on this thread:
//                       no doorbell involved.
//   requests in flight  it polls: one look at the reply rings per event-loop turn (sockets keep
//                       being served between looks), for up to the budget, while polls keep
//                       finding replies (ring/spin_policy.ts). The host doorbell says awake all the
//                       while, so a shard publishing a reply skips its Atomics.notify, and this
//                       thread needs no wake-up to see it.
//   still nothing       announces sleep on the host doorbell, re-checks, then Atomics.waitAsync
//                       (no timeout: the doorbell protocol cannot miss a publish, and stop() rings).
//
// With a poll budget of 0 (inline shards, whose replies are drained as they are published) it
// only ever parks on the doorbell, as a pump that cannot poll must.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import type { Doorbell } from '../ring/doorbell.js';
import type { SpinPolicy } from '../ring/spin_policy.js';

/** What the pump needs of a shard's host end (ShardHandle). */
export interface ReplySource {
  /** Requests sent and not yet answered. */
  readonly inFlight: number;
  hasReplies(): boolean;
  /** Resolves every published reply; returns how many. */
  drainReplies(onHighWatermark: (actorId: number, highWatermark: number) => void): number;
}

export interface ReplyPumpOptions {
  shards: readonly ReplySource[];
  /** The doorbell every shard rings after publishing replies. */
  doorbell: Doorbell;
  onHighWatermark: (actorId: number, highWatermark: number) => void;
  spin: SpinPolicy;
  /** Monotonic µs; default performance.now(). */
  nowUs?: () => number;
}

const performanceNowUs = (): number => performance.now() * 1000;

export class ReplyPump {
  readonly #options: ReplyPumpOptions;
  readonly #nowUs: () => number;
  #stopping = false;
  #loop: Promise<void> | null = null;
  /** Resolves the wait for a publish while nothing is in flight. */
  #wakeIdle: (() => void) | null = null;

  constructor(options: ReplyPumpOptions) {
    this.#options = options;
    this.#nowUs = options.nowUs ?? performanceNowUs;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Requests were just published to a shard: a pump waiting for them starts looking for replies. */
  readonly requestsPublished = (): void => {
    const wake = this.#wakeIdle;
    if (wake === null) return;
    this.#wakeIdle = null;
    wake();
  };

  /** Ends the loop once it has delivered what the shards answered. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.requestsPublished();
    this.#options.doorbell.ring();
    await this.#loop;
  }

  #drain(): number {
    let drained = 0;
    for (const shard of this.#options.shards) drained += shard.drainReplies(this.#options.onHighWatermark);
    return drained;
  }

  #hasReplies(): boolean {
    for (const shard of this.#options.shards) if (shard.hasReplies()) return true;
    return false;
  }

  #inFlight(): boolean {
    for (const shard of this.#options.shards) if (shard.inFlight > 0) return true;
    return false;
  }

  async #run(): Promise<void> {
    const { doorbell, spin } = this.#options;
    const polls = spin.budgetUs > 0;
    while (!this.#stopping) {
      if (this.#drain() > 0) {
        await nextTurn();
        continue;
      }
      if (polls && !this.#inFlight()) {
        await new Promise<void>((resolve) => (this.#wakeIdle = resolve));
        continue;
      }
      if (spin.shouldPoll && (await this.#poll())) continue;
      doorbell.prepareSleep();
      if (this.#hasReplies() || this.#stopping) {
        doorbell.cancelSleep();
        continue;
      }
      const parkedUs = this.#nowUs();
      await doorbell.waitAsync();
      spin.parked(this.#nowUs() - parkedUs);
    }
    this.#drain();
  }

  /** Looks for replies once per event-loop turn for up to the budget; true when some came. */
  async #poll(): Promise<boolean> {
    const { spin } = this.#options;
    const endUs = this.#nowUs() + spin.budgetUs;
    let found = false;
    while (!this.#stopping) {
      await nextTurn();
      if (this.#hasReplies()) {
        found = true;
        break;
      }
      if (this.#nowUs() >= endUs) break;
    }
    spin.polled(found);
    return found;
  }
}
