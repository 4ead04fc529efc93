// A consumer's doorbell: one Int32 word in shared memory that lets a consumer draining several
// rings sleep on a single address, and lets producers skip the notify unless it really sleeps.
//
//   0 = awake (producers do nothing), 1 = asleep (the first producer to see it flips it to 0
//   and notifies).
//
// Race-freedom rests on sequential consistency of Atomics: the consumer stores 1 and then
// re-checks its rings; a producer stores its ring's tail and then loads the doorbell. At least
// one of them sees the other's write, so a publish is never slept through.
import { assert } from '../../core/assert.js';

const awake = 0;
const asleep = 1;

export class Doorbell {
  readonly #word: Int32Array;
  /** Notifies this end sent (each one a sleeping consumer woken): for diagnostics and tests. */
  notifies = 0;

  constructor(buffer: SharedArrayBuffer, byteOffset: number) {
    assert(byteOffset % 4 === 0, 'doorbell word must be 4-aligned');
    this.#word = new Int32Array(buffer, byteOffset, 1);
  }

  /** Producer side, after publishing: wakes the consumer only if it sleeps. */
  ring(): void {
    if (Atomics.load(this.#word, 0) === asleep && Atomics.compareExchange(this.#word, 0, asleep, awake) === asleep) {
      Atomics.notify(this.#word, 0);
      this.notifies++;
    }
  }

  /** Consumer side: announce sleep; then re-check the rings before calling wait()/waitAsync(). */
  prepareSleep(): void {
    Atomics.store(this.#word, 0, asleep);
  }

  /** Consumer side: found work after prepareSleep(); cancel the sleep. */
  cancelSleep(): void {
    Atomics.store(this.#word, 0, awake);
  }

  /** Blocks (worker threads only) until rung or `timeoutMs` passes. */
  wait(timeoutMs: number): void {
    Atomics.wait(this.#word, 0, asleep, timeoutMs);
    Atomics.store(this.#word, 0, awake);
  }

  /**
   * Resolves when rung, or after `timeoutMs` if one is given; usable on the main thread. Prefer
   * no timeout on hot paths: each finite one makes V8 post a delayed task that Node turns into a
   * libuv timer, kept until it expires even when the ring came first (one per sleep, thousands
   * per second at low load).
   */
  async waitAsync(timeoutMs?: number): Promise<void> {
    const result = timeoutMs === undefined ? Atomics.waitAsync(this.#word, 0, asleep) : Atomics.waitAsync(this.#word, 0, asleep, timeoutMs);
    if (result.async) await result.value;
    Atomics.store(this.#word, 0, awake);
  }
}
