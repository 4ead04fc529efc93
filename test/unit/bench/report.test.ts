// From run records to the figures `lanes bench` prints: Lanes is paired with the peer of its
// durability class within each round, and a run cut short is left out rather than flattering
// its system.
import { describe, expect, it } from 'vitest';
import { markdownReport, ratios, summarize, type SystemInfo } from '../../../bench/e2e/report.js';
import type { RunRecord } from '../../../bench/e2e/runner.js';
import { planWorkloads } from '../../../bench/e2e/workloads.js';

const systems: SystemInfo[] = [
  { id: 'lanes-wire', label: 'Lanes (wire, memory)', durability: 'memory', durable: false },
  { id: 'lanes-wire-fsync', label: 'Lanes (wire, disk+fsync)', durability: 'fsync', durable: true },
  { id: 'redis', label: 'Redis Streams', durability: 'memory', durable: false },
  { id: 'redis-aof', label: 'Redis Streams (AOF always)', durability: 'fsync', durable: true },
];
const workloads = planWorkloads({ records: 1000, recordBytes: 100, consumers: 2, producers: 2, rates: [50_000], singleRecordRate: 5_000, latencyDurationMs: 1000, latencyWarmupMs: 100, drainTimeoutMs: 1000 });

function run(round: number, system: string, workload: string, recordsPerSecond: number, extra: Partial<RunRecord['measurement'] & object> = {}): RunRecord {
  return { round, system, workload, error: null, wallMs: 1, measurement: { records: 1000, seconds: 1000 / recordsPerSecond, recordsPerSecond, mbPerSecond: 0, ...extra } };
}

const latency = (p99: number) => ({ endToEndLatencyMs: { count: 100, p50: p99 / 4, p99, p999: p99 * 2, max: p99 * 3 } });

const records: RunRecord[] = [
  run(1, 'lanes-wire', 'end-to-end', 3_000_000),
  run(2, 'lanes-wire', 'end-to-end', 1_000_000),
  run(3, 'lanes-wire', 'end-to-end', 2_000_000),
  run(1, 'redis', 'end-to-end', 150_000),
  run(2, 'redis', 'end-to-end', 100_000),
  run(3, 'redis', 'end-to-end', 100_000, { note: 'consumed 10 of 1000 records before the drain timeout' }),
  run(1, 'lanes-wire-fsync', 'end-to-end', 400_000),
  run(1, 'redis-aof', 'end-to-end', 100_000),
  run(1, 'lanes-wire', 'latency-50k', 50_000, latency(2)),
  run(1, 'redis', 'latency-50k', 50_000, latency(8)),
  // The broker's own figures beside the client's (Lanes over the wire only).
  run(1, 'lanes-wire', 'single-5k', 5_000, {
    ...latency(4),
    ackLatencyMs: { count: 100, p50: 1.5, p99: 3, p999: 4, max: 5 },
    brokerService: { Produce: { requests: 900, p50Ms: 0.05, p99Ms: 0.4, meanMs: 0.1 }, Fetch: { requests: 300, p50Ms: 0.02, p99Ms: 0.2, meanMs: 0.05 } },
  }),
  run(2, 'lanes-wire', 'single-5k', 5_000, {
    ...latency(6),
    ackLatencyMs: { count: 100, p50: 2.5, p99: 5, p999: 6, max: 7 },
    brokerService: { Produce: { requests: 900, p50Ms: 0.07, p99Ms: 0.6, meanMs: 0.1 } },
  }),
];

describe('summarize', () => {
  it('takes median and range per system and workload, leaving out runs cut short', () => {
    const summaries = summarize(records, systems, workloads);
    const lanes = summaries.find((summary) => summary.system === 'lanes-wire' && summary.workload === 'end-to-end')!;
    expect(lanes.spread).toMatchObject({ median: 2_000_000, min: 1_000_000, max: 3_000_000 });
    const redis = summaries.find((summary) => summary.system === 'redis' && summary.workload === 'end-to-end')!;
    expect(redis.rounds).toEqual([1, 2]);
    expect(redis.spread).toMatchObject({ median: 125_000, min: 100_000, max: 150_000 });
  });
});

describe('ratios', () => {
  it('pairs Lanes with the peer of its durability class, round by round', () => {
    const all = ratios(records, systems, workloads);
    const memory = all.find((ratio) => ratio.peer === 'redis' && ratio.workload === 'end-to-end')!;
    expect(memory.lanes).toBe('lanes-wire');
    expect(memory.perRound).toEqual([
      { round: 1, ratio: 20 },
      { round: 2, ratio: 10 },
    ]); // round 3 of Redis was cut short: no pair
    const durable = all.find((ratio) => ratio.peer === 'redis-aof' && ratio.workload === 'end-to-end')!;
    expect(durable.lanes).toBe('lanes-wire-fsync');
    expect(durable.perRound).toEqual([{ round: 1, ratio: 4 }]);
  });

  it('states p99 as how many times lower the Lanes figure is', () => {
    const p99 = ratios(records, systems, workloads).find((ratio) => ratio.peer === 'redis' && ratio.workload === 'latency-50k')!;
    expect(p99.kind).toBe('p99');
    expect(p99.perRound).toEqual([{ round: 1, ratio: 4 }]);
  });
});

describe('markdownReport', () => {
  it('shows median (range), a dash where nothing was measured, and the ratio table', () => {
    const text = markdownReport(summarize(records, systems, workloads), ratios(records, systems, workloads), systems, workloads);
    expect(text).toContain('| Lanes (wire, memory) | – | – | 2.00M (1.00M–3.00M) |');
    expect(text).toContain('| Redis Streams | 50k/s | 2.00 ms | 8.00 ms | 16.0 ms | – |');
    expect(text).toContain('| Lanes (wire, memory) | Redis Streams | – | – | 15.0× (10.0–20.0) | 4.00× | – |');
  });

  it('labels the single-record run and puts the broker service time beside the client latency', () => {
    const text = markdownReport(summarize(records, systems, workloads), ratios(records, systems, workloads), systems, workloads);
    expect(workloads.map((workload) => workload.id)).toContain('single-5k');
    expect(text).toContain('| Lanes (wire, memory) | 5k/s, 1 per send | 1.25 ms (1.00–1.50) | 5.00 ms (4.00–6.00) |');
    expect(text).toContain('| system | workload | client ack p50 | broker Produce p50 | client ack p99 | broker Produce p99 | client e2e p99 | broker Fetch p99 |');
    // Fetch was measured in one round only: one value, no range.
    expect(text).toContain('| Lanes (wire, memory) | latency 5k/s, 1 per send | 2.00 ms (1.50–2.50) | 0.060 ms (0.050–0.070) | 4.00 ms (3.00–5.00) | 0.500 ms (0.400–0.600) | 5.00 ms (4.00–6.00) | 0.200 ms |');
    // Only systems with broker figures get rows there.
    expect(text.split('**Broker service time**')[1]).not.toContain('Redis');
  });

  it('has no broker section when no run carried broker figures', () => {
    const plain = records.filter((record) => record.workload !== 'single-5k');
    expect(markdownReport(summarize(plain, systems, workloads), ratios(plain, systems, workloads), systems, workloads)).not.toContain('Broker service time');
  });
});
