// Long polls on the host: a fetch that found nothing new parks here until its partition's high
// watermark passes the offset it wants, or its deadline passes. The host sees every append's
// result, so it learns each new high watermark without asking the shards.

interface Waiter {
  offset: number;
  resolve(): void;
  timer: NodeJS.Timeout;
}

export class HighWatermarkWaiters {
  readonly #byActor = new Map<number, Set<Waiter>>();

  /** Resolves once the high watermark of `actorId` exceeds `offset`, or after `timeoutMs`. */
  wait(actorId: number, offset: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.#byActor.get(actorId);
      if (waiters === undefined) this.#byActor.set(actorId, (waiters = new Set()));
      const set = waiters;
      const waiter: Waiter = {
        offset,
        resolve: () => {
          clearTimeout(waiter.timer);
          set.delete(waiter);
          resolve();
        },
        timer: setTimeout(() => waiter.resolve(), Math.max(0, timeoutMs)),
      };
      set.add(waiter);
    });
  }

  advanced(actorId: number, highWatermark: number): void {
    const waiters = this.#byActor.get(actorId);
    if (waiters === undefined || waiters.size === 0) return;
    for (const waiter of [...waiters]) if (highWatermark > waiter.offset) waiter.resolve();
  }

  /** Wakes everyone (shutdown, topic deletion). */
  wakeAll(actorId?: number): void {
    const sets = actorId === undefined ? [...this.#byActor.values()] : [this.#byActor.get(actorId) ?? new Set<Waiter>()];
    for (const set of sets) for (const waiter of [...set]) waiter.resolve();
  }
}
