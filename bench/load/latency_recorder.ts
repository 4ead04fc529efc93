// Latency samples in milliseconds, kept whole (a Float64Array grown by doubling) and sorted once
// at the end: runs record at most a few million samples (one per record batch), so exact
// percentiles cost less than getting a bucketed histogram's edges right.
import { assert } from '../../core/assert.js';
import { percentileOfSorted } from '../e2e/stats.js';

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export class LatencyRecorder {
  #samples = new Float64Array(1024);
  #count = 0;

  get count(): number {
    return this.#count;
  }

  record(milliseconds: number): void {
    assert(Number.isFinite(milliseconds), 'a latency is a finite number');
    if (this.#count === this.#samples.length) {
      const grown = new Float64Array(this.#samples.length * 2);
      grown.set(this.#samples);
      this.#samples = grown;
    }
    this.#samples[this.#count++] = milliseconds;
  }

  /** Percentiles by the nearest-rank method; null when nothing was recorded. */
  summary(): LatencySummary | null {
    if (this.#count === 0) return null;
    const sorted = this.#samples.slice(0, this.#count).sort();
    return { count: this.#count, p50: percentileOfSorted(sorted, 0.5), p99: percentileOfSorted(sorted, 0.99), p999: percentileOfSorted(sorted, 0.999), max: sorted[this.#count - 1] };
  }
}
