// The broker's service time as `lanes bench` reads it: two scrapes of /metrics subtracted give the
// requests of one run, and their percentiles are estimated from the buckets the way Prometheus'
// histogram_quantile does (linear within the bucket holding the rank).
import { describe, expect, it } from 'vitest';
import { histogramQuantile, parseServiceHistograms, serviceDelta, summarizeService } from '../../../bench/e2e/broker_service.js';

function exposition(api: string, cumulative: number[], sum: number): string {
  const bounds = [0.0001, 0.001, 0.01];
  return [
    '# HELP lanes_request_service_seconds help',
    '# TYPE lanes_request_service_seconds histogram',
    ...bounds.map((le, index) => `lanes_request_service_seconds_bucket{le="${le}",api="${api}"} ${cumulative[index]}`),
    `lanes_request_service_seconds_bucket{le="+Inf",api="${api}"} ${cumulative[3]}`,
    `lanes_request_service_seconds_sum{api="${api}"} ${sum}`,
    `lanes_request_service_seconds_count{api="${api}"} ${cumulative[3]}`,
    'lanes_requests_total{api="Produce"} 999',
  ].join('\n');
}

describe('parseServiceHistograms', () => {
  it('reads bounds, cumulative counts, count and sum per api and ignores other families', () => {
    const parsed = parseServiceHistograms(`${exposition('Produce', [10, 90, 100, 100], 0.05)}\n${exposition('Fetch', [0, 0, 4, 5], 0.2)}`);
    expect(parsed.get('Produce')).toEqual({ bounds: [0.0001, 0.001, 0.01], cumulative: [10, 90, 100], count: 100, sumSeconds: 0.05 });
    expect(parsed.get('Fetch')?.count).toBe(5);
    expect([...parsed.keys()].sort()).toEqual(['Fetch', 'Produce']);
  });
});

describe('serviceDelta', () => {
  it('subtracts the earlier scrape, counts a new api from zero and drops apis with no new request', () => {
    const before = parseServiceHistograms(`${exposition('Produce', [10, 90, 100, 100], 0.05)}\n${exposition('Metadata', [1, 1, 1, 1], 0.00001)}`);
    const after = parseServiceHistograms(`${exposition('Produce', [10, 190, 200, 200], 0.1)}\n${exposition('Metadata', [1, 1, 1, 1], 0.00001)}\n${exposition('Fetch', [0, 2, 2, 2], 0.001)}`);
    const delta = serviceDelta(before, after);
    expect(delta.get('Produce')).toMatchObject({ cumulative: [0, 100, 100], count: 100 });
    expect(delta.get('Produce')?.sumSeconds).toBeCloseTo(0.05, 12);
    expect(delta.get('Fetch')).toMatchObject({ cumulative: [0, 2, 2], count: 2 });
    expect(delta.has('Metadata')).toBe(false);
  });
});

describe('histogramQuantile', () => {
  const histogram = { bounds: [0.0001, 0.001, 0.01], cumulative: [50, 90, 100], count: 100, sumSeconds: 0 };

  it('interpolates within the bucket holding the rank, from 0 in the first', () => {
    expect(histogramQuantile(histogram, 0.25)).toBeCloseTo(0.00005, 12);
    expect(histogramQuantile(histogram, 0.5)).toBeCloseTo(0.0001, 12);
    expect(histogramQuantile(histogram, 0.7)).toBeCloseTo(0.0001 + 0.0009 * 0.5, 12);
    expect(histogramQuantile(histogram, 0.99)).toBeCloseTo(0.001 + 0.009 * 0.9, 12);
  });

  it('answers the last finite bound for ranks past it, and NaN for no requests', () => {
    expect(histogramQuantile({ ...histogram, count: 200 }, 0.99)).toBe(0.01);
    expect(histogramQuantile({ ...histogram, cumulative: [0, 0, 0], count: 0 }, 0.5)).toBeNaN();
  });

  it('skips empty buckets below the rank', () => {
    expect(histogramQuantile({ bounds: [0.0001, 0.001, 0.01], cumulative: [0, 0, 10], count: 10, sumSeconds: 0 }, 0.5)).toBeCloseTo(0.001 + 0.009 * 0.5, 12);
  });
});

describe('summarizeService', () => {
  it('gives requests, p50, p99 and mean in milliseconds per api', () => {
    const summary = summarizeService(new Map([['Produce', { bounds: [0.0001, 0.001], cumulative: [50, 100], count: 100, sumSeconds: 0.02 }]]));
    expect(summary.Produce.requests).toBe(100);
    expect(summary.Produce.p50Ms).toBeCloseTo(0.1, 9);
    expect(summary.Produce.p99Ms).toBeCloseTo(0.1 + 0.9 * 0.98, 9);
    expect(summary.Produce.meanMs).toBeCloseTo(0.2, 9);
  });
});
