// Per-API request histograms for /metrics, observed on the Kafka listener's hot path: one Map
// lookup and one bucket increment per request, no allocation (prom-client's Histogram hashes a
// labels object per observation). Published as a Prometheus histogram family labelled by api:
// _bucket{le} cumulative and ending in +Inf = _count, and _sum. Counts only grow, so a scraper can
// subtract two scrapes to get the distribution of the requests in between (`lanes bench` does).
//
// Main thread (the listener's). Pure bookkeeping: the caller times and passes seconds in.
import { pushHistogramSeries, type HistogramSample } from './histogram_samples.js';

/**
 * Upper bounds in seconds, 1-2-5 steps: a cached Metadata or a Produce into memory is served in
 * tens of microseconds, a Produce waiting for an fsync in milliseconds, a JoinGroup waiting for
 * the rebalance in seconds. Finer than a factor of 2.5 would cost more buckets per API.
 */
export const requestBucketsSeconds: readonly number[] = [
  0.00001, 0.00002, 0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30,
];

class Buckets {
  /** Per bucket, not cumulative; the last slot counts what is past every bound (+Inf only). */
  readonly counts: Float64Array;
  count = 0;
  sumSeconds = 0;

  constructor(bounds: number) {
    this.counts = new Float64Array(bounds + 1);
  }
}

/** One histogram family labelled by api, in the shape prom-client's Registry formats. */
export class ApiHistograms {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #bounds: readonly number[];
  readonly #byApi = new Map<string, Buckets>();

  constructor(
    readonly name: string,
    readonly help: string,
    bounds: readonly number[] = requestBucketsSeconds,
  ) {
    for (let index = 1; index < bounds.length; index++) {
      if (!(bounds[index - 1] < bounds[index])) throw new RangeError(`histogram bounds must ascend: ${bounds.join(', ')}`);
    }
    this.#bounds = [...bounds];
  }

  observe(api: string, seconds: number): void {
    let buckets = this.#byApi.get(api);
    if (buckets === undefined) {
      buckets = new Buckets(this.#bounds.length);
      this.#byApi.set(api, buckets);
    }
    // NaN (never expected) and a negative difference of clock readings count as 0 s.
    const duration = seconds > 0 ? seconds : 0;
    buckets.count++;
    buckets.sumSeconds += duration;
    const bounds = this.#bounds;
    let index = 0;
    while (index < bounds.length && duration > bounds[index]) index++;
    buckets.counts[index]++;
  }

  /** Requests observed for this api so far (0 if none). */
  count(api: string): number {
    return this.#byApi.get(api)?.count ?? 0;
  }

  /** The APIs observed so far, with their counts. */
  counts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [api, buckets] of this.#byApi) out.set(api, buckets.count);
    return out;
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: HistogramSample[] }> {
    const values: HistogramSample[] = [];
    for (const [api, buckets] of [...this.#byApi].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const cumulative = new Float64Array(this.#bounds.length);
      let running = 0;
      for (let index = 0; index < cumulative.length; index++) cumulative[index] = running += buckets.counts[index];
      pushHistogramSeries(values, this.name, { api }, this.#bounds, cumulative, buckets.count, buckets.sumSeconds);
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Counts only grow while the broker runs; nothing to reset. */
  reset(): void {}
}
