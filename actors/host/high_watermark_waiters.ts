// Long polls on the host: a fetch that found nothing new parks here until its partition's high
// watermark passes the offset it wants, or its deadline passes. The host sees every append's
// result, so it learns each new high watermark without asking the shards.
//
// A waiter leaves its set (and clears its timer) the moment it is resolved, timed out or
// withdrawn by its scope: a Fetch over many partitions waits on all of them and is answered by
// the first that moves, and the others must not linger until their timeouts — at tens of
// thousands of fetches per second, lingering waiters and timers survive young-generation
// collections and make every scavenge slower (bench/load latency mode).
import type { WaitScope } from '../../core/handlers/handler.js';

class Waiter {
  readonly offset: number;
  readonly #set: Set<Waiter>;
  #resolve: (() => void) | null;
  #timer: NodeJS.Timeout | null;

  constructor(set: Set<Waiter>, offset: number, resolve: () => void, timeoutMs: number) {
    this.#set = set;
    this.offset = offset;
    this.#resolve = resolve;
    this.#timer = setTimeout(() => this.settle(true), Math.max(0, timeoutMs));
  }

  /** Leaves the set and clears the timer; resolves the wait when `wake` (else just forgets it). */
  settle(wake: boolean): void {
    const resolve = this.#resolve;
    if (resolve === null) return;
    this.#resolve = null;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#set.delete(this);
    if (wake) resolve();
  }
}

export class HighWatermarkWaiters {
  readonly #byActor = new Map<number, Set<Waiter>>();

  /**
   * Resolves once the high watermark of `actorId` exceeds `offset`, or after `timeoutMs`. When
   * `scope` ends first, the wait is dropped without resolving (its caller has moved on).
   */
  wait(actorId: number, offset: number, timeoutMs: number, scope?: WaitScope): Promise<void> {
    return new Promise((resolve) => {
      let set = this.#byActor.get(actorId);
      if (set === undefined) this.#byActor.set(actorId, (set = new Set()));
      const waiter = new Waiter(set, offset, resolve, timeoutMs);
      set.add(waiter);
      scope?.defer(() => waiter.settle(false));
    });
  }

  /** Waiters still parked (all partitions): for tests and metrics. */
  get size(): number {
    let size = 0;
    for (const set of this.#byActor.values()) size += set.size;
    return size;
  }

  advanced(actorId: number, highWatermark: number): void {
    const waiters = this.#byActor.get(actorId);
    if (waiters === undefined || waiters.size === 0) return;
    // Deleting the current element while iterating a Set is well defined in JavaScript.
    for (const waiter of waiters) if (highWatermark > waiter.offset) waiter.settle(true);
  }

  /** Wakes everyone (shutdown, topic deletion). */
  wakeAll(actorId?: number): void {
    const sets = actorId === undefined ? [...this.#byActor.values()] : [this.#byActor.get(actorId) ?? new Set<Waiter>()];
    for (const set of sets) for (const waiter of set) waiter.settle(true);
  }
}
