// Every kind of timeline event, in both protocols, through the virtual engine: each one reaches
// the coordinator and the members, and the group ends settled with every partition owned once.
import { describe, expect, it } from 'vitest';
import { parseScenario, type Scenario } from '../../../core/lab/scenario.js';
import { runVirtual } from '../../../core/lab/virtual_engine.js';

function timelineScenario(protocol: 'classic' | 'consumer', assignor: string): Scenario {
  const parsed = parseScenario({
    name: 'timeline',
    durationMs: 120_000,
    topics: [{ name: 'events', partitions: 6 }],
    producers: [{ topic: 'events', ratePerSec: 3_000, keys: { kind: 'zipf', count: 500 } }],
    groups: [{ name: 'g', topic: 'events', protocol, assignor, members: 3, processing: { ratePerSec: 2_000 }, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, commit: 'after' }],
    timeline: [
      { atMs: 20_000, event: 'add-partitions', topic: 'events', partitions: 9 },
      { atMs: 30_000, event: 'slow', group: 'g', member: 'c1', factor: 4 },
      { atMs: 40_000, event: 'leave', group: 'g', member: 'c3' },
      { atMs: 50_000, event: 'join', group: 'g' },
      { atMs: 60_000, event: 'broker-restart', downMs: 2_000 },
      { atMs: 70_000, event: 'kill', group: 'g', member: 'c2' },
    ],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.scenario;
}

describe.each([
  ['classic', 'cooperative-sticky'],
  ['classic', 'range'],
  ['consumer', 'uniform'],
] as const)('the timeline in the %s protocol (%s)', (protocol, assignor) => {
  const run = runVirtual(timelineScenario(protocol, assignor), { seed: 7 });

  it('ends settled, with the nine partitions shared by the two members left, each owned once', () => {
    expect(run.summary.samplesWithPartitionOwnedTwice).toBe(0);
    expect(run.rebalances.every((rebalance) => rebalance.settled)).toBe(true);
    const last = run.assignments.at(-1);
    expect(Object.keys(last?.byMember ?? {}).sort()).toEqual(['c1', 'c4']);
    expect(Object.values(last?.byMember ?? {}).flat().sort()).toEqual(Array.from({ length: 9 }, (_, partition) => `events-${partition}`).sort());
  });

  it('notes what started each rebalance', () => {
    const triggers = run.rebalances.map((rebalance) => rebalance.trigger).join(' | ');
    for (const expected of ['start', 'add-partitions events', 'leave c3', 'join c4', 'sessionTimeout of c2']) expect(triggers).toContain(expected);
  });

  it('loses no committed progress across the broker restart, and keeps processing after it', () => {
    const index = (atMs: number) => run.series.time.indexOf(atMs);
    const backlog = (at: number) => Object.values(run.series.lagByPartition).reduce((sum, values) => sum + values[at], 0);
    expect(run.summary.recordsProcessed).toBeGreaterThan(0.5 * run.summary.recordsProduced);
    // Committed offsets survive the restart: the backlog right after is the backlog before plus what arrived meanwhile.
    expect(backlog(index(62_500))).toBeLessThanOrEqual(backlog(index(59_500)) + 3_000 * 3);
    expect(index(62_500)).toBeGreaterThan(0);
    // Processing resumes after the restart: the group takes records again.
    expect(run.series.throughputByMember['g/c1'][index(65_000)] + run.series.throughputByMember['g/c4'][index(65_000)]).toBeGreaterThan(0);
  });
});

it('a consumer-protocol rebalance after session expiries lasts from the expiry until every member holds its new target', () => {
  const parsed = parseScenario({
    name: 'expiry', durationMs: 120_000,
    topics: [{ name: 'e', partitions: 16 }],
    producers: [{ topic: 'e', ratePerSec: 1_000 }],
    groups: [{ name: 'g', topic: 'e', protocol: 'consumer', members: 12, processing: { ratePerSec: 1_000 }, sessionTimeoutMs: 10_000 }],
    timeline: [{ atMs: 60_000, event: 'kill', group: 'g', member: 'c3' }, { atMs: 60_000, event: 'kill', group: 'g', member: 'c7' }],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const expiry = runVirtual(parsed.scenario, { seed: 1 }).rebalances.find((rebalance) => rebalance.trigger.includes('sessionTimeout'));
  // The sessions (10 s) lapse at most 10 s plus a heartbeat interval (3 s) after the kills; the
  // coordinator computes the new target lazily and hands it out with each member's next heartbeat.
  expect(expiry?.startMs).toBeLessThanOrEqual(73_000);
  expect(expiry?.endMs).toBeGreaterThan(expiry?.startMs ?? Number.POSITIVE_INFINITY);
});
