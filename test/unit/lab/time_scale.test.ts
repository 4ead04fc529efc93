// `--time-scale K` plays a scenario K times faster in the real engine. What a user relies on: every
// time shrinks K-fold (whole ms, never to 0 unless it was 0), every rate grows K-fold so the
// record counts and who keeps up stay the scenario's, nothing else changes, and the suggested K
// brings a run to about a minute.
import { describe, expect, it } from 'vitest';
import { builtinScenario, listScenarios } from '../../../core/lab/builtin_scenarios.js';
import { parseScenario, scenarioErrors, type Scenario } from '../../../core/lab/scenario.js';
import { compressMs, compressTime, realRunNote, suggestedTimeScale } from '../../../core/lab/time_scale.js';
import { labRealTimeScaleMax } from '../../../core/limits.js';

function parsed(json: unknown): Scenario {
  const result = parseScenario(json);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.scenario;
}

const scenario = parsed({
  name: 'timed',
  durationMs: 600_000,
  sampleEveryMs: 1_000,
  broker: { initialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 6_000 },
  topics: [{ name: 't', partitions: 4 }],
  producers: [{ topic: 't', ratePerSec: 1_000, recordBytes: 300 }],
  groups: [
    { name: 'fast', topic: 't', members: 2, processing: { ratePerSec: 800 }, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 3_000, maxPollIntervalMs: 30_000, autoCommitIntervalMs: 5_000 },
    { name: 'drawn', topic: 't', members: 1, protocol: 'consumer', processing: { perRecordMs: { kind: 'uniform', minMs: 0.5, maxMs: 1.5 } } },
  ],
  timeline: [
    { atMs: 0, event: 'join', group: 'fast', member: 'c9' },
    { atMs: 120_000, event: 'kill', group: 'fast', member: 'c1' },
    { atMs: 300_000, event: 'broker-restart', downMs: 2_000 },
  ],
});

describe('compressTime', () => {
  const fast = compressTime(scenario, 60);

  it('divides every time by K in whole ms: duration, sampling, broker delays, group timeouts, events', () => {
    expect(fast.durationMs).toBe(10_000);
    expect(fast.sampleEveryMs).toBe(17);
    expect(fast.broker).toEqual({ initialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 100 });
    const group = fast.groups[0];
    expect([group.sessionTimeoutMs, group.heartbeatIntervalMs, group.maxPollIntervalMs, group.autoCommitIntervalMs]).toEqual([167, 50, 500, 83]);
    expect(fast.timeline.map((event) => event.atMs)).toEqual([0, 2_000, 5_000]);
    expect(fast.timeline[2]).toMatchObject({ event: 'broker-restart', downMs: 33 });
  });

  it('multiplies rates by K and divides per-record times by K unrounded, so counts and who keeps up are unchanged', () => {
    expect(fast.producers[0].ratePerSec).toBe(60_000);
    expect(fast.groups[0].processing).toEqual({ ratePerSec: 48_000 });
    expect(fast.groups[1].processing).toEqual({ perRecordMs: { kind: 'uniform', minMs: 0.5 / 60, maxMs: 1.5 / 60 } });
    const produced = (s: Scenario) => (s.producers[0].ratePerSec * s.durationMs) / 1_000;
    expect(produced(fast)).toBe(produced(scenario));
  });

  it('keeps everything that is not a time or a rate', () => {
    const strip = (s: Scenario) => ({
      ...s, durationMs: 0, sampleEveryMs: 0, broker: null, timeline: s.timeline.map((event) => event.event),
      producers: s.producers.map((producer) => ({ ...producer, ratePerSec: 0 })),
      groups: s.groups.map((group) => ({ ...group, processing: null, sessionTimeoutMs: 0, heartbeatIntervalMs: 0, maxPollIntervalMs: 0, autoCommitIntervalMs: 0 })),
    });
    expect(strip(fast)).toEqual(strip(scenario));
    expect(compressTime(scenario, 1)).toBe(scenario);
  });

  it('rounds a time to at least 1 ms, and 0 stays 0', () => {
    expect(compressMs(0, 3_600)).toBe(0);
    expect(compressMs(1, 3_600)).toBe(1);
    expect(compressMs(1_799, 3_600)).toBe(1);
    expect(compressMs(5_400, 3_600)).toBe(2);
  });

  it('leaves every built-in scenario valid at its suggested K', () => {
    for (const builtin of listScenarios()) expect(scenarioErrors(compressTime(builtin, suggestedTimeScale(builtin))), builtin.name).toEqual([]);
  });

  it('can break a rule between timeouts by rounding, which scenarioErrors names', () => {
    const orders = builtinScenario('orders')!;
    expect(scenarioErrors(orders)).toEqual([]);
    expect(scenarioErrors(compressTime(orders, 100))).toContain('(scenario).groups[0].heartbeatIntervalMs: expected less than sessionTimeoutMs (1), got 1');
  });

  it('refuses a K outside 1..labRealTimeScaleMax', () => {
    expect(() => compressTime(scenario, 0.5)).toThrow(/time scale/);
    expect(() => compressTime(scenario, labRealTimeScaleMax + 1)).toThrow(/time scale/);
  });
});

describe('suggestedTimeScale', () => {
  it('picks a round K that brings the run to at most a minute', () => {
    expect(suggestedTimeScale(builtinScenario('orders')!)).toBe(1);
    expect(suggestedTimeScale(builtinScenario('six-on-four')!)).toBe(5);
    expect(suggestedTimeScale(builtinScenario('scaling-problem')!)).toBe(60);
    for (const builtin of listScenarios()) expect(builtin.durationMs / suggestedTimeScale(builtin)).toBeLessThanOrEqual(60_000);
  });
});

describe('realRunNote', () => {
  it('says how times and counts relate to the scenario', () => {
    expect(realRunNote(1, 1)).toBeUndefined();
    expect(realRunNote(0.005, 60)).toBe("played 60× faster (times are the scenario's); counts are × 0.005 of the scenario's (rates scaled to what this machine holds).");
    expect(realRunNote(1, 10)).toBe("played 10× faster (times are the scenario's); counts are the scenario's.");
  });
});
