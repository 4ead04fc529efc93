// A scenario played K times faster, for the real-time engine (`lanes lab run --engine real
// --time-scale K`): an hour-long design cannot run for an hour, but its shape survives if every
// time and every rate keep their ratio to each other.
//
// Times (the run, the sampling step, event times, a restart's downtime, the broker's delays and
// every group timeout) are divided by K and rounded to whole ms, at least 1 (0 stays 0: an event at
// the start stays there). Rates are multiplied by K: a producer's records/s and a member's, or a
// member's time per record divided by K (unrounded: a distribution, not a timer), so the record
// count of the run is the scenario's and a member that kept up still keeps up. The machine holds
// only so many records/s; the real engine then scales the compressed rates down to what it holds
// (its `scale`), so a report's counts are × scale of the scenario's and its times are the
// scenario's (the engine records at compressed time × K).
//
// Rounding can break a rule between timeouts (a heartbeat no longer below a session timeout):
// the caller checks the result with `scenarioErrors`.

import { assert } from '../assert.js';
import { labRealTimeScaleMax } from '../limits.js';
import type { GroupSpec, Processing, Scenario, TimeDistribution, TimelineEvent } from './scenario.js';

/** `ms` ÷ k in whole ms: at least 1, except that 0 stays 0. */
export function compressMs(ms: number, k: number): number {
  return ms === 0 ? 0 : Math.max(1, Math.round(ms / k));
}

function compressDistribution(distribution: TimeDistribution, k: number): TimeDistribution {
  switch (distribution.kind) {
    case 'fixed':
      return { kind: 'fixed', ms: distribution.ms / k };
    case 'uniform':
      return { kind: 'uniform', minMs: distribution.minMs / k, maxMs: distribution.maxMs / k };
    case 'exponential':
      return { kind: 'exponential', meanMs: distribution.meanMs / k };
  }
}

function compressProcessing(processing: Processing, k: number): Processing {
  return 'ratePerSec' in processing ? { ratePerSec: processing.ratePerSec * k } : { perRecordMs: compressDistribution(processing.perRecordMs, k) };
}

function compressGroup(group: GroupSpec, k: number): GroupSpec {
  return {
    ...group,
    processing: compressProcessing(group.processing, k),
    maxPollIntervalMs: compressMs(group.maxPollIntervalMs, k),
    sessionTimeoutMs: compressMs(group.sessionTimeoutMs, k),
    heartbeatIntervalMs: compressMs(group.heartbeatIntervalMs, k),
    autoCommitIntervalMs: compressMs(group.autoCommitIntervalMs, k),
  };
}

function compressEvent(event: TimelineEvent, k: number): TimelineEvent {
  const atMs = compressMs(event.atMs, k);
  return event.event === 'broker-restart' ? { ...event, atMs, downMs: compressMs(event.downMs, k) } : { ...event, atMs };
}

/** The scenario played `k` times faster (1 ≤ k ≤ labRealTimeScaleMax); k = 1 returns it unchanged. */
export function compressTime(scenario: Scenario, k: number): Scenario {
  assert(Number.isFinite(k) && k >= 1 && k <= labRealTimeScaleMax, `compressTime: time scale ${k} outside 1..${labRealTimeScaleMax}`);
  if (k === 1) return scenario;
  return {
    ...scenario,
    durationMs: compressMs(scenario.durationMs, k),
    sampleEveryMs: compressMs(scenario.sampleEveryMs, k),
    broker: {
      initialRebalanceDelayMs: compressMs(scenario.broker.initialRebalanceDelayMs, k),
      groupMinSessionTimeoutMs: compressMs(scenario.broker.groupMinSessionTimeoutMs, k),
    },
    producers: scenario.producers.map((producer) => ({ ...producer, ratePerSec: producer.ratePerSec * k })),
    groups: scenario.groups.map((group) => compressGroup(group, k)),
    timeline: scenario.timeline.map((event) => compressEvent(event, k)),
  };
}

/** The real engine's target: a run of at most this long in wall time. */
const suggestedRunMs = 60_000;

/** The time scale a real run of the scenario takes at most about a minute at: 1, 2, 3, 5, 6, 10, 20, … */
export function suggestedTimeScale(scenario: Scenario): number {
  const wanted = scenario.durationMs / suggestedRunMs;
  for (let power = 1; ; power *= 10) {
    for (const step of [1, 2, 3, 5, 6]) if (step * power >= wanted || step * power >= labRealTimeScaleMax) return Math.min(step * power, labRealTimeScaleMax);
  }
}

/** How a real run's report relates to its scenario, in one sentence; undefined when it is the scenario as is. */
export function realRunNote(scale: number, timeScale: number): string | undefined {
  if (scale === 1 && timeScale === 1) return undefined;
  const faster = timeScale === 1 ? 'played in real time' : `played ${timeScale}× faster (times are the scenario's)`;
  const counts = scale === 1 ? 'counts are the scenario\'s' : `counts are × ${Number(scale.toPrecision(3))} of the scenario's (rates scaled to what this machine holds)`;
  return `${faster}; ${counts}.`;
}
