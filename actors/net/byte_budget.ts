// A count of bytes held for some purpose across the connections of one listener (request bytes
// received but not yet handled; response bytes encoded but not yet taken by the kernel), with a
// maximum and the connections waiting for it to drop below that. Accounting only: it allocates
// nothing, so every holder must give back exactly what it took.
//
// Main thread.
import { assert } from '../../core/assert.js';

export class ByteBudget {
  readonly max: number;
  #used = 0;
  #peak = 0;
  readonly #waiters = new Set<() => void>();

  constructor(max: number) {
    assert(Number.isSafeInteger(max) && max > 0, 'a byte budget is a positive integer');
    this.max = max;
  }

  get used(): number {
    return this.#used;
  }

  /** The most ever held at once: what tests and metrics check bounds against. */
  get peak(): number {
    return this.#peak;
  }

  get exhausted(): boolean {
    return this.#used >= this.max;
  }

  /**
   * Takes `bytes` if they fit, or if nothing is held at all (a single holder larger than the
   * budget goes alone rather than waiting forever); false otherwise.
   */
  tryTake(bytes: number): boolean {
    if (this.#used + bytes > this.max && this.#used > 0) return false;
    this.take(bytes);
    return true;
  }

  /** Takes `bytes` whether or not they fit: for bytes that are already in memory. */
  take(bytes: number): void {
    this.#used += bytes;
    if (this.#used > this.#peak) this.#peak = this.#used;
  }

  give(bytes: number): void {
    this.#used -= bytes;
    assert(this.#used >= 0, 'a byte budget gives back only what was taken');
    if (this.#waiters.size > 0 && this.#used < this.max) {
      const waiters = [...this.#waiters];
      this.#waiters.clear();
      for (const waiter of waiters) waiter();
    }
  }

  /** Calls `waiter` once, the next time bytes are given back below the maximum. Returns the unregister. */
  whenBelowMax(waiter: () => void): () => void {
    this.#waiters.add(waiter);
    return () => this.#waiters.delete(waiter);
  }
}
