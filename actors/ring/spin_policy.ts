// When a ring's consumer polls before parking on its doorbell, and for how long.
//
// Parking costs the producer an Atomics.notify and the consumer a thread wake-up, which on a
// busy machine with few cores can land on the scheduler's next tick (4 ms at HZ = 250). If work
// arrives within tens of microseconds of the consumer running dry, polling for it is cheaper
// than parking: the doorbell still says awake, so the producer skips the notify, and the work is
// served without a wake. Polling is wasted CPU when nothing comes, so it adapts:
//
//   - polls are on while they find work; `missesToRest` polls in a row that found nothing turn
//     them off (a consumer at idle burns at most that many budgets, then none);
//   - while off, a park that ended within the budget (work came back that fast) turns them on
//     again, and so does every `probeEveryParks`-th park, so traffic whose wake-ups are slow
//     (the busy machine, where a park looks long however soon work came) is still tried;
//   - the budget bounds each poll, so even a probe at idle costs one budget.
//
// The policy is pure bookkeeping (no clock of its own, no timers); pollUntil takes the clock.
import { assert } from '../../core/assert.js';

export interface SpinPolicyOptions {
  /** Longest poll before parking, µs; 0 turns polling off (the thread must not poll). */
  budgetUs: number;
  /** Polls in a row that find nothing before polling rests. */
  missesToRest: number;
  /** While resting, every this-many-th park is followed by one probing poll. */
  probeEveryParks: number;
}

export class SpinPolicy {
  readonly budgetUs: number;
  readonly #missesToRest: number;
  readonly #probeEveryParks: number;
  #misses = 0;
  #restingParks = 0;
  /** Polls run, and how many of them found work (diagnostics and tests). */
  polls = 0;
  hits = 0;
  /** Parks on the doorbell (each one a wake-up the producer may have to pay for). */
  parks = 0;

  constructor(options: SpinPolicyOptions) {
    assert(options.budgetUs >= 0 && options.missesToRest >= 1 && options.probeEveryParks >= 1, 'spin policy bounds must be positive');
    this.budgetUs = options.budgetUs;
    this.#missesToRest = options.missesToRest;
    this.#probeEveryParks = options.probeEveryParks;
  }

  /** Whether to poll now, before parking. */
  get shouldPoll(): boolean {
    return this.budgetUs > 0 && this.#misses < this.#missesToRest;
  }

  /** A poll ended: it found work, or its budget ran out. */
  polled(found: boolean): void {
    this.polls++;
    if (found) {
      this.hits++;
      this.#misses = 0;
    } else {
      this.#misses++;
      this.#restingParks = 0;
    }
  }

  /** A park ended after `sleptUs`: short parks (or a probe's turn) turn polling back on. */
  parked(sleptUs: number): void {
    this.parks++;
    if (this.#misses < this.#missesToRest) return;
    this.#restingParks++;
    if (sleptUs <= this.budgetUs || this.#restingParks >= this.#probeEveryParks) {
      // One more miss rests again: a probe costs one budget, not missesToRest of them.
      this.#misses = this.#missesToRest - 1;
      this.#restingParks = 0;
    }
  }
}

/**
 * Polls `ready` until it answers true or `budgetUs` pass on `nowUs` (a monotonic clock in µs);
 * returns the last answer. Blocks the calling thread for at most the budget: for worker threads.
 */
export function pollUntil(ready: () => boolean, nowUs: () => number, budgetUs: number): boolean {
  const endUs = nowUs() + budgetUs;
  do {
    if (ready()) return true;
  } while (nowUs() < endUs);
  return ready();
}
