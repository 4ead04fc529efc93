// The load generator against a real broker over the wire: its lean response readers skip each
// response header by its version (flexible versions carry tagged fields after the correlation
// id), so every mode keeps working when the broker's version ranges grow. Once they read the
// header as v0 only: Produce v9+ and Fetch v12+ responses then failed to decode and
// `--mode request-rate` stopped at its first response.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../../actors/testing/test_broker.js';
import { runRequestRate } from '../../../bench/load/request_rate.js';
import { runWorkload } from '../../../bench/load/workload.js';

let broker: TestBroker;

beforeAll(async () => {
  broker = await startTestBroker();
});

afterAll(async () => {
  await broker?.stop();
});

it('request-rate mode answers every step with counted requests and service times', async () => {
  const result = await runRequestRate({ brokers: broker.brokers, inFlightSteps: [1, 5], durationMs: 300, warmupMs: 50 });
  expect(result.steps.map((step) => step.inFlight)).toEqual([1, 5]);
  for (const step of result.steps) {
    expect(step.requests).toBeGreaterThan(0);
    expect(step.serviceMs.count).toBeGreaterThan(0);
  }
});

it('end-to-end mode reads back every record it produced', async () => {
  const result = await runWorkload({ brokers: broker.brokers, mode: 'end-to-end', records: 2_000, recordsPerBatch: 100, partitions: 2, producers: 1, consumers: 1, groupId: null });
  expect(result.produced.records).toBe(2_000);
  expect(result.consumed?.records).toBe(2_000);
});
