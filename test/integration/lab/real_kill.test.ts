// A killed member in the real-time engine is a SIGKILL, even when other members share its thread:
// three members on ONE member host thread (a and b, then c joins), b killed. The broker hears nothing from b (no
// LeaveGroup), so its partitions move only once its session has expired; a and c, on the same
// thread, go on processing meanwhile; b processes nothing after the kill; a and c end owning
// every partition with everything committed, and no committed record went unprocessed. Under
// range (eager), cooperative-sticky and the consumer protocol (KIP-848; members keep their
// partitions, and keep committing, while the group rebalances): every rebalance settles, with no
// rebalance the coordinator did not make.
import { expect, it } from 'vitest';
import { memberSeriesKey } from '../../../core/lab/report.js';
import { timeoutMs } from '../../support/timeouts.js';
import { runRealFixture } from './run_real.js';

const sessionTimeoutMs = 3_000;
const killAtMs = 2_500;
const scenarioFor = (protocol: string, assignor: string) => ({
  name: 'kill-on-a-shared-thread',
  durationMs: 10_000,
  sampleEveryMs: 100,
  broker: { initialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 500 },
  topics: [{ name: 'kt', partitions: 4 }],
  producers: [{ topic: 'kt', ratePerSec: 300, keys: { kind: 'uniform', count: 60 } }],
  groups: [{ name: 'kg', topic: 'kt', members: ['a', 'b'], protocol, assignor, processing: { ratePerSec: 2_000 }, commit: 'after', sessionTimeoutMs, heartbeatIntervalMs: 300 }],
  timeline: [
    { atMs: 1_000, event: 'join', group: 'kg', member: 'c' },
    { atMs: killAtMs, event: 'kill', group: 'kg', member: 'b' },
  ],
});

it.each([
  ['classic', 'range'],
  ['classic', 'cooperative-sticky'],
  ['consumer', 'uniform'],
])(
  '%s protocol, %s: moves b’s partitions only after its session expired, while a and c on its thread go on',
  async (protocol, assignor) => {
    const scenarioJson = scenarioFor(protocol, assignor);
    const run = await runRealFixture(scenarioJson, { seed: 5, drainMs: timeoutMs(20_000), memberThreads: 1 });
    expect(run.failures).toEqual([]);

    // Three rebalances, each settled: under cooperative-sticky and the consumer protocol c's join
    // leaves a or b with exactly what it had (no assignment callback), and both keep committing
    // while the group rebalances.
    expect(run.rebalances.map((rebalance) => [rebalance.trigger, rebalance.settled])).toEqual([['start', true], ['join c', true], ['kill b', true]]);

    // No LeaveGroup: the coordinator moved b's partitions when its session expired, not at once.
    const kill = run.rebalances.find((rebalance) => rebalance.trigger === 'kill b');
    expect(kill).toBeDefined();
    expect(kill!.settled).toBe(true);
    expect(kill!.endMs - kill!.startMs).toBeGreaterThanOrEqual(sessionTimeoutMs - 500);

    // Between the kill and the expiry, a and c (same thread) kept processing; b never again.
    const processedBetween = (member: string, from: number, to: number) => {
      const perSec = run.throughputByMember[memberSeriesKey('kg', member)] ?? [];
      return run.time.reduce((sum, at, index) => (at > from && at <= to ? sum + (perSec[index] ?? 0) : sum), 0);
    };
    const expiry = kill!.startMs + sessionTimeoutMs - 500;
    expect(processedBetween('a', killAtMs + 200, expiry)).toBeGreaterThan(0);
    expect(processedBetween('c', killAtMs + 200, expiry)).toBeGreaterThan(0);
    // (What b processed up to the kill is reported at the kill, so it lands in the sample after it.)
    expect(processedBetween('b', killAtMs + 300, scenarioJson.durationMs)).toBe(0);

    // a and c own every partition at the end, and the group committed through every record.
    const last = run.assignments.filter((assignment) => assignment.group === 'kg').at(-1)!;
    const owners = Object.fromEntries(Object.entries(last.byMember).filter(([, partitions]) => partitions.length > 0));
    expect(Object.keys(owners).sort()).toEqual(['a', 'c']);
    expect(Object.values(owners).flat().sort()).toEqual(['kt-0', 'kt-1', 'kt-2', 'kt-3']);
    // Committed after processing: every committed record was processed, b's last ones included
    // (reported at the kill, even when its commit went out before its 10 ms report came round).
    expect(run.skipped).toBe(0);
    expect(run.finalCommitted.kg).toEqual(Object.fromEntries(Object.entries(run.finalLogEnd).filter(([, end]) => end > 0)));
  },
  timeoutMs(120_000),
);
