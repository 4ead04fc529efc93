// The per-API request histograms behind lanes_request_service_seconds: each duration lands in the
// first bucket whose bound holds it (inclusive, as Prometheus' le), buckets come out cumulative
// ending in +Inf = _count, APIs are separate series, and a negative duration counts as 0 s.
import { describe, expect, it } from 'vitest';
import { ApiHistograms } from '../../../actors/admin/request_histograms.js';

describe('ApiHistograms', () => {
  it('buckets cumulatively per api with inclusive bounds, and keeps count and sum', async () => {
    const histograms = new ApiHistograms('x_seconds', 'help', [0.001, 0.01]);
    for (const seconds of [0.0005, 0.001, 0.002, 3]) histograms.observe('Produce', seconds);
    histograms.observe('Fetch', -0.5);
    const family = await histograms.get();
    expect(family.type).toBe('histogram');
    const of = (api: string) => family.values.filter((value) => value.labels.api === api).map((value) => [value.metricName, value.labels.le, value.value]);
    expect(of('Fetch')).toEqual([
      ['x_seconds_bucket', 0.001, 1],
      ['x_seconds_bucket', 0.01, 1],
      ['x_seconds_bucket', '+Inf', 1],
      ['x_seconds_sum', undefined, 0],
      ['x_seconds_count', undefined, 1],
    ]);
    expect(of('Produce').slice(0, 3)).toEqual([
      ['x_seconds_bucket', 0.001, 2],
      ['x_seconds_bucket', 0.01, 3],
      ['x_seconds_bucket', '+Inf', 4],
    ]);
    expect(family.values.find((value) => value.metricName === 'x_seconds_sum' && value.labels.api === 'Produce')?.value).toBeCloseTo(3.0035, 10);
    expect([...histograms.counts()]).toEqual([['Produce', 4], ['Fetch', 1]]);
    expect(histograms.count('Metadata')).toBe(0);
  });

  it('refuses bounds out of order', () => {
    expect(() => new ApiHistograms('x', 'h', [0.1, 0.01])).toThrow(/ascend/);
  });
});
