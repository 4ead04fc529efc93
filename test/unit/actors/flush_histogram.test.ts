// The shard's flush histogram: each duration lands in the first bucket whose bound holds it
// (bounds inclusive, as Prometheus' le), snapshots are cumulative and end at most at the count,
// and durations past the last bound count only toward +Inf (the count) and the sum.
import { describe, expect, it } from 'vitest';
import { FlushHistogram, flushDurationBucketsSeconds } from '../../../actors/shard/flush_histogram.js';

describe('FlushHistogram', () => {
  it('buckets cumulatively with inclusive upper bounds, and keeps count and sum', () => {
    const histogram = new FlushHistogram([0.001, 0.01, 0.1]);
    for (const seconds of [0.0005, 0.001, 0.002, 0.05, 0.1, 3]) histogram.observe(seconds);
    const snapshot = histogram.snapshot();
    expect(snapshot.bucketsSeconds).toEqual([0.001, 0.01, 0.1]);
    expect(snapshot.cumulativeCounts).toEqual([2, 3, 5]);
    expect(snapshot.count).toBe(6);
    expect(snapshot.sumSeconds).toBeCloseTo(3.1535, 10);
  });

  it('starts empty, counts a negative duration (a clock step) as zero, and refuses bounds out of order', () => {
    const histogram = new FlushHistogram();
    expect(histogram.snapshot()).toEqual({
      bucketsSeconds: flushDurationBucketsSeconds,
      cumulativeCounts: flushDurationBucketsSeconds.map(() => 0),
      count: 0,
      sumSeconds: 0,
    });
    histogram.observe(-0.001);
    expect(histogram.snapshot().cumulativeCounts[0]).toBe(1);
    expect(histogram.snapshot().sumSeconds).toBe(0);
    expect(() => new FlushHistogram([0.1, 0.01])).toThrow(/ascend/);
    expect(() => histogram.observe(Number.NaN)).toThrow(/finite/);
  });

  it('hands out copies: a snapshot does not move with later flushes', () => {
    const histogram = new FlushHistogram([1]);
    const first = histogram.snapshot();
    histogram.observe(0.5);
    expect(first.count).toBe(0);
    expect(histogram.snapshot().cumulativeCounts).toEqual([1]);
  });
});
