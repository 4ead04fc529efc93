// The virtual engine runs the real coordinator, member state machines and assignors on a
// simulated clock: these check the built-in scenarios' headline figures, the orders trace's
// assignments step by step, and that a run is a function of its scenario and seed.
import { describe, expect, it } from 'vitest';
import { builtinScenario, listScenarios } from '../../../core/lab/builtin_scenarios.js';
import type { LabReport } from '../../../core/lab/report.js';
import type { Scenario } from '../../../core/lab/scenario.js';
import { applyVariation } from '../../../core/lab/variation.js';
import { runVirtual } from '../../../core/lab/virtual_engine.js';

function scenario(name: string): Scenario {
  const found = builtinScenario(name);
  if (found === undefined) throw new Error(`no built-in scenario ${name}`);
  return found;
}

const reports = new Map<string, LabReport>();
/** Each scenario runs once per file (seed 1): several tests read one report. */
function report(name: string): LabReport {
  let cached = reports.get(name);
  if (cached === undefined) {
    cached = runVirtual(scenario(name), { seed: 1 });
    reports.set(name, cached);
  }
  return cached;
}

/** The group's assignment when each rebalance settled. */
function settledAssignments(run: LabReport, group: string): Record<string, string[]>[] {
  return run.rebalances.filter((rebalance) => rebalance.group === group && rebalance.settled).map((rebalance) => {
    const at = run.assignments.filter((assignment) => assignment.group === group && assignment.atMs <= rebalance.endMs).at(-1);
    return at?.byMember ?? {};
  });
}

describe('the virtual engine', () => {
  it('the scaling problem: 10,000/s in, 1,000/s out, the backlog after an hour is 32.4 million (within 1 %)', () => {
    const run = report('scaling-problem');
    expect(run.summary.recordsProduced).toBe(36_000_000);
    expect(Math.abs(run.summary.finalBacklog - 32_400_000) / 32_400_000).toBeLessThan(0.01);
    expect(run.series.time.at(-1)).toBe(3_600_000);
  });

  // Range, per topic: members sorted by member id (here A < B < C: ids start with the client id),
  // each takes partitions / members in order and the first partitions % members take one more.
  // Two members: 2 and 2. Three: 2, 1, 1. After B's session expires, A and C: 2 and 2.
  it('the orders trace: A and B split four partitions, C joins at 200 ms, B crashes at 300 ms (range)', () => {
    const run = report('orders');
    expect(settledAssignments(run, 'order-processor')).toEqual([
      { A: ['orders-0', 'orders-1'], B: ['orders-2', 'orders-3'] },
      { A: ['orders-0', 'orders-1'], B: ['orders-2'], C: ['orders-3'] },
      { A: ['orders-0', 'orders-1'], C: ['orders-2', 'orders-3'] },
    ]);
    const [first, joined, crashed] = run.rebalances;
    expect(first.trigger).toBe('start');
    expect(joined.trigger).toBe('join C');
    expect(joined.startMs).toBe(200);
    // B's partitions move only once its session (100 ms) expires after its last heartbeat.
    expect(crashed.trigger).toBe('sessionTimeout of B');
    expect(crashed.startMs).toBeGreaterThan(300);
    expect(crashed.startMs).toBeLessThanOrEqual(300 + 100 + 1);
    // Between the kill and the expiry nobody processes orders-2: its lag only grows.
    const lag = run.series.lagByPartition['order-processor/orders-2'];
    const index = (atMs: number) => run.series.time.indexOf(atMs);
    expect(lag[index(390)]).toBeGreaterThan(lag[index(305)]);
  });

  it('commit before processing skips the crashed batch, commit after processes it twice', () => {
    const groups = report('commit-before-after').summary.groups;
    expect(groups['commit-before'].skipped).toBeGreaterThan(0);
    expect(groups['commit-before'].processedTwice).toBe(0);
    expect(groups['commit-after'].processedTwice).toBeGreaterThan(0);
    expect(groups['commit-after'].skipped).toBe(0);
  });

  it('six consumers on four partitions: two hold nothing, and after a kill a standby takes over', () => {
    const run = report('six-on-four');
    const [start, afterKill] = settledAssignments(run, 'workers');
    expect(Object.values(start).filter((partitions) => partitions.length === 0)).toHaveLength(2);
    expect(Object.values(afterKill).filter((partitions) => partitions.length === 0)).toHaveLength(1);
    expect(run.summary.idleMembers).toHaveLength(1);
  });

  it('a hot key makes one partition carry half the records, and only its lag grows', () => {
    const run = report('hot-partition');
    const finalLag = Object.entries(run.series.lagByPartition).map(([key, values]) => [key, values.at(-1) ?? 0] as const).sort((a, b) => b[1] - a[1]);
    expect(finalLag[0][1]).toBeGreaterThan(0.9 * run.summary.finalBacklog);
  });

  it('processing longer than max.poll.interval.ms: members leave mid-batch and records are processed twice', () => {
    const run = report('max-poll-exceeded');
    expect(run.rebalances.some((rebalance) => rebalance.trigger.includes('max.poll.interval.ms exceeded'))).toBe(true);
    expect(run.summary.processedTwice).toBeGreaterThan(0);
  });

  it('a member that keeps up polls as records arrive, so a long max.poll.records alone never exceeds the interval', () => {
    // 15/s in, 20/s processed: each poll returns what arrived since the last, far below 500.
    const keepingUp = applyVariation(scenario('max-poll-exceeded'), 'producers[0].ratePerSec', '15');
    if (!keepingUp.ok) throw new Error(keepingUp.errors.join('\n'));
    const run = runVirtual(keepingUp.scenario, { seed: 1 });
    expect(run.rebalances.map((rebalance) => rebalance.trigger.includes('max.poll.interval.ms exceeded'))).not.toContain(true);
    expect(run.summary.processedTwice).toBe(0);
    expect(run.summary.finalBacklog).toBeLessThan(100);
  });

  it('three groups on one topic each read every record, each with its own lag', () => {
    const run = report('three-groups');
    const { analytics, billing, audit } = run.summary.groups;
    for (const group of [analytics, billing, audit]) expect(group.recordsProcessed).toBeGreaterThan(0);
    expect(billing.finalBacklog).toBeGreaterThan(10 * analytics.finalBacklog);
  });

  it('no partition is ever held by two members of a group at a sample, in any built-in scenario', () => {
    for (const { name } of listScenarios()) {
      if (name === '1m-events') continue; // its own test below, at a shorter duration
      expect(report(name).summary.samplesWithPartitionOwnedTwice, name).toBe(0);
    }
  });

  it('the same scenario and seed give the same report, to the byte', () => {
    for (const name of ['orders', 'three-groups', 'commit-before-after']) {
      expect(JSON.stringify(runVirtual(scenario(name), { seed: 1 })), name).toBe(JSON.stringify(report(name)));
    }
    // The seed matters where the scenario draws: per-record times from a distribution.
    expect(JSON.stringify(runVirtual(scenario('three-groups'), { seed: 2 }).series)).not.toBe(JSON.stringify(report('three-groups').series));
  });

  it('1m-events, up to just after its five kills: every partition owned once, the kills cost a rebalance and reprocessing', () => {
    const shortened = applyVariation(scenario('1m-events'), 'durationMs', '1260000');
    if (!shortened.ok) throw new Error(shortened.errors.join('\n'));
    const started = performance.now();
    const run = runVirtual(shortened.scenario, { seed: 1 });
    console.log(`1m-events for 21 virtual minutes: ${Math.round(performance.now() - started)} ms (LANES_VERIFY checks on)`);
    expect(run.summary.samplesWithPartitionOwnedTwice).toBe(0);
    expect(run.summary.recordsProduced).toBe(1_260_000_000);
    const crash = run.rebalances.find((rebalance) => rebalance.trigger.includes('sessionTimeout'));
    expect(crash?.settled).toBe(true);
    expect(run.summary.processedTwice).toBeGreaterThan(0);
    const last = run.assignments.filter((assignment) => assignment.group === 'pipeline').at(-1);
    expect(Object.keys(last?.byMember ?? {})).toHaveLength(95);
    expect(Object.values(last?.byMember ?? {}).flat()).toHaveLength(128);
  });
});
