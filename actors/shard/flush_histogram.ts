// Flush latency of a shard's logs as a fixed-bucket histogram: cumulative counts per upper bound
// plus the sum, the shape Prometheus' histogram type exposes. Pure (the caller times the flush and
// passes seconds in); one per shard thread, read by the host through the control plane
// (ShardControl.flushStats) and published by actors/admin as lanes_log_flush_duration_seconds.
//
// A snapshot is a copy, so it can cross threads by structured clone; counts only grow, which is
// what lets a scraper treat each bucket, _count and _sum as counters.
import { assert } from '../../core/assert.js';

/**
 * Upper bounds in seconds. An fdatasync costs tens of microseconds when the device has a
 * write-back cache (or the data directory is tmpfs), a few milliseconds on an SSD that honours
 * it, and can reach seconds on a saturated disk.
 */
export const flushDurationBucketsSeconds: readonly number[] = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export interface FlushHistogramSnapshot {
  /** Upper bounds in seconds, ascending; the implicit last bucket is +Inf (= count). */
  readonly bucketsSeconds: readonly number[];
  /** Flushes that took at most bucketsSeconds[i], cumulative: non-decreasing, last ≤ count. */
  readonly cumulativeCounts: readonly number[];
  readonly count: number;
  readonly sumSeconds: number;
}

export class FlushHistogram {
  readonly #bucketsSeconds: readonly number[];
  /** Per bucket, not cumulative: a flush increments exactly one slot (or none, past the last bound). */
  readonly #counts: number[];
  #count = 0;
  #sumSeconds = 0;

  constructor(bucketsSeconds: readonly number[] = flushDurationBucketsSeconds) {
    assert(bucketsSeconds.length > 0, 'a flush histogram needs at least one bucket');
    for (let index = 1; index < bucketsSeconds.length; index++) {
      assert(bucketsSeconds[index - 1] < bucketsSeconds[index], `flush histogram bounds must ascend: ${bucketsSeconds.join(', ')}`);
    }
    this.#bucketsSeconds = [...bucketsSeconds];
    this.#counts = new Array<number>(bucketsSeconds.length).fill(0);
  }

  observe(seconds: number): void {
    assert(Number.isFinite(seconds), `flush duration must be finite, got ${seconds}`);
    // A clock step backwards can make a duration negative; it still was a flush, of ~0 s.
    const duration = Math.max(0, seconds);
    this.#count++;
    this.#sumSeconds += duration;
    const bounds = this.#bucketsSeconds;
    for (let index = 0; index < bounds.length; index++) {
      if (duration <= bounds[index]) {
        this.#counts[index]++;
        return;
      }
    }
  }

  snapshot(): FlushHistogramSnapshot {
    const cumulativeCounts: number[] = [];
    let running = 0;
    for (const count of this.#counts) {
      running += count;
      cumulativeCounts.push(running);
    }
    assert(running <= this.#count, 'bucketed flushes never exceed all flushes');
    return { bucketsSeconds: [...this.#bucketsSeconds], cumulativeCounts, count: this.#count, sumSeconds: this.#sumSeconds };
  }
}
