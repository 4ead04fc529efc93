// `lanes bench` runs each system's client in a child process: a client library that crashes
// (a stack overflow thrown outside any promise, as @platformatic/kafka 2.12.1's once ended a
// whole benchmark) costs only the run it happened in. The run is recorded with the child's exit
// and its last words; the system's next run gets a fresh child on a fresh data directory; the
// benchmark process and its other runs carry on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { isolated } from '../../../bench/e2e/isolated_driver.js';
import { runRounds } from '../../../bench/e2e/runner.js';
import { planWorkloads, type SystemDriver, type Workload } from '../../../bench/e2e/workloads.js';
import { assertDistFresh } from '../../support/built_cli.js';

const entry = fileURLToPath(new URL('../fixtures/crashing_bench_driver.mjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'lanes-isolated-driver-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const descriptor: SystemDriver = {
  id: 'crashing',
  label: 'crashing client',
  durability: 'none',
  durable: false,
  missing: () => null,
  start: () => Promise.reject(new Error('runs only in its child')),
};

it('records a crashed client run as an error and runs the next workload in a fresh child', async () => {
  assertDistFresh();
  const [template] = planWorkloads({ records: 10, recordBytes: 100, consumers: 1, producers: 1, rates: [], singleRecordRate: 0, latencyDurationMs: 0, latencyWarmupMs: 0, drainTimeoutMs: 0 });
  const workloads: Workload[] = ['before', 'crash', 'after'].map((id) => ({ ...template!, id }));
  const records = await runRounds({ rounds: 1, drivers: [isolated(descriptor, { entry })], workloads });
  expect(records.map((record) => [record.workload, record.error === null])).toEqual([
    ['before', true],
    ['crash', false],
    ['after', true],
  ]);
  const crash = records[1]!.error!;
  expect(crash).toMatch(/the crashing client process ended \((code \d+|signal \w+)\)/);
  expect(crash).toContain('Maximum call stack size exceeded');
  const [before, after] = [records[0]!.measurement!.note!, records[2]!.measurement!.note!];
  const pid = (note: string) => note.split(' ')[1];
  expect(pid(after)).not.toBe(pid(before));
  expect(after).toMatch(/restart-1$/);
});

it("hands the child's counters to the benchmark's progress", async () => {
  const [workload] = planWorkloads({ records: 10, recordBytes: 100, consumers: 1, producers: 1, rates: [], singleRecordRate: 0, latencyDurationMs: 0, latencyWarmupMs: 0, drainTimeoutMs: 0 });
  const session = await isolated(descriptor, { entry }).start({ dataDir: scratch, expectedBytes: 0 });
  try {
    const counters = { produced: 0, consumed: 0 };
    const measurement = await session.run(workload!, counters);
    expect(measurement.records).toBe(7);
    expect(counters.produced).toBe(7);
  } finally {
    await session.stop();
  }
});
