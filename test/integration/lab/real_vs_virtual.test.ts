// The two engines of `lanes lab` agree on what a design does, for the same scenario and seed:
// the real-time engine (a broker, producers and member threads, in real time) ends with the same
// owner for every partition as the virtual-time engine (the coordinator and assignors on a fake
// clock), its records on the partitions the virtual engine's production model puts them on, and
// its group committed through every one of them. Timings are not compared: real time on a busy
// machine is not the virtual clock.
//
// The real engine runs from the built modules in a child process (its members are worker threads
// that load the built client, as `lanes lab run --engine real` does).
import { expect, it } from 'vitest';
import { partitionShares } from '../../../core/lab/production.js';
import type { AssignmentRecord } from '../../../core/lab/report.js';
import { parseScenario } from '../../../core/lab/scenario.js';
import { runVirtual } from '../../../core/lab/virtual_engine.js';
import { timeoutMs } from '../../support/timeouts.js';
import { runRealFixture } from './run_real.js';

// The orders trace, stretched to seconds so member threads on a busy machine keep its order of
// events: A and B from the start, C joins, B is killed (its session has to expire).
const scenarioJson = {
  name: 'orders-small',
  durationMs: 12_000,
  sampleEveryMs: 100,
  broker: { initialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 500 },
  topics: [{ name: 'orders', partitions: 4 }],
  producers: [{ topic: 'orders', ratePerSec: 50, keys: { kind: 'uniform', count: 8 } }],
  groups: [{ name: 'order-processor', topic: 'orders', members: ['A', 'B'], assignor: 'range', processing: { ratePerSec: 2_000 }, commit: 'after', sessionTimeoutMs: 1_500, heartbeatIntervalMs: 300 }],
  timeline: [
    { atMs: 2_000, event: 'join', group: 'order-processor', member: 'C' },
    { atMs: 5_000, event: 'kill', group: 'order-processor', member: 'B' },
  ],
};

function finalAssignment(assignments: readonly AssignmentRecord[], group: string): Record<string, string[]> {
  const last = assignments.filter((a) => a.group === group).at(-1);
  if (last === undefined) throw new Error(`no assignment of ${group}`);
  return Object.fromEntries(Object.entries(last.byMember).filter(([, partitions]) => partitions.length > 0));
}

it(
  'ends with the same owners, the same records per partition and every record committed',
  async () => {
    const parsed = parseScenario(scenarioJson);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const seed = 11;
    const virtual = runVirtual(parsed.scenario, { seed });

    const real = await runRealFixture(scenarioJson, { seed, drainMs: timeoutMs(20_000) });
    expect(real.failures).toEqual([]);

    // The same owners at the end: range over A and C.
    const owners = finalAssignment(virtual.assignments, 'order-processor');
    expect(owners).toEqual({ A: ['orders-0', 'orders-1'], C: ['orders-2', 'orders-3'] });
    expect(finalAssignment(real.assignments, 'order-processor')).toEqual(owners);

    // Every record the scenario produces (rate × duration), on the partition the virtual engine's
    // model puts its key on, and committed by the group.
    const total = (50 * 12_000) / 1_000;
    expect(virtual.summary.recordsProduced).toBe(total);
    const shares = partitionShares({ kind: 'uniform', count: 8 }, 4);
    const expected = Object.fromEntries(shares.map((share, partition) => [`orders-${partition}`, Math.round(share * total)]));
    expect(real.finalLogEnd).toEqual(expected);
    expect(real.finalCommitted['order-processor']).toEqual(Object.fromEntries(Object.entries(expected).filter(([, end]) => end > 0)));
  },
  timeoutMs(120_000),
);
